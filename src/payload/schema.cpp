#include "payload/schema.hpp"

#include "embed/embedded.hpp"
#include "payload/json.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
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

struct Node {
    unsigned types = k_any;
    std::vector<std::pair<std::string, const Node*>> properties; // sorted by name
    std::vector<std::string> required;
    const Node* items = nullptr;
    std::vector<SchemaJson> enum_values;
    bool has_enum = false;
    std::optional<SchemaJson> const_value;
    std::optional<double> minimum;
    std::optional<double> maximum;
    std::vector<SchemaJson> known_values;
    bool has_known_values = false;
    bool warn_on_drift = false;
    const Node* ref = nullptr;
    std::vector<const Node*> all_of;
    const Node* if_schema = nullptr;
    const Node* then_schema = nullptr;
    const Node* else_schema = nullptr;
    std::optional<Severity> severity;
    std::string message;
};

class CompileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

const std::set<std::string, std::less<>> k_annotations = {
    "$schema", "$id", "$comment", "$defs", "title", "description", "examples", "default", "format",
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

    void compile(const SchemaJson& schema, Node& node, const std::string& file,
                 const std::string& where) {
        if (!schema.is_object()) {
            throw CompileError(where + ": a schema must be an object");
        }
        for (const auto& [keyword, value] : schema.items()) {
            const std::string at = where + "/" + keyword;
            if (k_annotations.count(keyword) != 0) {
                continue; // shown to readers of the schema, never checked
            }
            if (keyword == "type") {
                node.types = 0;
                if (value.is_array()) {
                    for (const auto& name : value) {
                        node.types |= type_bit(name, at);
                    }
                } else {
                    node.types = type_bit(value, at);
                }
            } else if (keyword == "properties") {
                for (const auto& [name, child] : value.items()) {
                    node.properties.emplace_back(name, sub(child, file, at + "/" + name));
                }
                std::sort(node.properties.begin(), node.properties.end(),
                          [](const auto& a, const auto& b) { return a.first < b.first; });
            } else if (keyword == "required") {
                node.required = value.get<std::vector<std::string>>();
            } else if (keyword == "items") {
                node.items = sub(value, file, at);
            } else if (keyword == "enum") {
                node.has_enum = true;
                node.enum_values = value.get<std::vector<SchemaJson>>();
            } else if (keyword == "const") {
                node.const_value = value;
            } else if (keyword == "minimum") {
                node.minimum = value.get<double>();
            } else if (keyword == "maximum") {
                node.maximum = value.get<double>();
            } else if (keyword == "x-known-values") {
                node.has_known_values = true;
                node.known_values = value.get<std::vector<SchemaJson>>();
            } else if (keyword == "x-drift") {
                if (value != "warn" && value != "ignore") {
                    throw CompileError(at + ": x-drift must be \"warn\" or \"ignore\"");
                }
                node.warn_on_drift = value == "warn";
            } else if (keyword == "x-severity") {
                if (value != "error" && value != "warning") {
                    throw CompileError(at + ": x-severity must be \"error\" or \"warning\"");
                }
                node.severity = value == "error" ? Severity::error : Severity::warning;
            } else if (keyword == "x-message") {
                node.message = value.get<std::string>();
            } else if (keyword == "allOf") {
                int i = 0;
                for (const auto& child : value) {
                    node.all_of.push_back(sub(child, file, at + "/" + std::to_string(i++)));
                }
            } else if (keyword == "if") {
                node.if_schema = sub(value, file, at);
            } else if (keyword == "then") {
                node.then_schema = sub(value, file, at);
            } else if (keyword == "else") {
                node.else_schema = sub(value, file, at);
            } else if (keyword == "$ref") {
                const auto target = value.get<std::string>();
                const auto hash = target.find('#');
                const std::string ref_file = hash == 0 ? file : target.substr(0, hash);
                const std::string pointer =
                    hash == std::string::npos ? std::string() : target.substr(hash + 1);
                node.ref = resolve(ref_file, pointer, at);
            } else {
                throw CompileError(at + ": keyword not supported by blandhook's validator");
            }
        }
    }
};

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

std::string_view type_name(element value) {
    switch (value.type()) {
    case element_type::ARRAY:
        return "array";
    case element_type::OBJECT:
        return "object";
    case element_type::INT64:
    case element_type::UINT64:
        return "integer";
    case element_type::DOUBLE:
        return "number";
    case element_type::STRING:
        return "string";
    case element_type::BOOL:
        return "boolean";
    case element_type::NULL_VALUE:
        break;
    }
    return "null";
}

unsigned type_bits(element value) {
    switch (value.type()) {
    case element_type::ARRAY:
        return k_array;
    case element_type::OBJECT:
        return k_object;
    case element_type::INT64:
    case element_type::UINT64:
        return k_number | k_integer;
    case element_type::DOUBLE: {
        // JSON Schema: 2.0 is an integer.
        double number = 0.5;
        if (value.get_double().get(number) != simdjson::SUCCESS) {
            return k_number;
        }
        return std::floor(number) == number && std::isfinite(number) ? k_number | k_integer
                                                                     : k_number;
    }
    case element_type::STRING:
        return k_string;
    case element_type::BOOL:
        return k_boolean;
    case element_type::NULL_VALUE:
        break;
    }
    return k_null;
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
    case element_type::DOUBLE:
        return expected.is_number() && expected.get<double>() == *number_of(value);
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

std::string list_text(const std::vector<SchemaJson>& values) {
    std::string text;
    for (const auto& value : values) {
        text += text.empty() ? "" : ", ";
        text += value.dump();
    }
    return text;
}

void append_pointer_token(std::string& pointer, std::string_view token) {
    pointer.push_back('/');
    for (char c : token) {
        if (c == '~') {
            pointer += "~0";
        } else if (c == '/') {
            pointer += "~1";
        } else {
            pointer.push_back(c);
        }
    }
}

// One step of the path from the root to the value being checked: a key, or an array index.
// The RFC 6901 pointer text is only built when a finding is reported (the hot path finds none).
struct Step {
    std::string_view key;
    std::size_t index = k_no_index;
    static constexpr std::size_t k_no_index = static_cast<std::size_t>(-1);
};

// Walks a value against a node. In probe mode (an `if`) it only records whether the value fails.
class Checker {
public:
    explicit Checker(std::vector<Finding>* findings) : m_findings(findings) {}

    bool failed() const { return m_failed; }

    void check(const Node& node, element value) {
        if (m_findings == nullptr && m_failed) {
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
        check_keywords(node, value);
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
    std::vector<Step> m_path;
    bool m_failed = false;
    std::optional<Severity> m_severity;
    const std::string* m_message = nullptr;
    std::size_t m_omitted = 0;
    std::size_t m_omitted_errors = 0;

    std::string pointer() const {
        std::string text;
        for (const Step& step : m_path) {
            if (step.index == Step::k_no_index) {
                append_pointer_token(text, step.key);
            } else {
                text += '/';
                text += std::to_string(step.index);
            }
        }
        return text;
    }

    // `assertion` findings fail a probe; annotations (unknown values, drift) never do. The
    // message is built by `message` only when the finding is kept.
    template <typename MakeMessage>
    void report(Severity severity, bool assertion, const MakeMessage& message) {
        if (assertion) {
            m_failed = true;
        }
        if (m_findings == nullptr) {
            return;
        }
        if (m_severity) {
            severity = *m_severity;
        }
        if (m_findings->size() >= k_max_findings) {
            ++m_omitted;
            m_omitted_errors += severity == Severity::error ? 1 : 0;
            return;
        }
        m_findings->push_back(
            {pointer(), severity, m_message != nullptr ? *m_message : std::string(message())});
    }

    void check_keywords(const Node& node, element value) {
        if (node.ref != nullptr) {
            check(*node.ref, value);
        }
        if ((type_bits(value) & node.types) == 0) {
            report(Severity::error, true, [&] {
                return "expected " + types_text(node.types) + ", got " +
                       std::string(type_name(value));
            });
            return; // the other keywords would only repeat the type error
        }
        if (node.has_enum && std::none_of(node.enum_values.begin(), node.enum_values.end(),
                                          [&](const auto& e) { return equals(value, e); })) {
            report(Severity::error, true, [&] {
                return value_text(value) + " is not one of " + list_text(node.enum_values);
            });
        }
        if (node.const_value && !equals(value, *node.const_value)) {
            report(Severity::error, true, [&] {
                return "expected " + node.const_value->dump() + ", got " + value_text(value);
            });
        }
        if (node.has_known_values &&
            std::none_of(node.known_values.begin(), node.known_values.end(),
                         [&](const auto& e) { return equals(value, e); })) {
            report(Severity::warning, false, [&] {
                return "unknown value " + value_text(value) +
                       " (documented: " + list_text(node.known_values) + ")";
            });
        }
        if (node.minimum || node.maximum) {
            if (const auto number = number_of(value)) {
                if (node.minimum && *number < *node.minimum) {
                    report(Severity::error, true, [&] {
                        return value_text(value) + " is below the minimum " +
                               js_number(*node.minimum);
                    });
                }
                if (node.maximum && *number > *node.maximum) {
                    report(Severity::error, true, [&] {
                        return value_text(value) + " is above the maximum " +
                               js_number(*node.maximum);
                    });
                }
            }
        }
        const auto type = value.type();
        simdjson::dom::object object;
        if (type == element_type::OBJECT && value.get_object().get(object) == simdjson::SUCCESS) {
            check_object(node, object);
        } else if (type == element_type::ARRAY && node.items != nullptr) {
            simdjson::dom::array array;
            if (value.get_array().get(array) == simdjson::SUCCESS) {
                std::size_t index = 0;
                for (element item : array) {
                    m_path.push_back({{}, index++});
                    check(*node.items, item);
                    m_path.pop_back();
                }
            }
        }
        for (const Node* rule : node.all_of) {
            check(*rule, value);
        }
        if (node.if_schema != nullptr) {
            Checker probe(nullptr);
            probe.check(*node.if_schema, value);
            const Node* branch = probe.failed() ? node.else_schema : node.then_schema;
            if (branch != nullptr) {
                check(*branch, value);
            }
        }
    }

    void check_object(const Node& node, simdjson::dom::object object) {
        for (const auto& name : node.required) {
            if (object.at_key(name).error() != simdjson::SUCCESS) {
                m_path.push_back({name});
                report(Severity::error, true,
                       [&] { return "missing required field \"" + name + "\""; });
                m_path.pop_back();
            }
        }
        if (node.properties.empty() && !node.warn_on_drift) {
            return;
        }
        for (auto field : object) {
            const auto it = std::lower_bound(
                node.properties.begin(), node.properties.end(), field.key,
                [](const auto& property, std::string_view key) { return property.first < key; });
            const bool known = it != node.properties.end() && it->first == field.key;
            if (!known && !node.warn_on_drift) {
                continue;
            }
            m_path.push_back({field.key});
            if (known) {
                check(*it->second, field.value);
            } else {
                report(Severity::warning, false, [&] {
                    return "unknown field \"" + std::string(field.key) +
                           "\", not in the documented schema (vendor drift?)";
                });
            }
            m_path.pop_back();
        }
    }
};

std::vector<Finding> run(const SchemaSet& set, std::string_view file, element value) {
    std::vector<Finding> findings;
    if (!set.error.empty()) {
        findings.push_back({"", Severity::error, "invalid schema: " + set.error});
        return findings;
    }
    const auto root = set.roots.find(file);
    if (root == set.roots.end()) {
        return findings;
    }
    Checker checker(&findings);
    checker.check(*root->second, value);
    checker.finish();
    return findings;
}

} // namespace

void validate(Kind kind, element value, std::vector<Finding>& findings) {
    if (kind == Kind::unknown) {
        return;
    }
    auto found = run(embedded_set(), std::string(kind_name(kind)) + ".json", value);
    findings.insert(findings.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
}

std::string compile_check(const std::vector<std::pair<std::string, std::string>>& files) {
    return build(files).error;
}

std::vector<Finding> validate_with(const std::vector<std::pair<std::string, std::string>>& files,
                                   std::string_view file, element value) {
    return run(build(files), file, value);
}

} // namespace blandhook::payload::schema
