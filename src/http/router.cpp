#include "http/router.hpp"

#include "http/pool.hpp"

#include <httplib.h>

#include <atomic>
#include <exception>
#include <thread>

namespace blandhook::http {
namespace {

RouteRequest translated(const httplib::Request& in) {
    RouteRequest out;
    out.method = in.method;
    out.path = in.path;
    out.headers.reserve(in.headers.size());
    for (const auto& [name, value] : in.headers) {
        out.headers.push_back({name, value});
    }
    out.body = in.body;
    out.matches.reserve(in.matches.size());
    for (const auto& match : in.matches) {
        out.matches.push_back(match.str());
    }
    out.params = in.params;
    return out;
}

void send(const RouteResponse& in, httplib::Response& out) {
    out.status = in.status;
    for (const Header& header : in.headers) {
        out.set_header(header.name, header.value);
    }
    if (!in.stream) {
        if (!in.body.empty() || !in.content_type.empty()) {
            out.set_content(in.body, in.content_type);
        }
        return;
    }
    out.set_chunked_content_provider(
        in.content_type,
        [stream = in.stream](std::size_t, httplib::DataSink& sink) {
            bool wrote = true;
            const bool more = stream([&sink, &wrote](std::string_view piece) {
                wrote = piece.empty() || sink.write(piece.data(), piece.size());
                return wrote;
            });
            if (!wrote) {
                return false; // the peer is gone: httplib drops the connection
            }
            if (!more) {
                sink.done(); // the last chunk
            }
            return true;
        },
        [ended = in.stream_ended](bool) {
            if (ended) {
                ended();
            }
        });
}

} // namespace

std::string RouteRequest::header(std::string_view name) const {
    return find_header(headers, name).value_or("");
}

bool RouteRequest::has_header(std::string_view name) const {
    return find_header(headers, name).has_value();
}

std::string RouteRequest::param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? "" : it->second;
}

bool RouteRequest::has_param(const std::string& name) const {
    return params.count(name) > 0;
}

void RouteResponse::set_header(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
}

void RouteResponse::set_content(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
}

void RouteResponse::redirect(std::string location, int code) {
    status = code;
    set_header("Location", std::move(location));
}

struct RouteServer::Impl {
    RouteServerOptions options;
    httplib::Server server;
    std::thread thread;
    std::atomic<bool> ended{false};

    // Runs `handler`; what it throws is answered by options.failed.
    void run(const RouteHandler& handler, const RouteRequest& request,
             httplib::Response& response) const {
        RouteResponse answer;
        try {
            handler(request, answer);
        } catch (const std::exception& error) {
            answer = RouteResponse{};
            options.failed(request, answer, error.what());
        }
        send(answer, response);
    }

    void refuse_body(BodyProblem problem, const RouteRequest& request,
                     httplib::Response& response) const {
        RouteResponse answer;
        options.bad_body(problem, request, answer);
        answer.set_header("Connection", "close");
        send(answer, response);
    }

    // A route whose body is read before the handler runs, max_body_bytes at most, and refused
    // (options.bad_body) when it cannot be.
    httplib::Server::HandlerWithContentReader with_body(RouteHandler handler) {
        return [this, handler = std::move(handler)](const httplib::Request& in,
                                                    httplib::Response& response,
                                                    const httplib::ContentReader& reader) {
            RouteRequest request = translated(in);
            if (in.is_multipart_form_data()) {
                refuse_body(BodyProblem::multipart, request, response);
                return;
            }
            const std::size_t limit = options.max_body_bytes;
            const bool read = reader([&](const char* data, std::size_t length) {
                request.body.append(data, length);
                return limit == 0 || request.body.size() <= limit;
            });
            if (!read) {
                // httplib answers 413 itself for a Content-Length over its limit.
                const bool large =
                    (limit != 0 && request.body.size() > limit) || response.status == 413;
                refuse_body(large ? BodyProblem::too_large : BodyProblem::unreadable, request,
                            response);
                return;
            }
            run(handler, request, response);
        };
    }
};

RouteServer::RouteServer(RouteServerOptions options) : m_impl(std::make_unique<Impl>()) {
    Impl& impl = *m_impl;
    impl.options = std::move(options);
    RouteServerOptions& o = impl.options;
    if (!o.not_found) {
        o.not_found = [](const RouteRequest&, RouteResponse& response) { response.status = 404; };
    }
    if (!o.bad_body) {
        o.bad_body = [](BodyProblem problem, const RouteRequest&, RouteResponse& response) {
            response.status = problem == BodyProblem::too_large   ? 413
                              : problem == BodyProblem::multipart ? 415
                                                                  : 400;
            response.set_content(problem == BodyProblem::too_large   ? "body too large\n"
                                 : problem == BodyProblem::multipart ? "multipart bodies are not "
                                                                       "read\n"
                                                                     : "body unreadable\n",
                                 "text/plain");
        };
    }
    if (!o.failed) {
        o.failed = [](const RouteRequest&, RouteResponse& response, const std::string&) {
            response.status = 500;
            response.set_content("internal error\n", "text/plain");
        };
    }

    httplib::Server& server = impl.server;
    const std::size_t threads = o.threads;
    const std::size_t max_threads = std::max(o.threads, o.max_threads);
    server.new_task_queue = [threads, max_threads] {
        return new DynamicPool(threads, max_threads);
    };
    // Without TCP_NODELAY small answers wait for the peer's delayed ACK (~40 ms).
    server.set_tcp_nodelay(true);
    server.set_read_timeout(o.read_timeout);
    server.set_write_timeout(o.write_timeout);
    server.set_keep_alive_timeout(o.keep_alive_timeout.count());
    if (o.max_body_bytes != 0) {
        server.set_payload_max_length(o.max_body_bytes);
    }
    if (o.before) {
        server.set_pre_routing_handler(
            [&impl](const httplib::Request& in, httplib::Response& response) {
                const RouteRequest request = translated(in);
                RouteResponse answer;
                if (!impl.options.before(request, answer)) {
                    return httplib::Server::HandlerResponse::Unhandled;
                }
                send(answer, response);
                return httplib::Server::HandlerResponse::Handled;
            });
    }
    // Cast: cpp-httplib 0.11 overloads set_error_handler, and a lambda matches both.
    server.set_error_handler(
        httplib::Server::Handler([&impl](const httplib::Request& in, httplib::Response& response) {
            // Only a request no route took; an answer a route gave (any status) stands.
            if (response.status == 404 && response.body.empty() &&
                !response.has_header("Content-Type")) {
                impl.run(impl.options.not_found, translated(in), response);
            }
        }));
    // Routes catch what their handlers throw (run()); this is for httplib's own failures.
    server.set_exception_handler([&impl](const httplib::Request& in, httplib::Response& response,
                                         const std::exception_ptr&) {
        RouteResponse answer;
        impl.options.failed(translated(in), answer, "exception in the HTTP server");
        send(answer, response);
    });
}

RouteServer::~RouteServer() {
    stop();
}

void RouteServer::add(Method method, const std::string& pattern, RouteHandler handler) {
    Impl& impl = *m_impl;
    if (method == Method::get) {
        impl.server.Get(pattern, [&impl, handler = std::move(handler)](
                                     const httplib::Request& in, httplib::Response& response) {
            impl.run(handler, translated(in), response);
        });
        return;
    }
    // httplib's registration of each method whose body is read (the overload that takes a
    // ContentReader).
    using BodyRoute = httplib::Server& (
        httplib::Server::*)(const std::string&, httplib::Server::HandlerWithContentReader);
    const std::pair<Method, BodyRoute> registrations[] = {{Method::post, &httplib::Server::Post},
                                                          {Method::put, &httplib::Server::Put},
                                                          {Method::patch, &httplib::Server::Patch},
                                                          {Method::del, &httplib::Server::Delete}};
    for (const auto& [registered, register_route] : registrations) {
        if (registered == method) {
            (impl.server.*register_route)(pattern, impl.with_body(std::move(handler)));
            return;
        }
    }
}

int RouteServer::bind(const std::string& host, int port) {
    httplib::Server& server = m_impl->server;
    if (port == 0) {
        const int bound = server.bind_to_any_port(host);
        return bound > 0 ? bound : 0;
    }
    return server.bind_to_port(host, port) ? port : 0;
}

void RouteServer::start() {
    Impl& impl = *m_impl;
    impl.ended = false;
    impl.thread = std::thread([&impl] {
        impl.server.listen_after_bind();
        impl.ended = true;
    });
    // cpp-httplib 0.11 has no wait_until_ready(): listen_after_bind() flips is_running() first.
    while (!impl.server.is_running() && !impl.ended) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

void RouteServer::stop() {
    Impl& impl = *m_impl;
    if (impl.thread.joinable()) {
        impl.server.stop();
        impl.thread.join();
    }
}

bool RouteServer::running() const {
    return m_impl->thread.joinable() && !m_impl->ended;
}

} // namespace blandhook::http
