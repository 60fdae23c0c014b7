#pragma once
// The browser inspector served by `blandhook listen` at /_blandhook/: a live list of captures,
// their detail, actions. Mounted on the listener's HTTP server by the listen command.

namespace httplib {
class Server;
}

namespace blandhook::listen {
class Listener;
}

namespace blandhook::inspector {

/// Registers the inspector's page, assets and JSON/SSE API under /_blandhook/ on `server`,
/// reading captures and changing fault injection through `listener`.
void mount(listen::Listener& listener, httplib::Server& server);

} // namespace blandhook::inspector
