#include "replay/manifest.hpp"

#include "error.hpp"
#include "util/duration.hpp"
#include "util/files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace blandhook::replay {
namespace {

using nlohmann::json;

struct Context {
    std::string file;
    std::string where; ///< "defaults", "cases[2]"

    [[noreturn]] void fail(const std::string& detail) const {
        throw Error(ErrorKind::input, file, where + ": " + detail,
                    "see docs/replay.md, section \"Manifest\"");
    }
};

std::vector<std::string> strings(const json& value, const Context& context, const char* key) {
    std::vector<std::string> out;
    if (value.is_string()) {
        out.push_back(value.get<std::string>());
    } else if (value.is_array()) {
        for (const auto& item : value) {
            if (!item.is_string()) {
                context.fail(std::string("\"") + key + "\" must hold strings");
            }
            out.push_back(item.get<std::string>());
        }
    } else {
        context.fail(std::string("\"") + key + "\" must be a string or an array of strings");
    }
    return out;
}

StateCheck state_check(const std::string& text, const Context& context, const char* key) {
    try {
        return parse_state_check(text, key);
    } catch (const Error& error) {
        context.fail(error.detail() + (error.hint().empty() ? "" : " (" + error.hint() + ")"));
    }
}

// {"Name": "value", …} in its order; `key` names the object, `noun` one of its headers.
std::vector<std::pair<std::string, std::string>> header_pairs(const json& value,
                                                              const Context& context,
                                                              const std::string& key,
                                                              const std::string& noun) {
    if (!value.is_object()) {
        context.fail("\"" + key + "\" must be an object of NAME: VALUE");
    }
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& [header, header_value] : value.items()) {
        if (!header_value.is_string()) {
            context.fail(fmt::format(R"({} "{}" must be a string)", noun, header));
        }
        pairs.emplace_back(header, header_value.get<std::string>());
    }
    return pairs;
}

// "probe": "URL" or {"url"|"command", "headers", "settle"}.
std::shared_ptr<const ProbeSpec> probe_spec(const json& value, const Context& context) {
    ProbeSpec probe;
    if (value.is_string()) {
        probe.url = value.get<std::string>();
    } else if (value.is_object()) {
        for (const auto& [name, item] : value.items()) {
            if ((name == "url" || name == "command" || name == "settle") && !item.is_string()) {
                context.fail("\"probe." + name + "\" must be a string");
            }
            if (name == "url") {
                probe.url = item.get<std::string>();
            } else if (name == "command") {
                probe.command = item.get<std::string>();
            } else if (name == "settle") {
                try {
                    probe.settle = util::parse_duration(item.get<std::string>(), "probe.settle");
                } catch (const Error& error) {
                    context.fail(error.detail());
                }
            } else if (name == "headers") {
                for (auto& [header, header_value] :
                     header_pairs(item, context, "probe.headers", "probe header")) {
                    probe.headers.push_back({std::move(header), std::move(header_value)});
                }
            } else {
                context.fail("unknown key \"" + name +
                             "\" in \"probe\" (url, command, headers, "
                             "settle)");
            }
        }
    } else {
        context.fail("\"probe\" must be a URL or an object {\"url\"|\"command\", \"headers\", "
                     "\"settle\"}");
    }
    try {
        check_probe_spec(probe);
    } catch (const Error& error) {
        context.fail("\"probe\": " + error.detail());
    }
    return std::make_shared<const ProbeSpec>(std::move(probe));
}

Expectation expectation(const json& value, const Context& context, const char* key) {
    Expectation result;
    auto add_status = [&](const json& status) {
        if (status.is_number_integer()) {
            int code = status.get<int>();
            result.statuses.emplace_back(code, code);
        } else if (status.is_string()) {
            try {
                parse_statuses(status.get<std::string>(), result.statuses, key);
            } catch (const Error& error) {
                context.fail(error.detail());
            }
        } else {
            context.fail(fmt::format(R"("{}.status" must be 200, "2xx" or a list)", key));
        }
    };
    if (value.is_number() || value.is_string() || value.is_array()) {
        // "expect": 200 is short for "expect": {"status": 200}.
        if (value.is_array()) {
            for (const auto& status : value) {
                add_status(status);
            }
        } else {
            add_status(value);
        }
        return result;
    }
    if (!value.is_object()) {
        context.fail(std::string("\"") + key + "\" must be an object");
    }
    for (const auto& [name, item] : value.items()) {
        if (name == "status") {
            if (item.is_array()) {
                for (const auto& status : item) {
                    add_status(status);
                }
            } else {
                add_status(item);
            }
        } else if (name == "body_contains") {
            result.body_contains = strings(item, context, "body_contains");
        } else if (name == "answer") {
            for (const auto& text : strings(item, context, "answer")) {
                result.answer.push_back(state_check(text, context, "expect.answer"));
            }
        } else if (name == "headers") {
            for (auto& [header, header_value] :
                 header_pairs(item, context, "expect.headers", "expected header")) {
                result.headers.push_back({std::move(header), std::move(header_value)});
            }
        } else {
            context.fail(std::string("unknown key \"") + name + "\" in \"" + key +
                         "\" (status, body_contains, answer, headers)");
        }
    }
    if (result.statuses.empty()) {
        result.statuses = accept_expectation().statuses;
    }
    return result;
}

// Applies the keys of `object` (the manifest's defaults or one case) on top of `spec`.
void apply(const json& object, CaseSpec& spec, const Context& context, bool is_case) {
    for (const auto& [key, value] : object.items()) {
        if (key == "scenario") {
            auto scenario =
                value.is_string() ? scenario_from_name(value.get<std::string>()) : std::nullopt;
            if (!scenario) {
                context.fail("\"scenario\" must be one of single, two-phase, out-of-order, "
                             "duplicate, signature-variants, bad-signature, no-signature");
            }
            spec.scenario = *scenario;
        } else if (key == "set") {
            if (!value.is_object()) {
                context.fail("\"set\" must be an object of PATH: VALUE");
            }
            for (const auto& [path, item] : value.items()) {
                Override override_ = parse_override(path + "=null");
                override_.value = payload::parse_json(item.dump());
                spec.overrides.push_back(std::move(override_));
            }
        } else if (key == "headers") {
            if (!value.is_object()) {
                context.fail("\"headers\" must be an object of NAME: VALUE");
            }
            for (const auto& [name, item] : value.items()) {
                if (!item.is_string()) {
                    context.fail("header \"" + name + "\" must be a string");
                }
                spec.headers.push_back({name, item.get<std::string>()});
            }
        } else if (key == "expect") {
            spec.accept = expectation(value, context, "expect");
        } else if (key == "expect_refusal") {
            spec.refuse = expectation(value, context, "expect_refusal");
        } else if (key == "probe") {
            spec.probe = probe_spec(value, context);
        } else if (key == "ignore") {
            spec.ignore = strings(value, context, "ignore");
        } else if (key == "expect_state") {
            spec.expect_state.clear();
            for (const auto& text : strings(value, context, "expect_state")) {
                spec.expect_state.push_back(state_check(text, context, "expect_state"));
            }
        } else if (is_case &&
                   (key == "name" || key == "input" || key == "inputs" || key == "scenarios")) {
            continue; // handled by the caller
        } else {
            context.fail("unknown key \"" + key + "\"");
        }
    }
}

// The keys beside "cases": the target, the defaults every case starts from, the run's checks.
void read_top_level(const json& root, const Context& context, Manifest& manifest,
                    CaseSpec& defaults) {
    for (const auto& [key, value] : root.items()) {
        if (key == "to") {
            if (!value.is_string()) {
                context.fail("\"to\" must be a URL string");
            }
            manifest.to = value.get<std::string>();
        } else if (key == "defaults") {
            if (!value.is_object()) {
                context.fail("\"defaults\" must be an object");
            }
            apply(value, defaults, Context{context.file, "defaults"}, false);
        } else if (key == "probe") {
            defaults.probe = probe_spec(value, context);
        } else if (key == "expect_latency") {
            manifest.expect_latency = strings(value, context, "expect_latency");
            for (const auto& check : manifest.expect_latency) {
                try {
                    parse_latency_check(check);
                } catch (const Error& error) {
                    context.fail(error.detail());
                }
            }
        } else if (key != "cases" && key != "$schema" && key != "description") {
            context.fail("unknown key \"" + key +
                         "\" (to, probe, expect_latency, defaults, cases)");
        }
    }
}

std::vector<Scenario> entry_scenarios(const json& entry, const Context& here, Scenario given) {
    auto many = entry.find("scenarios");
    if (many == entry.end()) {
        return {given};
    }
    std::vector<Scenario> scenarios;
    for (const auto& scenario_text : strings(*many, here, "scenarios")) {
        auto scenario = scenario_from_name(scenario_text);
        if (!scenario) {
            here.fail("unknown scenario \"" + scenario_text + "\"");
        }
        scenarios.push_back(*scenario);
    }
    return scenarios;
}

// One entry of "cases": a spec per scenario, a source per input and spec.
void add_case(const json& entry, const Context& here, const CaseSpec& defaults,
              const std::string& base_dir, Manifest& manifest) {
    if (!entry.is_object()) {
        here.fail("must be an object");
    }
    CaseSpec spec = defaults;
    apply(entry, spec, here, true);
    std::vector<std::string> inputs;
    if (auto input = entry.find("input"); input != entry.end()) {
        inputs = strings(*input, here, "input");
    } else if (auto many = entry.find("inputs"); many != entry.end()) {
        inputs = strings(*many, here, "inputs");
    } else {
        here.fail("needs \"input\": a fixture file, a directory, a built-in name or a log");
    }
    if (auto given = entry.find("name"); given != entry.end()) {
        if (!given->is_string()) {
            here.fail("\"name\" must be a string");
        }
        spec.name = given->get<std::string>();
    }
    const std::vector<Scenario> scenarios = entry_scenarios(entry, here, spec.scenario);
    for (Scenario scenario : scenarios) {
        CaseSpec one = spec;
        one.scenario = scenario;
        if (!one.name.empty() && (scenarios.size() > 1 || inputs.size() > 1)) {
            // Several tests from one entry: keep names apart in the report.
            one.name.clear();
        }
        manifest.specs.push_back(one);
        for (const auto& input : inputs) {
            manifest.sources.push_back({input, base_dir, manifest.specs.size() - 1});
        }
    }
}

} // namespace

Manifest parse_manifest(std::string_view text, const std::string& base_dir, const CaseSpec& base,
                        const std::string& name) {
    Context context{name, "top level"};
    json root = json::parse(text, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        context.fail("not a JSON object");
    }
    Manifest manifest;
    CaseSpec defaults = base;
    read_top_level(root, context, manifest, defaults);
    auto cases = root.find("cases");
    if (cases == root.end() || !cases->is_array() || cases->empty()) {
        context.fail("\"cases\" must be a non-empty array");
    }
    for (std::size_t i = 0; i < cases->size(); ++i) {
        add_case((*cases)[i], Context{name, "cases[" + std::to_string(i) + "]"}, defaults, base_dir,
                 manifest);
    }
    return manifest;
}

Manifest load_manifest(const std::string& path, const CaseSpec& base) {
    const std::string text = util::read_file(path, "--manifest");
    std::string base_dir = std::filesystem::path(path).parent_path().string();
    return parse_manifest(text, base_dir, base, path);
}

} // namespace blandhook::replay
