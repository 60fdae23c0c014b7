#pragma once
// Checks of option values more than one command takes, with one wording: a usage Error naming the
// option.

namespace blandhook::commands {

/// A TCP port, 0 (pick a free one) to 65535.
void check_port(int port, const char* option);

/// An HTTP status a server may answer, 100 to 599.
void check_http_status(int status, const char* option);

} // namespace blandhook::commands
