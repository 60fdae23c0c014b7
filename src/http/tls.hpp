#pragma once
// TLS for the wire server (listen --tls-cert/--tls-key): OpenSSL on non-blocking sockets, so
// that HTTPS connections run on the same event loops and through the same request parser as
// plain http. A connection's SSL object is used by one thread at a time, like the connection.
#include "util/non_copyable.hpp"

#include <cstddef>
#include <memory>
#include <string>

using SSL = struct ssl_st;

namespace blandhook::http {

/// The certificate and key every TLS connection of one listener is served with.
class TlsContext : util::NonCopyable {
public:
    /// Loads a PEM certificate chain and its private key. Throws blandhook::Error (usage) when a
    /// file cannot be read or the key does not match the certificate.
    TlsContext(const std::string& cert_file, const std::string& key_file);
    ~TlsContext();

    /// A server-side SSL object for the accepted socket `fd` (nullptr when OpenSSL fails).
    SSL* accept(int fd) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// What a non-blocking TLS read or write did.
struct TlsIo {
    std::size_t bytes = 0;
    bool want_read = false;  ///< nothing more until the socket is readable
    bool want_write = false; ///< nothing more until the socket is writable
    bool closed = false;     ///< the peer sent close_notify (reads) or the socket closed
    bool failed = false;     ///< a protocol or socket error: drop the connection
};

/// Reads decrypted bytes into `buffer`.
TlsIo tls_read(SSL* ssl, char* buffer, std::size_t size);
/// Encrypts and sends what it can of `data`.
TlsIo tls_write(SSL* ssl, const char* data, std::size_t size);
/// Decrypted bytes already buffered inside OpenSSL (epoll does not see them).
std::size_t tls_pending(SSL* ssl);
/// Sends close_notify (once, without waiting for the peer's), when the handshake is done.
void tls_notify_close(SSL* ssl);
/// tls_notify_close, then frees `ssl` (nullptr is fine).
void tls_close(SSL* ssl);

} // namespace blandhook::http
