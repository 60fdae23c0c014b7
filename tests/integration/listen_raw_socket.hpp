#pragma once
// A raw HTTP/1.1 client over a loopback socket for the listener's tests: it sends exactly the
// bytes given (hostile ones included) and reads one answer, always with a timeout.
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen/listener.hpp"

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

namespace blandhook::test {

struct RawAnswer {
    bool answered = false; ///< a status line came back
    int status = 0;
    std::string head; ///< status line and headers
    std::string body;
    bool closed = false; ///< the server closed the connection
};

/// What the request being answered was, as far as reading its answer goes.
enum class Asked { get_or_post, head };

class RawConnection {
public:
    explicit RawConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
        : m_timeout(timeout) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        timeval tv{static_cast<time_t>(timeout.count() / 1000),
                   static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        int yes = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~RawConnection() {
        if (m_ssl != nullptr) {
            SSL_free(m_ssl);
        }
        if (m_context != nullptr) {
            SSL_CTX_free(m_context);
        }
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }

    /// Starts TLS on the connection, verifying the server's certificate against `ca_file` for
    /// the address 127.0.0.1 (as a careful client does); false when the handshake or the
    /// verification fails. Later sends and reads go through TLS.
    bool start_tls(const std::string& ca_file) {
        m_context = SSL_CTX_new(TLS_client_method());
        if (m_context == nullptr ||
            SSL_CTX_load_verify_locations(m_context, ca_file.c_str(), nullptr) != 1) {
            return false;
        }
        SSL_CTX_set_verify(m_context, SSL_VERIFY_PEER, nullptr);
        m_ssl = SSL_new(m_context);
        SSL_set_fd(m_ssl, m_fd);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(m_ssl), "127.0.0.1");
        return SSL_connect(m_ssl) == 1 && SSL_get_verify_result(m_ssl) == X509_V_OK;
    }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return m_connected; }

    /// This side's port: the server sees the connection as 127.0.0.1:local_port().
    int local_port() const {
        sockaddr_in local{};
        socklen_t length = sizeof local;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&local), &length);
        return ntohs(local.sin_port);
    }

    /// Sends all of `bytes`; false when the peer closed or the send timed out.
    bool send(const std::string& bytes) {
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n =
                m_ssl != nullptr
                    ? SSL_write(m_ssl, bytes.data() + done, static_cast<int>(bytes.size() - done))
                    : ::send(m_fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// Half-closes the sending side (the server sees EOF).
    void finish_sending() { ::shutdown(m_fd, SHUT_WR); }

    /// Reads one answer: head, then Content-Length bytes (or until close); the answer to a HEAD
    /// request has no body whatever its Content-Length says.
    RawAnswer read_answer(Asked asked = Asked::get_or_post) {
        RawAnswer answer;
        std::size_t head_end = std::string::npos;
        while ((head_end = m_buffer.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) {
                answer.closed = true;
                return answer;
            }
        }
        answer.head = m_buffer.substr(0, head_end + 2);
        m_buffer.erase(0, head_end + 4);
        answer.answered = answer.head.rfind("HTTP/1.", 0) == 0;
        if (answer.answered && answer.head.size() > 12) {
            answer.status = std::atoi(answer.head.c_str() + 9);
        }
        std::optional<std::size_t> length;
        std::string lower = answer.head;
        for (char& c : lower) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
            length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
        }
        if (length && asked != Asked::head) {
            while (m_buffer.size() < *length) {
                if (!fill()) {
                    answer.closed = true;
                    break;
                }
            }
            answer.body = m_buffer.substr(0, std::min(*length, m_buffer.size()));
            m_buffer.erase(0, answer.body.size());
        }
        return answer;
    }

    /// Reads until `needle` has arrived; false when the server closes first or the connection's
    /// timeout passes (however much trickles in meanwhile: an event stream's keep-alives).
    bool read_until(const std::string& needle) {
        const auto deadline = std::chrono::steady_clock::now() + m_timeout;
        while (m_buffer.find(needle) == std::string::npos) {
            if (std::chrono::steady_clock::now() >= deadline || !fill()) {
                return false;
            }
        }
        return true;
    }
    /// What arrived and was not taken by read_answer().
    const std::string& received() const { return m_buffer; }

    /// True when the server closes the connection within the timeout (reads and drops data).
    bool closed_by_server() {
        while (fill()) {
        }
        return m_eof;
    }

private:
    bool fill() {
        char chunk[16384];
        errno = 0;
        const ssize_t n = m_ssl != nullptr ? SSL_read(m_ssl, chunk, sizeof chunk)
                                           : ::recv(m_fd, chunk, sizeof chunk, 0);
        // A close with our bytes still unread arrives as a reset rather than an end of stream:
        // closed all the same (a timeout is EAGAIN, which is not). Over TLS, a close without
        // close_notify is an error that is not a timeout either.
        if (n == 0 || (n < 0 && errno == ECONNRESET) ||
            (n < 0 && m_ssl != nullptr && errno != EAGAIN && errno != EWOULDBLOCK)) {
            m_eof = true;
        }
        if (n <= 0) {
            return false;
        }
        m_buffer.append(chunk, static_cast<std::size_t>(n));
        return true;
    }

    int m_fd = -1;
    SSL_CTX* m_context = nullptr;
    SSL* m_ssl = nullptr;
    bool m_connected = false;
    bool m_eof = false;
    std::chrono::milliseconds m_timeout;
    std::string m_buffer;
};

/// A complete POST request with a body and optional extra header lines ("Name: value\r\n").
inline std::string post_request(const std::string& target, const std::string& body,
                                const std::string& extra_headers = "") {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

/// A listener on 127.0.0.1 and a free port, logging to `log` ("" keeps captures in memory),
/// started.
inline std::unique_ptr<listen::Listener> start_listener(const std::string& log,
                                                        listen::ListenerOptions options = {}) {
    options.port = 0;
    options.store.path = log;
    auto listener = std::make_unique<listen::Listener>(options);
    listener->start();
    return listener;
}

/// Sends one request on a fresh connection and reads its answer.
inline RawAnswer round_trip(int port, const std::string& request,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    RawConnection connection(port, timeout);
    if (!connection.connected()) {
        return {};
    }
    connection.send(request);
    return connection.read_answer();
}

} // namespace blandhook::test
