#pragma once
// The one error vocabulary of blandhook. Thrown only when a command cannot go on; caught once, in
// cli::run, which prints `blandhook: error: WHAT: DETAIL` (plus `hint: …`) and maps the kind to an
// exit code. A failed check (an expectation, a bad signature) is a result, never an Error.
#include <stdexcept>
#include <string>

namespace blandhook {

/// What went wrong; src/cli/exit_codes.hpp maps each kind to its documented exit code.
enum class ErrorKind {
    usage,    ///< the command line is wrong
    input,    ///< a file or stdin could not be read or parsed
    network,  ///< a target could not be reached
    timeout,  ///< a deadline passed before what we waited for came
    api,      ///< a remote API answered with an error
    internal, ///< a bug or an environment failure (disk full, …)
};

class Error : public std::runtime_error {
public:
    /// `what` names the thing that failed ("fixture", "listen", "--to"), `detail` says how.
    Error(ErrorKind kind, std::string what, std::string detail, std::string hint = {})
        : std::runtime_error(what + ": " + detail), m_kind(kind), m_what(std::move(what)),
          m_detail(std::move(detail)), m_hint(std::move(hint)) {}

    ErrorKind kind() const { return m_kind; }
    const std::string& subject() const { return m_what; }
    const std::string& detail() const { return m_detail; }
    const std::string& hint() const { return m_hint; }

private:
    ErrorKind m_kind;
    std::string m_what;
    std::string m_detail;
    std::string m_hint;
};

} // namespace blandhook
