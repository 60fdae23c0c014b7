#pragma once
// A public URL for the listener from a tunnel program the user has installed: cloudflared (a
// quick tunnel, `cloudflared tunnel --url LOCAL`, which announces its https URL in a boxed log
// line on stderr) or ngrok (`ngrok http LOCAL`, whose URL is read from the agent's local API,
// GET /api/tunnels). The program runs as long as the Tunnel object and is stopped with it.
#include "payload/json.hpp"
#include "util/non_copyable.hpp"
#include "util/stop.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace blandhook::listen {

enum class TunnelKind { cloudflared, ngrok };

/// "cloudflared" or "ngrok"; a usage Error naming `what` for anything else.
TunnelKind parse_tunnel_kind(std::string_view text, std::string_view what);

struct TunnelOptions {
    TunnelKind kind = TunnelKind::cloudflared;
    std::string local_url; ///< where the tunnel forwards to: the listener's URL
    /// ngrok's agent API base URL; "" = the address ngrok logs ("starting web service … addr=")
    /// or else ngrok's default http://127.0.0.1:4040.
    std::string ngrok_api;
    std::chrono::milliseconds timeout{30'000}; ///< for the URL to be announced
    util::StopToken stop; ///< ends the wait for the URL (Ctrl-C while the tunnel starts)
};

/// The URL in cloudflared's quick-tunnel announcement, e.g. from
/// `2024-05-01T10:00:00Z INF |  https://four-words-here.trycloudflare.com  |`.
std::optional<std::string> cloudflared_url(std::string_view line);

/// The agent API address in ngrok's logfmt line `… msg="starting web service" obj=web
/// addr=127.0.0.1:4040 …`, as http://ADDR.
std::optional<std::string> ngrok_api_address(std::string_view line);

/// The public URL of ngrok's GET /api/tunnels answer: the first https one, else the first one.
std::optional<std::string> ngrok_public_url(const payload::Json& tunnels);

class Tunnel : util::NonCopyable {
public:
    /// Starts the program and waits for its public URL. Throws Error: usage when the program is
    /// not on PATH, timeout when no URL came within the timeout (the program is stopped then),
    /// internal when it cannot be started. A stop request while it waits stops the program and
    /// returns at once, public_url() empty.
    explicit Tunnel(TunnelOptions options);
    ~Tunnel();

    /// The https URL; "" when a stop request ended the wait for it.
    const std::string& public_url() const;
    /// The program's name, for messages.
    std::string program() const;
    /// Stops the program (SIGTERM, SIGKILL after 3 s). Idempotent.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace blandhook::listen
