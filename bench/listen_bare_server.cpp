// The cpp-httplib ceiling for bench/listen.sh: the same library and server settings as
// `blandhook listen` (TCP_NODELAY, a pool that does not starve, long keep-alive), a handler that
// reads the body and keeps nothing. Build: g++ -O2 -std=c++20 listen_bare_server.cpp -lcpp-httplib
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
    const int port = argc > 1 ? std::atoi(argv[1]) : 0;
    httplib::Server server;
    const unsigned threads = std::max(64u, std::thread::hardware_concurrency());
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(10'000);
    server.set_payload_max_length(10u << 20);
    auto handler = [](const httplib::Request& request, httplib::Response& response) {
        // The body has been read by httplib; look at it so the read cannot be optimised away.
        response.set_content(request.body.empty() ? "{}" : "{\"ok\":true}", "application/json");
    };
    server.Post(".*", handler);
    server.Get(".*", handler);
    const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1")
                                : (server.bind_to_port("127.0.0.1", port) ? port : -1);
    if (bound <= 0) {
        std::perror("bind");
        return 1;
    }
    std::printf("listening on http://127.0.0.1:%d\n", bound);
    std::fflush(stdout);
    server.listen_after_bind();
    return 0;
}
