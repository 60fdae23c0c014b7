#include "util/secret.hpp"

#include "error.hpp"
#include "util/files.hpp"

#include <cstdlib>

namespace blandhook::util {

std::string resolve_secret(const SecretInput& input, const SecretKind& kind) {
    if (!input.value.empty() && !input.file.empty()) {
        throw Error(ErrorKind::usage, std::string(kind.file_option),
                    "give " + std::string(kind.option) + " or " + std::string(kind.file_option) +
                        ", not both");
    }
    if (!input.value.empty()) {
        return input.value;
    }
    if (!input.file.empty()) {
        // The file's text is never echoed: a wrong file could hold anything.
        std::string secret = read_file(input.file, kind.file_option, ErrorKind::input,
                                       "give a file holding only the secret, e.g. made with "
                                       "'umask 077; printf %s \"$S\" > secret.txt'");
        if (!secret.empty() && secret.back() == '\n') {
            secret.pop_back();
            if (!secret.empty() && secret.back() == '\r') {
                secret.pop_back();
            }
        }
        if (secret.empty()) {
            throw Error(ErrorKind::input, std::string(kind.file_option),
                        input_name(input.file) + " is empty");
        }
        return secret;
    }
    const char* from_env = std::getenv(std::string(kind.env).c_str());
    return from_env != nullptr ? std::string(from_env) : std::string();
}

} // namespace blandhook::util
