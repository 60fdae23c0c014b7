#pragma once
// What `listen --inbound-number / --tunnel / --public-url` adds to the listener: a public URL
// (given, or from a tunnel program blandhook starts), inbound numbers pointed at it for the
// listener's lifetime, and everything put back when it stops. Pending restores left by a crashed
// listener are repaired at start.
#include "bland/calls_api.hpp"
#include "bland/inbound_restore.hpp"
#include "listen/tunnel.hpp"
#include "util/non_copyable.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::bland {

struct InboundLinkOptions {
    std::vector<std::string> numbers; ///< --inbound-number, as typed
    std::string public_url;           ///< --public-url
    std::string tunnel;               ///< --tunnel: "", "cloudflared" or "ngrok"
    std::string ngrok_api;            ///< --ngrok-api
    bool force = false;               ///< take numbers held by another running listener
    ApiOptions api;                   ///< api_key may be empty when no number is given
    std::string ledger_dir = default_restore_dir();
    util::StopToken stop; ///< a stop request while the tunnel starts ends start() early
};

/// Receives one line for the terminal (no trailing newline).
using LineSink = std::function<void(const std::string& line)>;

class InboundLink : util::NonCopyable {
public:
    /// Checks the options (usage Errors) before anything starts.
    explicit InboundLink(InboundLinkOptions options);
    ~InboundLink();

    /// Puts back numbers left pointing at a listener that is gone (needs the API key; without
    /// one, says how to do it later). `warn` gets warnings, `info` the restored numbers.
    void repair(const LineSink& info, const LineSink& warn);
    /// Once the listener runs on `listener_url`: starts the tunnel, then points the numbers at
    /// the public URL. Banner lines go to `info`, warnings (a plain-http URL) to `warn`. Returns
    /// early, pointing no number, when a stop is requested while the tunnel starts.
    void start(const std::string& listener_url, const LineSink& info, const LineSink& warn);
    /// Restores the numbers, then stops the tunnel. Idempotent.
    void stop(const LineSink& info, const LineSink& warn);

    /// The URL senders should use: the tunnel's, --public-url, or "" when none.
    const std::string& public_url() const { return m_public_url; }

private:
    InboundLinkOptions m_options;
    std::vector<std::string> m_numbers; // E.164, deduplicated
    std::optional<listen::TunnelKind> m_tunnel_kind;
    std::unique_ptr<listen::Tunnel> m_tunnel;
    std::unique_ptr<InboundTakeover> m_takeover;
    std::string m_public_url;
};

} // namespace blandhook::bland
