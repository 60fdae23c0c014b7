#pragma once
// The browser inspector served by `blandhook listen` at /_blandhook/ on a loopback port of its own
// (never the capture port): a live list of captures, their detail, actions.

namespace blandhook::listen {
class Listener;
}

namespace blandhook::inspector {

/// Registers the inspector's page, assets and JSON/SSE API under /_blandhook/ on the listener's
/// inspector server, reading captures and changing fault injection through `listener`.
void mount(listen::Listener& listener);

} // namespace blandhook::inspector
