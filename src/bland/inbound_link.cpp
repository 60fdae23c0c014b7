#include "bland/inbound_link.hpp"

#include "bland/inbound_api.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "listen/listener.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace blandhook::bland {
namespace {

std::string none_or(const std::string& url) {
    return url.empty() ? std::string("none") : url;
}

void print_outcomes(const std::vector<RestoreOutcome>& outcomes, const LineSink& info,
                    const LineSink& warn) {
    for (const auto& outcome : outcomes) {
        (outcome.ok ? info : warn)(fmt::format("inbound {}: {}", outcome.number, outcome.detail));
    }
}

} // namespace

InboundLink::InboundLink(InboundLinkOptions options) : m_options(std::move(options)) {
    for (const auto& text : m_options.numbers) {
        std::string number = require_number(text, "--inbound-number");
        if (std::ranges::find(m_numbers, number) == m_numbers.end()) {
            m_numbers.push_back(number);
        }
    }
    if (!m_options.tunnel.empty()) {
        m_tunnel_kind = listen::parse_tunnel_kind(m_options.tunnel, "--tunnel");
        if (!m_options.public_url.empty()) {
            throw Error(ErrorKind::usage, "--tunnel",
                        "--tunnel and --public-url both give the "
                        "public URL",
                        "use one: --tunnel starts cloudflared or ngrok, --public-url names a "
                        "tunnel you run yourself");
        }
    }
    if (!m_options.public_url.empty()) {
        http::parse_url(m_options.public_url, "--public-url");
    }
    if (!m_options.ngrok_api.empty()) {
        http::parse_url(m_options.ngrok_api, "--ngrok-api");
    }
    if (!m_numbers.empty()) {
        if (m_options.api.api_key.empty()) {
            throw Error(ErrorKind::usage, "--inbound-number", "no API key",
                        "pass --api-key or set BLAND_API_KEY: the number's webhook is changed "
                        "through Bland's API");
        }
        http::Url api_url = http::parse_url(m_options.api.base_url, "--api-url");
        if (m_options.public_url.empty() && !m_tunnel_kind &&
            !http::is_loopback_host(api_url.host)) {
            throw Error(
                ErrorKind::usage, "--inbound-number",
                fmt::format("{} cannot reach a listener on this machine", m_options.api.base_url),
                "give Bland a public https URL: --tunnel cloudflared, --tunnel ngrok, or "
                "--public-url URL of a tunnel you run");
        }
    }
}

InboundLink::~InboundLink() {
    // A failure between start() and stop() (the caller threw) still restores and stops.
    stop([](const std::string&) {}, [](const std::string&) {});
}

void InboundLink::repair(const LineSink& info, const LineSink& warn) {
    RestoreLedger ledger(m_options.ledger_dir);
    std::vector<PendingRestore> stale;
    for (const auto& restore : ledger.list([&](const std::string& problem) { warn(problem); })) {
        if (!listener_alive(restore.pid)) {
            stale.push_back(restore);
        }
    }
    if (stale.empty()) {
        return;
    }
    if (m_options.api.api_key.empty()) {
        for (const auto& restore : stale) {
            warn(fmt::format("inbound {} still points at {} (a listener that is gone; it was "
                             "{}): set BLAND_API_KEY and run `blandhook inbound restore`",
                             restore.number, restore.webhook, none_or(restore.previous_webhook)));
        }
        return;
    }
    std::vector<RestoreOutcome> outcomes;
    outcomes.reserve(stale.size());
    for (const auto& restore : stale) {
        outcomes.push_back(
            restore_one(restore, ledger, m_options.api.api_key, m_options.api.insecure));
    }
    print_outcomes(outcomes, info, warn);
}

void InboundLink::start(const std::string& listener_url, const LineSink& info,
                        const LineSink& warn) {
    if (m_tunnel_kind) {
        listen::TunnelOptions tunnel;
        tunnel.kind = *m_tunnel_kind;
        tunnel.local_url = listener_url;
        tunnel.ngrok_api = m_options.ngrok_api;
        tunnel.stop = m_options.stop;
        m_tunnel = std::make_unique<listen::Tunnel>(tunnel);
        if (m_tunnel->public_url().empty()) {
            return; // stopped while it started
        }
        m_public_url = m_tunnel->public_url();
        info(fmt::format("public URL: {} ({}, stopped when listen stops)", m_public_url,
                         m_tunnel->program()));
    } else if (!m_options.public_url.empty()) {
        m_public_url = m_options.public_url;
        info(fmt::format("public URL: {}", m_public_url));
    }
    if (!m_public_url.empty() && http::parse_url(m_public_url, "--public-url").scheme != "https") {
        warn(fmt::format("{} is not https: Bland delivers webhooks only to https URLs (the "
                         "emulator takes http)",
                         m_public_url));
    }
    if (m_numbers.empty()) {
        return;
    }
    const std::string webhook = m_public_url.empty() ? listener_url : m_public_url;
    m_takeover =
        std::make_unique<InboundTakeover>(m_options.api, RestoreLedger(m_options.ledger_dir));
    m_takeover->take(m_numbers, webhook, m_options.force,
                     [&](const std::string& line) { info("inbound " + line); });
}

void InboundLink::stop(const LineSink& info, const LineSink& warn) {
    if (m_takeover) {
        print_outcomes(m_takeover->restore(), info, warn);
        m_takeover.reset();
    }
    if (m_tunnel) {
        m_tunnel->stop();
        m_tunnel.reset();
    }
}

} // namespace blandhook::bland
