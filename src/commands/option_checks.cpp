#include "commands/option_checks.hpp"

#include "error.hpp"

#include <string>

namespace blandhook::commands {

void check_port(int port, const char* option) {
    if (port < 0 || port > 65535) {
        throw Error(ErrorKind::usage, option, std::to_string(port) + " is not a port",
                    "use 0 to pick a free one");
    }
}

void check_http_status(int status, const char* option) {
    if (status < 100 || status > 599) {
        throw Error(ErrorKind::usage, option,
                    std::to_string(status) + " is not an HTTP status (100-599)");
    }
}

} // namespace blandhook::commands
