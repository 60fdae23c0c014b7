#pragma once
// Loopback servers for the HTTP client and replay tests: an httplib server (plain or TLS) on
// 127.0.0.1 with a port the kernel picks, and a raw socket server that resets every connection.
#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace blandhook::test {

/// Runs `server` on 127.0.0.1:0 in a thread; stops and joins on destruction.
template <class ServerType = httplib::Server> class LoopbackServer {
public:
    template <class... Args>
    explicit LoopbackServer(Args&&... args)
        : m_server(std::make_unique<ServerType>(std::forward<Args>(args)...)) {}
    ~LoopbackServer() {
        if (m_thread.joinable()) {
            // stop() is a no-op until listen_after_bind() runs: wait for it.
            while (!m_server->is_running()) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            m_server->stop();
            m_thread.join();
        }
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    ServerType& server() { return *m_server; }

    /// Binds and starts serving; the socket listens on return, so clients may connect at once.
    void start() {
        m_server->set_tcp_nodelay(true);
        m_port = m_server->bind_to_any_port("127.0.0.1");
        if (m_port <= 0) {
            throw std::runtime_error("bind failed");
        }
        m_thread = std::thread([this] { m_server->listen_after_bind(); });
    }
    int port() const { return m_port; }
    std::string url(const std::string& path = "/") const {
        return std::string(std::is_same_v<ServerType, httplib::Server> ? "http" : "https") +
               "://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    std::unique_ptr<ServerType> m_server;
    std::thread m_thread;
    int m_port = 0;
};

/// A listening socket on 127.0.0.1 and a port the kernel picks (stored in `port`).
inline int listen_on_loopback(int& port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("bind failed");
    }
    port = ntohs(address.sin_port);
    return fd;
}

/// Accepts connections on 127.0.0.1:0, reads a little, then resets them (RST via SO_LINGER 0).
class ResettingServer {
public:
    ResettingServer() {
        m_fd = listen_on_loopback(m_port);
        m_thread = std::thread([this] {
            while (true) {
                int client = accept(m_fd, nullptr, nullptr);
                if (client < 0) {
                    return;
                }
                if (m_stopping) {
                    close(client);
                    return;
                }
                ++m_accepted;
                char buffer[512];
                [[maybe_unused]] auto n = read(client, buffer, sizeof buffer);
                linger hard{1, 0};
                setsockopt(client, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
                close(client);
            }
        });
    }
    ~ResettingServer() {
        m_stopping = true;
        shutdown(m_fd, SHUT_RDWR);
        close(m_fd);
        m_thread.join();
    }
    int port() const { return m_port; }
    int accepted() const { return m_accepted; }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_accepted{0};
    std::thread m_thread;
};

/// Accepts connections on 127.0.0.1:0 and reads each request; then, in `Mode::trickle`, answers
/// its status line and one header byte every 100 ms (for 20 s at most: far beyond any timeout the
/// tests set, so a client that waits for it all is seen to have waited), or in `Mode::silent`
/// never answers. Closes everything on destruction.
class SlowServer {
public:
    enum class Mode { trickle, silent };
    explicit SlowServer(Mode mode) : m_mode(mode) {
        m_fd = listen_on_loopback(m_port);
        m_thread = std::thread([this] {
            while (true) {
                const int client = accept(m_fd, nullptr, nullptr);
                if (client < 0 || m_stopping) {
                    if (client >= 0) {
                        close(client);
                    }
                    return;
                }
                m_clients.emplace_back([this, client] { serve(client); });
            }
        });
    }
    ~SlowServer() {
        m_stopping = true;
        shutdown(m_fd, SHUT_RDWR);
        close(m_fd);
        m_thread.join();
        for (auto& thread : m_clients) {
            thread.join();
        }
    }
    SlowServer(const SlowServer&) = delete;
    SlowServer& operator=(const SlowServer&) = delete;
    int requests() const { return m_requests; }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    void serve(int client) {
        std::string head;
        char buffer[4096];
        while (head.find("\r\n\r\n") == std::string::npos) {
            const auto n = read(client, buffer, sizeof buffer);
            if (n <= 0) {
                close(client);
                return;
            }
            head.append(buffer, static_cast<std::size_t>(n));
        }
        ++m_requests;
        if (m_mode == Mode::trickle) {
            send(client, "HTTP/1.1 200 OK\r\nX-Slow: ", 25, MSG_NOSIGNAL);
        }
        for (int tick = 0; tick < 200 && !m_stopping; ++tick) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (m_mode == Mode::trickle && send(client, "z", 1, MSG_NOSIGNAL) != 1) {
                break;
            }
        }
        if (m_mode == Mode::trickle) {
            send(client, "\r\nContent-Length: 0\r\n\r\n", 23, MSG_NOSIGNAL);
        }
        close(client);
    }

    Mode m_mode;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_requests{0};
    std::thread m_thread;
    std::vector<std::thread> m_clients;
};

/// A port nothing listens on: bound, never listened, closed.
inline int dead_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), length);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    close(fd);
    return ntohs(address.sin_port);
}

} // namespace blandhook::test
