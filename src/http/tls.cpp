#include "http/tls.hpp"

#include "error.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <csignal>
#include <fstream>

namespace blandhook::http {
namespace {

std::string openssl_error() {
    char text[256] = "unknown OpenSSL error";
    if (const unsigned long code = ERR_get_error(); code != 0) {
        ERR_error_string_n(code, text, sizeof text);
    }
    ERR_clear_error();
    return text;
}

// Classifies the result of SSL_read/SSL_write.
TlsIo outcome(SSL* ssl, int result) {
    TlsIo io;
    if (result > 0) {
        io.bytes = static_cast<std::size_t>(result);
        return io;
    }
    switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
        io.want_read = true;
        break;
    case SSL_ERROR_WANT_WRITE:
        io.want_write = true;
        break;
    case SSL_ERROR_ZERO_RETURN:
        io.closed = true;
        break;
    default:
        // A handshake the client gave up on, a plain-http request on the TLS port, a reset:
        // the connection is dropped. The error queue is per thread: leave it empty.
        io.failed = true;
        ERR_clear_error();
        break;
    }
    return io;
}

} // namespace

struct TlsContext::Impl {
    SSL_CTX* context = nullptr;
};

TlsContext::TlsContext(const std::string& cert_file, const std::string& key_file)
    : m_impl(std::make_unique<Impl>()) {
    for (const std::string* file : {&cert_file, &key_file}) {
        if (!std::ifstream(*file)) {
            throw Error(ErrorKind::usage, "TLS", "cannot read " + *file);
        }
    }
    // OpenSSL writes to the socket with write(2): a peer gone mid-answer must cost an EPIPE, not
    // the process (plain http sends with MSG_NOSIGNAL).
    std::signal(SIGPIPE, SIG_IGN);
    m_impl->context = SSL_CTX_new(TLS_server_method());
    if (m_impl->context == nullptr) {
        throw Error(ErrorKind::internal, "TLS", openssl_error());
    }
    SSL_CTX* context = m_impl->context;
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // Answers are written from a std::string that may grow between two tries of one write.
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(context) != 1) {
        const std::string detail = openssl_error();
        SSL_CTX_free(context);
        m_impl->context = nullptr;
        throw Error(ErrorKind::usage, "TLS",
                    "cannot load the certificate or key (" + cert_file + ", " + key_file +
                        "): " + detail,
                    "both must be PEM files and the key must match the certificate");
    }
}

TlsContext::~TlsContext() {
    SSL_CTX_free(m_impl->context);
}

SSL* TlsContext::accept(int fd) const {
    SSL* ssl = SSL_new(m_impl->context);
    if (ssl == nullptr) {
        ERR_clear_error();
        return nullptr;
    }
    if (SSL_set_fd(ssl, fd) != 1) {
        ERR_clear_error();
        SSL_free(ssl);
        return nullptr;
    }
    SSL_set_accept_state(ssl);
    return ssl;
}

TlsIo tls_read(SSL* ssl, char* buffer, std::size_t size) {
    ERR_clear_error();
    const int want = static_cast<int>(std::min<std::size_t>(size, 1u << 30));
    return outcome(ssl, SSL_read(ssl, buffer, want));
}

TlsIo tls_write(SSL* ssl, const char* data, std::size_t size) {
    ERR_clear_error();
    const int want = static_cast<int>(std::min<std::size_t>(size, 1u << 30));
    return outcome(ssl, SSL_write(ssl, data, want));
}

std::size_t tls_pending(SSL* ssl) {
    const int pending = SSL_pending(ssl);
    return pending > 0 ? static_cast<std::size_t>(pending) : 0;
}

void tls_notify_close(SSL* ssl) {
    if (SSL_is_init_finished(ssl) == 1 && (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) == 0) {
        ERR_clear_error();
        SSL_shutdown(ssl); // non-blocking: close_notify goes out if the socket takes it
        ERR_clear_error();
    }
}

void tls_close(SSL* ssl) {
    if (ssl == nullptr) {
        return;
    }
    tls_notify_close(ssl);
    SSL_free(ssl);
}

} // namespace blandhook::http
