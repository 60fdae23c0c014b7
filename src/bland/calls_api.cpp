#include "bland/calls_api.hpp"

#include "error.hpp"
#include "http/client.hpp"

#include <algorithm>
#include <fmt/core.h>

namespace blandhook::bland {
namespace {

// Bland's error bodies are not uniform (spec section 6): {"status":"error","message"},
// the same with "errors":[strings], {"data":null,"errors":[{error,message}]} and {"error":"…"}.
// This collects every message they carry, in order.
std::string error_text(const payload::Json& body) {
    std::vector<std::string> parts;
    if (!body.is_object()) {
        return {};
    }
    if (auto it = body.find("message"); it != body.end() && it->is_string()) {
        parts.push_back(it->get<std::string>());
    }
    if (auto it = body.find("error"); it != body.end() && it->is_string()) {
        parts.push_back(it->get<std::string>());
    }
    if (auto it = body.find("errors"); it != body.end() && it->is_array()) {
        for (const auto& item : *it) {
            if (item.is_string()) {
                parts.push_back(item.get<std::string>());
            } else if (item.is_object()) {
                std::string message = item.value("message", std::string{});
                std::string code = item.value("error", std::string{});
                if (!code.empty() && !message.empty()) {
                    parts.push_back(fmt::format("{} ({})", message, code));
                } else if (!message.empty() || !code.empty()) {
                    parts.push_back(message.empty() ? code : message);
                }
            }
        }
    }
    std::string joined;
    for (const auto& part : parts) {
        if (!joined.empty()) {
            joined += "; ";
        }
        joined += part;
    }
    return joined;
}

bool has_error_list(const payload::Json& body) {
    if (!body.is_object()) {
        return false;
    }
    auto it = body.find("errors");
    return it != body.end() && it->is_array() && !it->empty();
}

} // namespace

bool is_e164(std::string_view number) {
    if (number.size() < 3 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
        return false;
    }
    return std::all_of(number.begin() + 1, number.end(),
                       [](char c) { return c >= '0' && c <= '9'; });
}

bool is_call_id(std::string_view value) {
    return !value.empty() && value.size() <= 128 && std::ranges::all_of(value, [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '-' || c == '_';
    });
}

bool is_webhook_event(std::string_view value) {
    return std::ranges::find(k_webhook_events, value) != k_webhook_events.end();
}

bool call_is_done(const payload::Json& details) {
    if (!details.is_object()) {
        return false;
    }
    if (auto it = details.find("completed");
        it != details.end() && it->is_boolean() && it->get<bool>()) {
        return true;
    }
    auto it = details.find("queue_status");
    if (it == details.end() || !it->is_string()) {
        return false;
    }
    const auto& state = it->get_ref<const std::string&>();
    return state == "complete" || state == "completed" || state == "pre_queue_error" ||
           state == "queue_error" || state == "call_error" || state == "complete_error";
}

std::string redact_key(std::string_view key) {
    if (key.empty()) {
        return "(none)";
    }
    return "[redacted]";
}

void throw_api_error(int status, std::string_view body, std::string_view what) {
    std::string message;
    try {
        message = error_text(payload::parse_json(body));
    } catch (const payload::JsonError&) {
        message = std::string(body.substr(0, 200));
    }
    if (message.empty()) {
        message = "no error message in the answer";
    }
    std::string hint;
    if (status == 401) {
        hint = "check the API key (--api-key or BLAND_API_KEY); Bland sends it as the "
               "'authorization' header";
    } else if (status == 429) {
        hint = "rate limit: Bland allows one call per 10 s to the same number; wait and retry";
    } else if (status == 402) {
        hint = "the account balance is too low to place calls";
    }
    throw Error(ErrorKind::api, std::string(what), fmt::format("HTTP {}: {}", status, message),
                hint);
}

struct ApiClient::Impl {
    ApiOptions options;
    http::Url base;
    std::string base_path; // the base URL's path without a trailing slash ("" normally)
    std::unique_ptr<http::Client> client;
};

ApiClient::ApiClient(ApiOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->base = http::parse_url(options.base_url, "--api-url");
    m_impl->base_path = m_impl->base.target;
    if (auto query = m_impl->base_path.find('?'); query != std::string::npos) {
        m_impl->base_path.erase(query);
    }
    while (!m_impl->base_path.empty() && m_impl->base_path.back() == '/') {
        m_impl->base_path.pop_back();
    }
    http::ClientOptions client_options;
    client_options.timeout = options.timeout;
    client_options.connect_timeout = std::min(options.timeout, std::chrono::milliseconds(10'000));
    client_options.insecure = options.insecure;
    client_options.cancel = options.cancel;
    m_impl->client = std::make_unique<http::Client>(m_impl->base, client_options);
    m_impl->options = std::move(options);
}

ApiClient::~ApiClient() = default;

std::string ApiClient::url_of(std::string_view path) const {
    const http::Url& base = m_impl->base;
    bool default_port =
        (base.scheme == "https" && base.port == 443) || (base.scheme == "http" && base.port == 80);
    std::string host = base.host.find(':') != std::string::npos ? "[" + base.host + "]" : base.host;
    std::string origin = default_port ? fmt::format("{}://{}", base.scheme, host)
                                      : fmt::format("{}://{}:{}", base.scheme, host, base.port);
    return origin + m_impl->base_path + std::string(path);
}

ApiAnswer ApiClient::request(std::string_view method, std::string_view path,
                             const payload::Json* body) {
    http::Request request;
    request.method = std::string(method);
    request.target = m_impl->base_path + std::string(path);
    request.headers.push_back({"authorization", m_impl->options.api_key});
    request.headers.push_back({"accept", "application/json"});
    if (body != nullptr) {
        request.headers.push_back({"content-type", "application/json"});
        request.body = payload::canonical_json(*body);
    }
    const std::string what = fmt::format("{} {}", method, path);
    http::Attempt attempt = m_impl->client->send(request);
    if (!attempt.response) {
        throw Error(ErrorKind::network, what,
                    fmt::format("cannot reach {}: {}", m_impl->base.origin(), attempt.error),
                    "check --api-url / BLAND_BASE_URL and the network");
    }
    const http::Response& response = *attempt.response;
    if (response.status < 200 || response.status > 299) {
        throw_api_error(response.status, response.body, what);
    }
    ApiAnswer answer;
    answer.status = response.status;
    try {
        answer.body = payload::parse_json(response.body);
    } catch (const payload::JsonError& error) {
        throw Error(
            ErrorKind::api, what,
            fmt::format("HTTP {}: the answer is not JSON ({})", response.status, error.what()));
    }
    // A 2xx answer can still carry Bland's error list, or {"status":"error"}.
    bool status_error = answer.body.is_object() && answer.body.contains("status") &&
                        answer.body["status"] == "error";
    if (has_error_list(answer.body) || status_error) {
        throw_api_error(response.status, response.body, what);
    }
    return answer;
}

payload::Json ApiClient::send_call(const payload::Json& request_body) {
    return request("POST", "/v1/calls", &request_body).body;
}

payload::Json ApiClient::get_call(std::string_view call_id) {
    return request("GET", "/v1/calls/" + std::string(call_id), nullptr).body;
}

payload::Json ApiClient::stop_call(std::string_view call_id) {
    payload::Json empty = payload::Json::object();
    return request("POST", "/v1/calls/" + std::string(call_id) + "/stop", &empty).body;
}

payload::Json ApiClient::webhook_log(std::string_view call_id) {
    payload::Json body =
        request("GET", "/v1/postcall/webhooks/" + std::string(call_id), nullptr).body;
    if (body.is_object() && body.contains("data") && body["data"].is_object()) {
        return body["data"];
    }
    return body;
}

payload::Json ApiClient::resend_webhook(std::string_view call_id) {
    const payload::Json body = {{"call_ids", payload::Json::array({std::string(call_id)})}};
    payload::Json answer = request("POST", "/v1/postcall/webhooks/resend", &body).body;
    if (answer.is_object() && answer.contains("data")) {
        return answer["data"];
    }
    return answer;
}

} // namespace blandhook::bland
