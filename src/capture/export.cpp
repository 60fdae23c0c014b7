#include "capture/export.hpp"

#include "error.hpp"
#include "payload/json.hpp"
#include "payload/signature.hpp"
#include "util/text.hpp"

namespace blandhook::capture {
namespace {

// Not re-sent: hop-by-hop headers, what curl computes itself, and the old signature when a new
// one is computed.
bool skip_header(const std::string& name) {
    static const char* const k_names[] = {
        "host", "content-length", "connection", "keep-alive",       "transfer-encoding",
        "te",   "trailer",        "upgrade",    "proxy-connection", "expect"};
    for (const char* skip : k_names) {
        if (util::iequals_ascii(name, skip)) {
            return true;
        }
    }
    return false;
}

} // namespace

std::string shell_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out.push_back(c);
        }
    }
    return out + "'";
}

std::string curl_command(const Capture& capture, const std::string& url,
                         const std::string& secret) {
    std::string target = url;
    const std::size_t scheme = target.find("://");
    const bool has_path =
        scheme != std::string::npos && target.find('/', scheme + 3) != std::string::npos;
    if (!has_path) {
        target += capture.target();
    }
    std::string command;
    const bool text_body =
        is_valid_utf8(capture.body) && capture.body.find('\0') == std::string::npos;
    if (!capture.body.empty() && !text_body) {
        command += "printf %s " + shell_quote(base64_encode(capture.body)) + " | base64 -d | ";
    }
    command += "curl -sS -X " + shell_quote(capture.method) + " " + shell_quote(target);
    for (const Header& header : capture.headers) {
        if (skip_header(header.name)) {
            continue;
        }
        if (!secret.empty() && util::iequals_ascii(header.name, payload::k_signature_header)) {
            continue;
        }
        command += " \\\n  -H " + shell_quote(header.name + ": " + header.value);
    }
    if (!secret.empty()) {
        command += " \\\n  -H " + shell_quote(std::string(payload::k_signature_header) + ": " +
                                              payload::sign(secret, capture.body));
    }
    if (capture.body.empty()) {
        return command + "\n";
    }
    if (!text_body) {
        command += " \\\n  --data-binary @-";
    } else if (capture.body.front() == '@') {
        // --data-binary @name would send the file `name`; --data-raw never reads a file.
        command += " \\\n  --data-raw " + shell_quote(capture.body);
    } else {
        // --data-binary sends the bytes untouched (-d would strip line breaks).
        command += " \\\n  --data-binary " + shell_quote(capture.body);
    }
    return command + "\n";
}

std::string fixture_text(const Capture& capture) {
    payload::Json body;
    try {
        body = payload::parse_json(capture.body);
    } catch (const payload::JsonError& error) {
        throw Error(ErrorKind::input, "capture " + std::to_string(capture.id),
                    std::string("the body is not JSON (") + error.what() + ")",
                    "export it --as curl instead");
    }
    return payload::pretty_json(body, 2) + "\n";
}

} // namespace blandhook::capture
