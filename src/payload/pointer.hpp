#pragma once
// JSON pointers (RFC 6901) and a structural diff over payload::Json: what replay's --set writes
// through, what --ignore and --expect-state address, and what an oracle reports when two states
// differ ("/citations: expected […], got absent").
#include "payload/json.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace blandhook::payload {

/// The unescaped tokens of `pointer`: "" gives none, "/a~1b/0" gives {"a/b", "0"}. A pointer
/// that does not start with '/' is read as if it did.
std::vector<std::string> pointer_tokens(std::string_view pointer);

/// `token` escaped for a pointer ('~' as ~0, '/' as ~1), without the leading '/'.
std::string escape_pointer_token(std::string_view token);

/// The value at `pointer` in `document`, or nullptr when nothing is there. Array tokens must be
/// decimal indexes without leading zeros.
const Json* find_pointer(const Json& document, std::string_view pointer);

/// Removes every value `pattern` names. A token "*" matches every member of an object or element
/// of an array (e.g. "/rows/*/id"). Names that lead nowhere are ignored. Removing the whole
/// document ("") leaves null.
void erase_pointer(Json& document, std::string_view pattern);

/// Replaces every occurrence of `from` by `to` in every string of `document`, object keys
/// included.
void replace_in_strings(Json& document, const std::string& from, const std::string& to);

/// One place where two documents differ; a null side is absent there.
struct Difference {
    std::string pointer; ///< "" for the whole document
    const Json* left = nullptr;
    const Json* right = nullptr;
};

/// Where `left` and `right` differ, depth first, object members compared by name whatever their
/// order, arrays by index; at most `limit` differences. Both documents must outlive the result.
std::vector<Difference> diff(const Json& left, const Json& right, std::size_t limit = 100);

/// True when diff() would find nothing (object key order ignored).
bool same_json(const Json& left, const Json& right);

/// `value` as compact JSON, cut to `width` code points with "…" as a test diff shows it.
std::string shorten(const Json& value, std::size_t width = 60);
/// Text cut the same way.
std::string shorten_text(std::string_view text, std::size_t width = 60);

} // namespace blandhook::payload
