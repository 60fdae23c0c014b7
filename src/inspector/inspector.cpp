#include "inspector/inspector.hpp"

#include "capture/call_story.hpp"
#include "capture/export.hpp"
#include "capture/history.hpp"
#include "capture/search.hpp"
#include "capture/store.hpp"
#include "embed/embedded.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "inspector/feed.hpp"
#include "inspector/security.hpp"
#include "inspector/views.hpp"
#include "listen/listener.hpp"
#include "payload/signature.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

namespace blandhook::inspector {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view k_prefix = "/_blandhook";
constexpr std::size_t k_max_page = 500;
constexpr std::size_t k_max_answer_body = 64u << 10;
// A call view of a memory-only listener shows at most this many captures.
constexpr std::size_t k_max_call_captures = 10000;
// An event stream wakes this often to notice a stopping server; a comment line this often finds
// out that the browser went away (a write to a closed socket fails), which ends the stream.
constexpr auto k_stream_tick = std::chrono::milliseconds(250);
constexpr auto k_keep_alive = std::chrono::seconds(1);
// Captures a new stream sends from the store before following the feed; more means "reload".
constexpr std::size_t k_stream_backlog = 1000;

// Every answer of the inspector carries these: no inline script, no framing, no sniffing.
void secure(http::RouteResponse& res) {
    res.set_header(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cross-Origin-Resource-Policy", "same-origin");
    res.set_header("Cache-Control", "no-store");
}

void send_json(http::RouteResponse& res, const json& value, int status = 200) {
    secure(res);
    res.status = status;
    res.set_content(value.dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json; charset=utf-8");
}

void send_error(http::RouteResponse& res, int status, const std::string& message) {
    send_json(res, json{{"error", message}}, status);
}

std::uint64_t parse_id(const std::string& text) {
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        throw Error(ErrorKind::usage, "id", "not a capture id: " + text);
    }
}

// The download's file name: the call_id when it is a plain id (it is a UUID from Bland), else
// capture-ID; never anything a browser could read as a path.
std::string fixture_name(const capture::Capture& capture) {
    const std::string& call_id = capture.payload.call_id;
    const bool plain = !call_id.empty() && call_id.size() <= 80 &&
                       std::ranges::all_of(call_id, [](unsigned char c) {
                           return std::isalnum(c) != 0 || c == '-' || c == '_';
                       });
    return plain ? call_id : "capture-" + std::to_string(capture.id);
}

class Inspector : public std::enable_shared_from_this<Inspector> {
public:
    explicit Inspector(listen::Listener& listener)
        : m_listener(listener), m_page_token(random_token()),
          m_feed(Feed::create(listener.store())) {}

    void mount(http::Router& server);

private:
    ServerFacts server_facts() const {
        ServerFacts facts;
        facts.port = m_listener.inspector_port();
        facts.page_token = m_page_token;
        return facts;
    }

    static RequestFacts request_facts(const http::RouteRequest& req) {
        return {http::browser_facts(req), req.header("X-Blandhook-Token")};
    }

    // Runs `handler` when the request passes the checks for `need`; answers the refusal, or the
    // error the handler threw, as JSON otherwise.
    template <typename Handler> auto guarded(Need need, Handler handler) {
        // The closure keeps the inspector alive as long as the server holds the route.
        return [self = shared_from_this(), need, handler](const http::RouteRequest& req,
                                                          http::RouteResponse& res) {
            if (auto refusal = check_request(request_facts(req), self->server_facts(), need)) {
                send_error(res, refusal->status, refusal->reason);
                return;
            }
            try {
                handler(req, res);
            } catch (const Error& error) {
                send_error(res, error.kind() == ErrorKind::internal ? 500 : 400, error.what());
            } catch (const std::exception& error) {
                send_error(res, 500, std::string("inspector: ") + error.what());
            }
        };
    }

    capture::Capture capture_or_throw(const std::string& id_text) {
        const std::uint64_t id = parse_id(id_text);
        auto capture = m_listener.store().get(id);
        if (!capture) {
            throw Error(ErrorKind::input, "capture", "no capture " + std::to_string(id));
        }
        return std::move(*capture);
    }

    static capture::Filter filter_from(const http::RouteRequest& req) {
        capture::Filter filter;
        filter.call_id = req.param("call_id");
        filter.kind = req.param("kind");
        filter.status = req.param("status");
        filter.text = req.param("q");
        const auto now = std::chrono::system_clock::now();
        if (req.has_param("since")) {
            filter.since = capture::parse_when(req.param("since"), "since", now);
        }
        if (req.has_param("until")) {
            filter.until = capture::parse_when(req.param("until"), "until", now);
        }
        return filter;
    }

    // Everything captured for one call, from the whole history (the log's every segment).
    json call(const std::string& call_id) {
        capture::Store& store = m_listener.store();
        capture::CallStory story;
        if (store.path().empty()) {
            capture::Filter filter;
            filter.call_id = call_id;
            filter.limit = k_max_call_captures;
            auto newest = store.list(filter);
            std::ranges::reverse(newest);
            story = capture::call_story(call_id, std::move(newest));
        } else {
            story = capture::call_story(capture::History(store.path()), call_id);
        }
        return capture::call_story_json(story, row_json);
    }

    void page(http::RouteResponse& res);
    void asset(const http::RouteRequest& req, http::RouteResponse& res);
    void list(const http::RouteRequest& req, http::RouteResponse& res);
    void events(const http::RouteRequest& req, http::RouteResponse& res);
    void replay(const http::RouteRequest& req, http::RouteResponse& res);
    void get_answer(http::RouteResponse& res);
    void set_answer(const http::RouteRequest& req, http::RouteResponse& res);

    listen::Listener& m_listener;
    std::string m_page_token;
    std::shared_ptr<Feed> m_feed;
};

void Inspector::page(http::RouteResponse& res) {
    auto html = embed::find("inspector/index.html");
    if (!html) {
        throw Error(ErrorKind::internal, "inspector", "index.html is not embedded");
    }
    std::string text(*html);
    const std::string placeholder = "{{TOKEN}}";
    if (auto at = text.find(placeholder); at != std::string::npos) {
        text.replace(at, placeholder.size(), m_page_token);
    }
    secure(res);
    res.set_content(text, "text/html; charset=utf-8");
}

void Inspector::asset(const http::RouteRequest& req, http::RouteResponse& res) {
    const std::string name = req.matches[1];
    auto data = embed::find("inspector/" + name);
    if (!data || name == "index.html") {
        send_error(res, 404, "no such asset: " + name);
        return;
    }
    std::string type = "application/octet-stream";
    if (name.ends_with(".js")) {
        type = "text/javascript; charset=utf-8";
    } else if (name.ends_with(".css")) {
        type = "text/css; charset=utf-8";
    } else if (name.ends_with(".png")) {
        type = "image/png";
    } else if (name.ends_with(".svg")) {
        type = "image/svg+xml";
    }
    secure(res);
    res.set_content(std::string(*data), type);
}

void Inspector::list(const http::RouteRequest& req, http::RouteResponse& res) {
    capture::Store& store = m_listener.store();
    capture::Filter filter = filter_from(req);
    filter.limit = k_max_page;
    if (req.has_param("limit")) {
        filter.limit = std::clamp<std::size_t>(parse_id(req.param("limit")), 1, k_max_page);
    }
    if (req.has_param("before")) {
        filter.before = parse_id(req.param("before"));
    }
    if (req.has_param("after")) {
        filter.after = parse_id(req.param("after"));
    }
    // Read before listing: the page's event stream continues after this id, so nothing arriving
    // while the list is read can be missed (the page drops the duplicates).
    const std::uint64_t latest = store.last_id();
    const std::uint64_t total = store.size();
    const auto captures = store.list(filter);
    json items = json::array();
    for (const auto& capture : captures) {
        items.push_back(row_json(capture));
    }
    json page = {{"items", std::move(items)}, {"latest_id", latest}, {"total", total}};
    page["next_before"] = captures.size() == filter.limit && !captures.empty()
                              ? json(captures.back().id)
                              : json(nullptr);
    send_json(res, page);
}

// Server-sent events: `capture` events carry list rows (event id = capture id), `reset` asks the
// page to reload (it fell too far behind), comment lines keep the connection checked.
void Inspector::events(const http::RouteRequest& req, http::RouteResponse& res) {
    if (!m_feed->open_stream()) {
        send_error(res, 503, "too many inspector pages are open");
        return;
    }
    struct Stream {
        capture::Filter filter;
        std::uint64_t after = 0;
        std::uint64_t position = 0;
        bool started = false;
        Clock::time_point last_write = Clock::now();
    };
    auto stream = std::make_shared<Stream>();
    stream->filter = filter_from(req);
    if (req.has_param("after")) {
        stream->after = parse_id(req.param("after"));
    }
    if (req.has_header("Last-Event-ID")) {
        // EventSource reconnecting: continue after the last event the page got.
        stream->after = std::max(stream->after, parse_id(req.header("Last-Event-ID")));
    }
    // Registered before reading the store, so the feed records anything that lands meanwhile.
    stream->position = m_feed->position();

    secure(res);
    res.set_header("X-Accel-Buffering", "no");
    auto feed = m_feed;
    capture::Store& store = m_listener.store();
    const auto event_for = [](const capture::Capture& capture) {
        return "id: " + std::to_string(capture.id) + "\nevent: capture\ndata: " +
               row_json(capture).dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
    };
    res.content_type = "text/event-stream";
    res.stream_ended = [feed] { feed->close_stream(); };
    res.stream = [stream, feed, &store, event_for](const http::StreamWriter& write) {
        std::string out;
        if (!stream->started) {
            stream->started = true;
            out = "retry: 1000\n\n";
            capture::Filter backlog = stream->filter;
            backlog.after = stream->after;
            backlog.limit = k_stream_backlog;
            auto missed = store.list(backlog);
            if (missed.size() == k_stream_backlog) {
                out += "event: reset\ndata: too far behind\n\n";
            } else {
                std::ranges::reverse(missed);
                for (const auto& capture : missed) {
                    out += event_for(capture);
                }
            }
        } else {
            auto batch = feed->wait(stream->position, k_stream_tick);
            stream->position = batch.position;
            if (batch.overflow) {
                out = "event: reset\ndata: too far behind\n\n";
            }
            for (std::uint64_t id : batch.ids) {
                if (id <= stream->after) {
                    continue; // already sent from the backlog
                }
                auto capture = store.get(id);
                if (capture && stream->filter.matches(*capture)) {
                    out += event_for(*capture);
                }
            }
            if (out.empty() && Clock::now() - stream->last_write >= k_keep_alive) {
                out = ": keep-alive\n\n";
            }
        }
        if (out.empty()) {
            return true;
        }
        stream->last_write = Clock::now();
        return write(out);
    };
}

void Inspector::replay(const http::RouteRequest& req, http::RouteResponse& res) {
    capture::Capture capture = capture_or_throw(req.matches[1]);
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("url") || !body["url"].is_string()) {
        send_error(res, 400, "send {\"url\": \"http://…\"}");
        return;
    }
    const http::Url url = http::parse_url(body["url"].get<std::string>(), "url");
    http::Request request;
    request.method = capture.method;
    request.target = url.target;
    request.headers.push_back(
        {"Content-Type", std::string(capture.header("Content-Type").value_or("application/json"))});
    request.headers.push_back({"User-Agent", "blandhook-inspector/" BLANDHOOK_VERSION});
    bool is_signed = false;
    if (m_listener.has_secret()) {
        // Signed server-side: the secret never reaches the page.
        request.headers.push_back({std::string(payload::k_signature_header),
                                   payload::sign(m_listener.secret(), capture.body)});
        is_signed = true;
    } else if (auto signature = capture.header(payload::k_signature_header)) {
        request.headers.push_back(
            {std::string(payload::k_signature_header), std::string(*signature)});
    }
    request.body = capture.body;
    http::ClientOptions options;
    options.keep_alive = false;
    http::Client client(url, options);
    const http::Attempt attempt = client.send(request);
    json out = {
        {"url", body["url"]},
        {"signed", is_signed},
        {"latency_ms", std::round(static_cast<double>(attempt.latency.count()) / 10.0) / 100.0}};
    if (!attempt.response) {
        out["error"] = attempt.error;
    } else {
        out["status"] = attempt.response->status;
        json headers = json::array();
        for (const auto& h : attempt.response->headers) {
            headers.push_back(json::array({h.name, h.value}));
        }
        out["headers"] = std::move(headers);
        std::string answer = attempt.response->body;
        if (answer.size() > k_max_answer_body) {
            answer.resize(k_max_answer_body);
            answer += "\n… (cut)";
        }
        out["body"] = std::move(answer);
    }
    send_json(res, out);
}

json answer_json(const listen::AnswerConfig& config) {
    json headers = json::array();
    for (const auto& [name, value] : config.headers) {
        headers.push_back(json::array({name, value}));
    }
    return {{"status", config.status},
            {"delay_ms", config.delay.count()},
            {"respond_sequence", config.sequence},
            {"fail_rate", config.fail_rate},
            {"fail_status", config.fail_status},
            {"drop", config.drop},
            {"body", config.body ? json(*config.body) : json(nullptr)},
            {"headers", std::move(headers)},
            {"require_signature", config.require_signature}};
}

void Inspector::get_answer(http::RouteResponse& res) {
    send_json(res, answer_json(m_listener.answer()));
}

namespace {

[[noreturn]] void bad_answer(const std::string& message) {
    throw Error(ErrorKind::usage, "answer", message);
}

bool is_status(int status) {
    return status >= 100 && status <= 599;
}

// The answer panel's status, delay, sequence and failure fields, checked as the flags are.
void apply_status_fields(const json& body, listen::AnswerConfig& config) {
    if (body.contains("status")) {
        if (!body["status"].is_number_integer() || !is_status(body["status"].get<int>())) {
            bad_answer("status must be an HTTP status between 100 and 599");
        }
        config.status = body["status"].get<int>();
    }
    if (body.contains("delay_ms")) {
        if (!body["delay_ms"].is_number() || body["delay_ms"].get<double>() < 0 ||
            body["delay_ms"].get<double>() > 600'000) {
            bad_answer("delay_ms must be between 0 and 600000");
        }
        config.delay = std::chrono::milliseconds(body["delay_ms"].get<std::int64_t>());
    }
    if (body.contains("respond_sequence")) {
        if (!body["respond_sequence"].is_array()) {
            bad_answer("respond_sequence must be an array of statuses (0 = drop)");
        }
        config.sequence.clear();
        for (const auto& status : body["respond_sequence"]) {
            if (!status.is_number_integer() ||
                (status.get<int>() != 0 && !is_status(status.get<int>()))) {
                bad_answer("respond_sequence must hold HTTP statuses or 0 (drop)");
            }
            config.sequence.push_back(status.get<int>());
        }
    }
    if (body.contains("fail_rate")) {
        if (!body["fail_rate"].is_number() || body["fail_rate"].get<double>() < 0 ||
            body["fail_rate"].get<double>() > 1) {
            bad_answer("fail_rate must be between 0 and 1");
        }
        config.fail_rate = body["fail_rate"].get<double>();
    }
    if (body.contains("fail_status")) {
        if (!body["fail_status"].is_number_integer() ||
            !is_status(body["fail_status"].get<int>())) {
            bad_answer("fail_status must be an HTTP status");
        }
        config.fail_status = body["fail_status"].get<int>();
    }
}

// The answer panel's connection, body, header and signature fields.
void apply_content_fields(const json& body, listen::AnswerConfig& config) {
    if (body.contains("drop")) {
        if (!body["drop"].is_boolean()) {
            bad_answer("drop must be true or false");
        }
        config.drop = body["drop"].get<bool>();
    }
    if (body.contains("body")) {
        if (body["body"].is_null() ||
            (body["body"].is_string() && body["body"].get<std::string>().empty())) {
            config.body.reset();
        } else if (body["body"].is_string()) {
            config.body = body["body"].get<std::string>();
        } else {
            bad_answer("body must be a string");
        }
    }
    if (body.contains("headers")) {
        // [["Name", "value"], …], checked as --answer-header checks "Name: value".
        if (!body["headers"].is_array()) {
            bad_answer("headers must be an array of [name, value] pairs");
        }
        config.headers.clear();
        for (const auto& pair : body["headers"]) {
            if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() ||
                !pair[1].is_string()) {
                bad_answer("headers must be an array of [name, value] pairs");
            }
            http::Header parsed = http::parse_header_line(
                pair[0].get<std::string>() + ": " + pair[1].get<std::string>(), "header");
            config.headers.emplace_back(std::move(parsed.name), std::move(parsed.value));
        }
    }
    if (body.contains("require_signature")) {
        if (!body["require_signature"].is_boolean()) {
            bad_answer("require_signature must be true or false");
        }
        config.require_signature = body["require_signature"].get<bool>();
    }
}

} // namespace

void Inspector::set_answer(const http::RouteRequest& req, http::RouteResponse& res) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
        send_error(res, 400, "send a JSON object");
        return;
    }
    listen::AnswerConfig config = m_listener.answer();
    if (body.value("reset", false)) {
        config = m_listener.options().answer;
    }
    apply_status_fields(body, config);
    apply_content_fields(body, config);
    m_listener.set_answer(config);
    send_json(res, answer_json(m_listener.answer()));
}

void Inspector::mount(http::Router& server) {
    const std::string p(k_prefix);
    // The port is the inspector's own: its root leads to the page.
    for (const std::string& path : {std::string("/"), p}) {
        server.get(path, [](const http::RouteRequest&, http::RouteResponse& res) {
            secure(res);
            res.redirect("/_blandhook/", 301);
        });
    }
    server.get(p + "/", guarded(Need::page, [this](const auto&, auto& res) { page(res); }));
    server.get(p + R"(/([a-z0-9-]+\.(?:js|css|png|svg)))",
               guarded(Need::page, [this](const auto& req, auto& res) { asset(req, res); }));
    server.get(p + "/api/captures",
               guarded(Need::read, [this](const auto& req, auto& res) { list(req, res); }));
    server.get(p + R"(/api/captures/(\d+))",
               guarded(Need::read, [this](const auto& req, auto& res) {
                   send_json(res, detail_json(capture_or_throw(req.matches[1])));
               }));
    server.get(
        p + R"(/api/captures/(\d+)/fixture)",
        guarded(Need::read, [this](const auto& req, auto& res) {
            const capture::Capture capture = capture_or_throw(req.matches[1]);
            const std::string name = fixture_name(capture);
            secure(res);
            res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".json\"");
            res.set_content(capture::fixture_text(capture), "application/json; charset=utf-8");
        }));
    server.post(p + R"(/api/captures/(\d+)/curl)",
                guarded(Need::action, [this](const auto& req, auto& res) {
                    const capture::Capture capture = capture_or_throw(req.matches[1]);
                    json body = json::parse(req.body, nullptr, false);
                    std::string url = m_listener.url() + capture.target();
                    if (body.is_object() && body.contains("url") && body["url"].is_string()) {
                        const http::Url target = http::parse_url(body["url"].get<std::string>());
                        url = target.origin() + target.target;
                    }
                    const std::string secret = m_listener.has_secret() ? m_listener.secret() : "";
                    send_json(res, json{{"curl", capture::curl_command(capture, url, secret)},
                                        {"signed", !secret.empty()}});
                }));
    server.get(p + "/api/call", guarded(Need::read, [this](const auto& req, auto& res) {
                   const std::string call_id = req.param("call_id");
                   if (call_id.empty()) {
                       send_error(res, 400, "give ?call_id=…");
                       return;
                   }
                   send_json(res, call(call_id));
               }));
    server.post(p + R"(/api/captures/(\d+)/replay)",
                guarded(Need::action, [this](const auto& req, auto& res) { replay(req, res); }));
    server.get(p + "/api/answer",
               guarded(Need::read, [this](const auto&, auto& res) { get_answer(res); }));
    server.post(p + "/api/answer", guarded(Need::action, [this](const auto& req, auto& res) {
                    set_answer(req, res);
                }));
    server.get(p + "/api/events",
               guarded(Need::read, [this](const auto& req, auto& res) { events(req, res); }));
}

} // namespace

void mount(listen::Listener& listener) {
    std::make_shared<Inspector>(listener)->mount(listener.inspector_routes());
}

} // namespace blandhook::inspector
