#include "payload/schema.hpp"

#include "embed/embedded.hpp"
#include "payload/json.hpp"
#include "payload/pointer.hpp"
#include "util/enum_table.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>

namespace blandhook::payload::schema {

namespace {

using SchemaJson = nlohmann::json;
using simdjson::dom::element;
using simdjson::dom::element_type;

// JSON Schema's seven types as bits.
enum TypeBit : unsigned {
    k_null = 1,
    k_boolean = 2,
    k_object = 4,
    k_array = 8,
    k_number = 16,
    k_integer = 32,
    k_string = 64,
    k_any = 127,
};

// A value of enum, const or x-known-values, decoded once so that matching a value of the body
// needs no lookups in the schema's JSON; arrays and objects keep the JSON for a deep compare.
struct Literal {
    enum class Type { null, boolean, number, string, structured };
    Type type = Type::null;
    bool boolean = false;
    double number = 0;
    std::string text;
    SchemaJson json; // the value as written, for messages (and the deep compare)

    explicit Literal(SchemaJson value) : json(std::move(value)) {
        if (json.is_boolean()) {
            type = Type::boolean;
            boolean = json.get<bool>();
        } else if (json.is_number()) {
            type = Type::number;
            number = json.get<double>();
        } else if (json.is_string()) {
            type = Type::string;
            text = json.get<std::string>();
        } else if (!json.is_null()) {
            type = Type::structured;
        }
    }
};

std::vector<Literal> literals(const SchemaJson& values) {
    std::vector<Literal> out;
    for (const auto& value : values.get<std::vector<SchemaJson>>()) {
        out.emplace_back(value);
    }
    return out;
}

struct Node;

template <typename Word> Word load(const char* bytes) {
    Word word;
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

// a == b for the short keys and values of a body, inline: overlapping word loads, never a byte
// outside either string (a call to memcmp per property lookup cost more than the lookup).
inline bool same_text(std::string_view a, std::string_view b) {
    const std::size_t size = a.size();
    if (size != b.size()) {
        return false;
    }
    const char* x = a.data();
    const char* y = b.data();
    if (size >= 8) {
        for (std::size_t i = 0; i + 8 < size; i += 8) {
            if (load<std::uint64_t>(x + i) != load<std::uint64_t>(y + i)) {
                return false;
            }
        }
        return load<std::uint64_t>(x + size - 8) == load<std::uint64_t>(y + size - 8);
    }
    if (size >= 4) {
        return load<std::uint32_t>(x) == load<std::uint32_t>(y) &&
               load<std::uint32_t>(x + size - 4) == load<std::uint32_t>(y + size - 4);
    }
    for (std::size_t i = 0; i < size; ++i) {
        if (x[i] != y[i]) {
            return false;
        }
    }
    return true;
}

// The `properties` of a schema as an open-addressing hash table: a field of the body is looked
// up with a few byte loads, and most fields unknown to a small table (an `if` that looks at one
// field of fifty) are refused by their length alone. The hash samples the length and three bytes;
// a collision only costs one more slot to compare.
class Properties {
public:
    void assign(const std::vector<std::pair<std::string, const Node*>>& entries) {
        std::size_t bits = 1;
        while ((std::size_t{1} << bits) < 2 * entries.size()) {
            ++bits;
        }
        m_shift = 64 - static_cast<unsigned>(bits);
        m_slots.assign(std::size_t{1} << bits, Slot{});
        m_lengths = 0;
        for (const auto& [name, node] : entries) {
            m_lengths |= length_bit(name.size());
            std::size_t slot = hash(name);
            while (m_slots[slot].node != nullptr) {
                slot = (slot + 1) & (m_slots.size() - 1);
            }
            m_slots[slot] = {name, node};
        }
    }

    bool empty() const { return m_lengths == 0; }

    /// Replaces the schema of every property by `retarget(schema)`.
    template <typename Retarget> void retarget(const Retarget& retarget) {
        for (Slot& slot : m_slots) {
            if (slot.node != nullptr) {
                slot.node = retarget(slot.node);
            }
        }
    }

    /// The schema of property `key`, nullptr when the table has none.
    const Node* find(std::string_view key) const {
        if ((m_lengths & length_bit(key.size())) == 0) {
            return nullptr;
        }
        for (std::size_t i = hash(key);; i = (i + 1) & (m_slots.size() - 1)) {
            const Slot& slot = m_slots[i];
            if (slot.node == nullptr || same_text(slot.name, key)) {
                return slot.node;
            }
        }
    }

private:
    struct Slot {
        std::string name;
        const Node* node = nullptr; // nullptr: a free slot
    };

    std::uint64_t m_lengths = 0; // bit n: a name of n bytes (bit 63: 63 or more)
    unsigned m_shift = 63;
    std::vector<Slot> m_slots; // a power of two long, at most half full

    static std::uint64_t length_bit(std::size_t length) {
        return std::uint64_t{1} << std::min<std::size_t>(length, 63);
    }

    std::size_t hash(std::string_view key) const {
        std::uint64_t h = key.size();
        if (!key.empty()) {
            const auto byte = [&](std::size_t i) {
                return static_cast<std::uint64_t>(static_cast<unsigned char>(key[i]));
            };
            h = (h << 24) ^ (byte(0) << 16) ^ (byte(key.size() / 2) << 8) ^ byte(key.size() - 1);
        }
        return static_cast<std::size_t>((h * 0x9E3779B97F4A7C15ULL) >> m_shift);
    }
};

// A compiled schema. The members a check reads for every value come first, together.
struct Node {
    unsigned types = k_any;
    // Set once compiled, so that the checker skips what a node does not have.
    bool only_types = false;    // no keyword but type: most nodes of our schemas
    bool checks_value = false;  // enum, const, x-known-values, minimum or maximum
    bool checks_object = false; // required, properties or x-drift
    bool overrides = false;     // x-severity or x-message
    bool warn_on_drift = false;
    bool has_enum = false;
    bool has_known_values = false;
    const Node* ref = nullptr;
    const Node* items = nullptr;
    const Node* if_schema = nullptr;
    Properties properties;
    std::vector<const Node*> all_of;
    std::vector<std::string> required;
    const Node* then_schema = nullptr;
    const Node* else_schema = nullptr;
    std::vector<Literal> enum_values;
    std::optional<Literal> const_value;
    std::optional<double> minimum;
    std::optional<double> maximum;
    std::vector<Literal> known_values;
    std::optional<Severity> severity;
    std::string message;

    // Nothing but a $ref: checking it is checking its target.
    bool only_ref() const {
        return ref != nullptr && types == k_any && !checks_value && !checks_object && !overrides &&
               items == nullptr && all_of.empty() && if_schema == nullptr &&
               then_schema == nullptr && else_schema == nullptr;
    }
};

class CompileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Compiles every file of a schema set; $refs may point across files of the set.
class Compiler {
public:
    explicit Compiler(const std::vector<std::pair<std::string, std::string>>& files) {
        for (const auto& [name, text] : files) {
            try {
                m_documents.emplace(name, SchemaJson::parse(text));
            } catch (const nlohmann::json::exception& error) {
                throw CompileError(name + ": not JSON: " + error.what());
            }
        }
    }

    const Node* compile_file(const std::string& name) { return resolve(name, "", name); }

    std::deque<Node> take_nodes() { return std::move(m_nodes); }

private:
    std::map<std::string, SchemaJson> m_documents;
    std::map<std::string, Node*> m_compiled; // "file#pointer" -> node (also breaks $ref cycles)
    std::deque<Node> m_nodes;

    const Node* resolve(const std::string& file, const std::string& pointer,
                        const std::string& from) {
        const std::string key = file + "#" + pointer;
        if (const auto it = m_compiled.find(key); it != m_compiled.end()) {
            return it->second;
        }
        const auto document = m_documents.find(file);
        if (document == m_documents.end()) {
            throw CompileError(from + ": $ref to unknown schema file " + file);
        }
        const SchemaJson* schema = &document->second;
        if (!pointer.empty()) {
            try {
                schema = &document->second.at(SchemaJson::json_pointer(pointer));
            } catch (const nlohmann::json::exception&) {
                throw CompileError(from + ": $ref target " + key + " does not exist");
            }
        }
        Node& node = m_nodes.emplace_back();
        m_compiled.emplace(key, &node);
        compile(*schema, node, file, key);
        return &node;
    }

    const Node* sub(const SchemaJson& schema, const std::string& file, const std::string& where) {
        Node& node = m_nodes.emplace_back();
        compile(schema, node, file, where);
        return &node;
    }

    static unsigned type_bit(const SchemaJson& name, const std::string& where) {
        static const std::map<std::string, unsigned, std::less<>> k_types = {
            {"null", k_null},     {"boolean", k_boolean}, {"object", k_object}, {"array", k_array},
            {"number", k_number}, {"integer", k_integer}, {"string", k_string},
        };
        if (name.is_string()) {
            if (const auto it = k_types.find(name.get_ref<const std::string&>());
                it != k_types.end()) {
                return it->second;
            }
        }
        throw CompileError(where + ": unknown type " + name.dump());
    }

    // Where a keyword of a schema is being compiled: its file (for relative $refs) and its
    // location "file#/pointer/keyword" (for messages).
    struct Place {
        const std::string& file;
        const std::string& at;
    };

    using KeywordCompiler = void (Compiler::*)(const SchemaJson& value, Node& node,
                                               const Place& place);

    // One row per keyword the validator knows; no compiler: an annotation, shown to readers of
    // the schema and never checked.
    struct Keyword {
        std::string_view name;
        KeywordCompiler compile;
    };

    // The row of keyword `name`, nullptr when the validator does not know it.
    static const Keyword* keyword_named(std::string_view name) {
        static constexpr Keyword k_keywords[] = {
            {"$schema", nullptr},
            {"$id", nullptr},
            {"$comment", nullptr},
            {"$defs", nullptr},
            {"title", nullptr},
            {"description", nullptr},
            {"examples", nullptr},
            {"default", nullptr},
            {"format", nullptr},
            {"type", &Compiler::compile_type},
            {"properties", &Compiler::compile_properties},
            {"required", &Compiler::compile_required},
            {"items", &Compiler::compile_items},
            {"enum", &Compiler::compile_enum},
            {"const", &Compiler::compile_const},
            {"minimum", &Compiler::compile_minimum},
            {"maximum", &Compiler::compile_maximum},
            {"x-known-values", &Compiler::compile_known_values},
            {"x-drift", &Compiler::compile_drift},
            {"x-severity", &Compiler::compile_severity},
            {"x-message", &Compiler::compile_message},
            {"allOf", &Compiler::compile_all_of},
            {"if", &Compiler::compile_if},
            {"then", &Compiler::compile_then},
            {"else", &Compiler::compile_else},
            {"$ref", &Compiler::compile_ref},
        };
        const auto* row = std::ranges::find(k_keywords, name, &Keyword::name);
        return row == std::end(k_keywords) ? nullptr : row;
    }

    void compile(const SchemaJson& schema, Node& node, const std::string& file,
                 const std::string& where) {
        if (!schema.is_object()) {
            throw CompileError(where + ": a schema must be an object");
        }
        for (const auto& [keyword, value] : schema.items()) {
            std::string at = where;
            at += '/';
            at += keyword;
            const Keyword* row = keyword_named(keyword);
            if (row == nullptr) {
                throw CompileError(at + ": keyword not supported by blandhook's validator");
            }
            if (row->compile != nullptr) {
                (this->*row->compile)(value, node, Place{file, at});
            }
        }
        node.checks_value = node.has_enum || node.const_value || node.has_known_values ||
                            node.minimum || node.maximum;
        node.checks_object =
            !node.required.empty() || !node.properties.empty() || node.warn_on_drift;
        node.overrides = node.severity || !node.message.empty();
        node.only_types = node.ref == nullptr && !node.checks_value && !node.checks_object &&
                          !node.overrides && node.items == nullptr && node.all_of.empty() &&
                          node.if_schema == nullptr;
    }

    void compile_type(const SchemaJson& value, Node& node, const Place& place) {
        node.types = 0;
        if (value.is_array()) {
            for (const auto& name : value) {
                node.types |= type_bit(name, place.at);
            }
        } else {
            node.types = type_bit(value, place.at);
        }
    }

    void compile_properties(const SchemaJson& value, Node& node, const Place& place) {
        std::vector<std::pair<std::string, const Node*>> properties;
        for (const auto& [name, child] : value.items()) {
            std::string at = place.at;
            at += '/';
            at += name;
            properties.emplace_back(name, sub(child, place.file, at));
        }
        node.properties.assign(properties);
    }

    void compile_required(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.required = value.get<std::vector<std::string>>();
    }

    void compile_items(const SchemaJson& value, Node& node, const Place& place) {
        node.items = sub(value, place.file, place.at);
    }

    void compile_enum(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.has_enum = true;
        node.enum_values = literals(value);
    }

    void compile_const(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.const_value.emplace(value);
    }

    void compile_minimum(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.minimum = value.get<double>();
    }

    void compile_maximum(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.maximum = value.get<double>();
    }

    void compile_known_values(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.has_known_values = true;
        node.known_values = literals(value);
    }

    void compile_drift(const SchemaJson& value, Node& node, const Place& place) {
        if (value != "warn" && value != "ignore") {
            throw CompileError(place.at + R"(: x-drift must be "warn" or "ignore")");
        }
        node.warn_on_drift = value == "warn";
    }

    void compile_severity(const SchemaJson& value, Node& node, const Place& place) {
        if (value != "error" && value != "warning") {
            throw CompileError(place.at + R"(: x-severity must be "error" or "warning")");
        }
        node.severity = value == "error" ? Severity::error : Severity::warning;
    }

    void compile_message(const SchemaJson& value, Node& node, const Place& /*place*/) {
        node.message = value.get<std::string>();
    }

    void compile_all_of(const SchemaJson& value, Node& node, const Place& place) {
        int i = 0;
        for (const auto& child : value) {
            node.all_of.push_back(sub(child, place.file, place.at + "/" + std::to_string(i++)));
        }
    }

    void compile_if(const SchemaJson& value, Node& node, const Place& place) {
        node.if_schema = sub(value, place.file, place.at);
    }

    void compile_then(const SchemaJson& value, Node& node, const Place& place) {
        node.then_schema = sub(value, place.file, place.at);
    }

    void compile_else(const SchemaJson& value, Node& node, const Place& place) {
        node.else_schema = sub(value, place.file, place.at);
    }

    void compile_ref(const SchemaJson& value, Node& node, const Place& place) {
        const auto target = value.get<std::string>();
        const auto hash = target.find('#');
        const std::string ref_file = hash == 0 ? place.file : target.substr(0, hash);
        const std::string pointer =
            hash == std::string::npos ? std::string() : target.substr(hash + 1);
        node.ref = resolve(ref_file, pointer, place.at);
    }
};

// The node a check of `node` amounts to: past any chain of nodes that are nothing but a $ref
// (a chain that loops is left as it is).
const Node* past_refs(const Node* node) {
    const Node* target = node;
    for (int hops = 0; target != nullptr && target->only_ref(); ++hops) {
        if (hops == 64) {
            return node;
        }
        target = target->ref;
    }
    return target;
}

// Points every child of every node past bare $refs, once all nodes exist.
void skip_bare_refs(std::deque<Node>& nodes) {
    for (Node& node : nodes) {
        node.properties.retarget(past_refs);
        for (const Node** child :
             {&node.items, &node.ref, &node.if_schema, &node.then_schema, &node.else_schema}) {
            *child = past_refs(*child);
        }
        for (const Node*& rule : node.all_of) {
            rule = past_refs(rule);
        }
    }
}

struct SchemaSet {
    std::deque<Node> nodes;
    std::map<std::string, const Node*, std::less<>> roots; // file name -> root
    std::string error;
};

SchemaSet build(const std::vector<std::pair<std::string, std::string>>& files) {
    SchemaSet set;
    try {
        Compiler compiler(files);
        for (const auto& [name, text] : files) {
            set.roots.emplace(name, compiler.compile_file(name));
        }
        set.nodes = compiler.take_nodes();
        skip_bare_refs(set.nodes);
    } catch (const CompileError& error) {
        set.error = error.what();
        set.roots.clear();
    } catch (const nlohmann::json::exception& error) {
        set.error = error.what();
        set.roots.clear();
    }
    return set;
}

const SchemaSet& embedded_set() {
    static const SchemaSet set = [] {
        std::vector<std::pair<std::string, std::string>> files;
        for (const auto& file : embed::with_prefix("schemas/")) {
            files.emplace_back(std::string(file.name.substr(8)), std::string(file.data));
        }
        return build(files);
    }();
    return set;
}

// Each simdjson type: the JSON Schema type name a message shows, and the type bits it has.
struct ElementType {
    element_type value;
    std::string_view name;
    unsigned bits;
};
constexpr ElementType k_element_types[] = {
    {element_type::ARRAY, "array", k_array},
    {element_type::OBJECT, "object", k_object},
    {element_type::INT64, "integer", k_number | k_integer},
    {element_type::UINT64, "integer", k_number | k_integer},
    {element_type::DOUBLE, "number", k_number},
    {element_type::STRING, "string", k_string},
    {element_type::BOOL, "boolean", k_boolean},
    {element_type::NULL_VALUE, "null", k_null},
};

std::string_view type_name(element value) {
    return util::name_of(k_element_types, value.type(), "null");
}

unsigned type_bits(element value) {
    if (value.type() == element_type::DOUBLE) {
        // JSON Schema: 2.0 is an integer.
        double number = 0.5;
        if (value.get_double().get(number) == simdjson::SUCCESS && std::floor(number) == number &&
            std::isfinite(number)) {
            return k_number | k_integer;
        }
        return k_number;
    }
    const ElementType* type = util::row_of(k_element_types, value.type());
    return type != nullptr ? type->bits : k_null;
}

std::string types_text(unsigned types) {
    static const std::pair<unsigned, const char*> k_names[] = {
        {k_object, "object"}, {k_array, "array"},     {k_string, "string"}, {k_integer, "integer"},
        {k_number, "number"}, {k_boolean, "boolean"}, {k_null, "null"},
    };
    std::string text;
    for (const auto& [bit, name] : k_names) {
        if ((types & bit) != 0 && !(bit == k_integer && (types & k_number) != 0)) {
            text += text.empty() ? "" : " or ";
            text += name;
        }
    }
    return text;
}

std::optional<double> number_of(element value) {
    double number = 0;
    if (value.get_double().get(number) == simdjson::SUCCESS) {
        return number;
    }
    return std::nullopt;
}

bool equals(element value, const SchemaJson& expected) {
    switch (value.type()) {
    case element_type::NULL_VALUE:
        return expected.is_null();
    case element_type::BOOL:
        return expected.is_boolean() && expected.get<bool>() == value.get_bool().value_unsafe();
    case element_type::STRING: {
        std::string_view text;
        return expected.is_string() && value.get_string().get(text) == simdjson::SUCCESS &&
               expected.get_ref<const std::string&>() == text;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
        const auto number = number_of(value);
        return expected.is_number() && number && expected.get<double>() == *number;
    }
    case element_type::ARRAY: {
        if (!expected.is_array()) {
            return false;
        }
        simdjson::dom::array array;
        if (value.get_array().get(array) != simdjson::SUCCESS || array.size() != expected.size()) {
            return false;
        }
        std::size_t i = 0;
        for (element item : array) {
            if (!equals(item, expected[i++])) {
                return false;
            }
        }
        return true;
    }
    case element_type::OBJECT: {
        if (!expected.is_object()) {
            return false;
        }
        simdjson::dom::object object;
        if (value.get_object().get(object) != simdjson::SUCCESS ||
            object.size() != expected.size()) {
            return false;
        }
        for (auto field : object) {
            const auto it = expected.find(std::string(field.key));
            if (it == expected.end() || !equals(field.value, *it)) {
                return false;
            }
        }
        return true;
    }
    }
    return false;
}

std::string value_text(element value) {
    if (value.type() == element_type::STRING) {
        std::string_view text;
        if (value.get_string().get(text) == simdjson::SUCCESS) {
            return nlohmann::json(std::string(text)).dump();
        }
    }
    if (value.type() == element_type::ARRAY || value.type() == element_type::OBJECT) {
        return std::string(type_name(value));
    }
    return simdjson::minify(value);
}

std::string js_number(double value) {
    std::string text;
    write_js_number(text, value);
    return text;
}

std::string list_text(const std::vector<Literal>& values) {
    std::string text;
    for (const auto& value : values) {
        text += text.empty() ? "" : ", ";
        text += value.json.dump();
    }
    return text;
}

// Whether `value` equals `expected`, as `equals` decides, without reading the schema's JSON
// unless the literal is an array or an object.
bool matches(element value, const Literal& expected) {
    switch (value.type()) {
    case element_type::NULL_VALUE:
        return expected.type == Literal::Type::null;
    case element_type::BOOL:
        return expected.type == Literal::Type::boolean &&
               expected.boolean == value.get_bool().value_unsafe();
    case element_type::STRING: {
        std::string_view text;
        return expected.type == Literal::Type::string &&
               value.get_string().get(text) == simdjson::SUCCESS && same_text(expected.text, text);
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
        const auto number = number_of(value);
        return expected.type == Literal::Type::number && number && expected.number == *number;
    }
    case element_type::ARRAY:
    case element_type::OBJECT:
        return expected.type == Literal::Type::structured && equals(value, expected.json);
    }
    return false;
}

bool matches_any(element value, const std::vector<Literal>& expected) {
    return std::ranges::any_of(expected,
                               [&](const Literal& literal) { return matches(value, literal); });
}

// One step of the path from the root to the value being checked, a key or an array index,
// linked to the step before it on the C++ stack: descending costs no allocation, and the RFC 6901
// pointer text is only built when a finding is reported (the hot path finds none).
struct Step {
    const Step* parent = nullptr;
    std::string_view key;
    std::size_t index = k_no_index;
    static constexpr std::size_t k_no_index = static_cast<std::size_t>(-1);
};

std::string pointer_text(const Step* last) {
    std::vector<const Step*> steps;
    for (const Step* step = last; step != nullptr; step = step->parent) {
        steps.push_back(step);
    }
    std::ranges::reverse(steps);
    std::string text;
    for (const Step* step : steps) {
        if (step->index == Step::k_no_index) {
            text += '/';
            text += escape_pointer_token(step->key);
        } else {
            text += '/';
            text += std::to_string(step->index);
        }
    }
    return text;
}

bool has_key(simdjson::dom::object object, std::string_view key) {
    return std::ranges::any_of(object, [&](const simdjson::dom::key_value_pair& field) {
        return same_text(field.key, key);
    });
}

// Walks a value against a node, appending findings after those already in `findings`. In probe
// mode (an `if`, findings == nullptr) it only records whether the value fails, and stops at the
// first failure.
class Checker {
public:
    explicit Checker(std::vector<Finding>* findings)
        : m_findings(findings), m_first(findings != nullptr ? findings->size() : 0) {}

    bool failed() const { return m_failed; }

    void check(const Node& node, element value, const Step* path) {
        if (m_findings == nullptr && m_failed) {
            return;
        }
        if (node.only_types) {
            check_type(node, value, path);
            return;
        }
        if (!node.overrides) {
            check_keywords(node, value, path);
            return;
        }
        const auto saved_severity = m_severity;
        const auto saved_message = m_message;
        if (node.severity) {
            m_severity = node.severity;
        }
        if (!node.message.empty()) {
            m_message = &node.message;
        }
        check_keywords(node, value, path);
        m_severity = saved_severity;
        m_message = saved_message;
    }

    void finish() {
        if (m_findings != nullptr && m_omitted > 0) {
            m_findings->push_back({"", m_omitted_errors > 0 ? Severity::error : Severity::warning,
                                   std::to_string(m_omitted) + " more findings not listed"});
        }
    }

private:
    std::vector<Finding>* m_findings;
    std::size_t m_first; // findings before this check's own
    bool m_failed = false;
    std::optional<Severity> m_severity;
    const std::string* m_message = nullptr;
    std::size_t m_omitted = 0;
    std::size_t m_omitted_errors = 0;

    bool probe_failed() const { return m_findings == nullptr && m_failed; }

    // `assertion` findings fail a probe; annotations (unknown values, drift) never do. The
    // message is built by `message` only when the finding is kept.
    template <typename MakeMessage>
    void report(const Step* path, Severity severity, bool assertion, const MakeMessage& message) {
        if (assertion) {
            m_failed = true;
        }
        if (m_findings == nullptr) {
            return;
        }
        if (m_severity) {
            severity = *m_severity;
        }
        if (m_findings->size() - m_first >= k_max_findings) {
            ++m_omitted;
            m_omitted_errors += severity == Severity::error ? 1 : 0;
            return;
        }
        m_findings->push_back({pointer_text(path), severity,
                               m_message != nullptr ? *m_message : std::string(message())});
    }

    void check_keywords(const Node& node, element value, const Step* path) {
        if (node.ref != nullptr) {
            check(*node.ref, value, path);
        }
        if (!check_type(node, value, path)) {
            return; // the other keywords would only repeat the type error
        }
        if (node.checks_value) {
            check_value(node, value, path);
        }
        const auto type = value.type();
        if (type == element_type::OBJECT) {
            simdjson::dom::object object;
            if (node.checks_object && value.get_object().get(object) == simdjson::SUCCESS) {
                check_object(node, object, path);
            }
        } else if (type == element_type::ARRAY && node.items != nullptr) {
            simdjson::dom::array array;
            if (value.get_array().get(array) == simdjson::SUCCESS) {
                Step step{path, {}, 0};
                for (element item : array) {
                    if (probe_failed()) {
                        return;
                    }
                    check(*node.items, item, &step);
                    ++step.index;
                }
            }
        }
        for (const Node* rule : node.all_of) {
            check(*rule, value, path);
        }
        if (node.if_schema != nullptr) {
            Checker probe(nullptr);
            probe.check(*node.if_schema, value, path);
            const Node* branch = probe.failed() ? node.else_schema : node.then_schema;
            if (branch != nullptr) {
                check(*branch, value, path);
            }
        }
    }

    // Whether `value` has one of the node's types; reports when not.
    bool check_type(const Node& node, element value, const Step* path) {
        if (node.types == k_any || (type_bits(value) & node.types) != 0) {
            return true;
        }
        report(path, Severity::error, true, [&] {
            return "expected " + types_text(node.types) + ", got " + std::string(type_name(value));
        });
        return false;
    }

    void check_value(const Node& node, element value, const Step* path) {
        if (node.has_enum && !matches_any(value, node.enum_values)) {
            report(path, Severity::error, true, [&] {
                return value_text(value) + " is not one of " + list_text(node.enum_values);
            });
        }
        if (node.const_value && !matches(value, *node.const_value)) {
            report(path, Severity::error, true, [&] {
                return "expected " + node.const_value->json.dump() + ", got " + value_text(value);
            });
        }
        if (node.has_known_values && !matches_any(value, node.known_values)) {
            report(path, Severity::warning, false, [&] {
                return "unknown value " + value_text(value) +
                       " (documented: " + list_text(node.known_values) + ")";
            });
        }
        if (node.minimum || node.maximum) {
            if (const auto number = number_of(value)) {
                if (node.minimum && *number < *node.minimum) {
                    report(path, Severity::error, true, [&] {
                        return value_text(value) + " is below the minimum " +
                               js_number(*node.minimum);
                    });
                }
                if (node.maximum && *number > *node.maximum) {
                    report(path, Severity::error, true, [&] {
                        return value_text(value) + " is above the maximum " +
                               js_number(*node.maximum);
                    });
                }
            }
        }
    }

    void check_object(const Node& node, simdjson::dom::object object, const Step* path) {
        for (const auto& name : node.required) {
            if (!has_key(object, name)) {
                const Step step{path, name};
                report(&step, Severity::error, true,
                       [&] { return "missing required field \"" + name + "\""; });
            }
        }
        if (node.properties.empty() && !node.warn_on_drift) {
            return;
        }
        for (auto field : object) {
            if (probe_failed()) {
                return;
            }
            const Node* child = node.properties.find(field.key);
            if (child == nullptr && !node.warn_on_drift) {
                continue;
            }
            const Step step{path, field.key};
            if (child != nullptr) {
                check(*child, field.value, &step);
            } else {
                report(&step, Severity::warning, false, [&] {
                    return "unknown field \"" + std::string(field.key) +
                           "\", not in the documented schema (vendor drift?)";
                });
            }
        }
    }
};

// Appends the findings of `value` against `root` of `set` (none when the set has no such root).
void run(const SchemaSet& set, const Node* root, element value, std::vector<Finding>& findings) {
    if (!set.error.empty()) {
        findings.push_back({"", Severity::error, "invalid schema: " + set.error});
        return;
    }
    if (root == nullptr) {
        return;
    }
    Checker checker(&findings);
    checker.check(*root, value, nullptr);
    checker.finish();
}

const Node* root_of(const SchemaSet& set, std::string_view file) {
    const auto root = set.roots.find(file);
    return root == set.roots.end() ? nullptr : root->second;
}

} // namespace

void validate(Kind kind, element value, std::vector<Finding>& findings) {
    if (kind == Kind::unknown) {
        return;
    }
    // The embedded roots by kind, looked up by file name once rather than per body.
    static const auto k_roots = [] {
        std::array<const Node*, k_schema_kinds.size()> roots{};
        for (std::size_t i = 0; i < k_schema_kinds.size(); ++i) {
            roots.at(i) =
                root_of(embedded_set(), std::string(kind_name(k_schema_kinds.at(i))) + ".json");
        }
        return roots;
    }();
    const auto index =
        static_cast<std::size_t>(std::ranges::find(k_schema_kinds, kind) - k_schema_kinds.begin());
    run(embedded_set(), index < k_roots.size() ? k_roots.at(index) : nullptr, value, findings);
}

std::string compile_check(const std::vector<std::pair<std::string, std::string>>& files) {
    return build(files).error;
}

std::vector<Finding> validate_with(const std::vector<std::pair<std::string, std::string>>& files,
                                   std::string_view file, element value) {
    std::vector<Finding> findings;
    const SchemaSet set = build(files);
    run(set, root_of(set, file), value, findings);
    return findings;
}

} // namespace blandhook::payload::schema
