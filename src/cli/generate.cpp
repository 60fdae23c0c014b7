#include "cli/generate.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/core.h>
#include <string>
#include <vector>

namespace blandhook::cli {
namespace {

// A plain model of the CLI11 tree, so that each generator is a simple walk over data and never
// depends on CLI11's internals twice.
struct OptionModel {
    std::vector<std::string> longs;  ///< "--port"
    std::vector<std::string> shorts; ///< "-p"
    std::string description;
    std::string value_name; ///< "PORT", empty for flags
    std::string env;        ///< environment variable that also sets it
    std::vector<std::string> choices;
    std::vector<std::string> words; ///< what completions offer: the choices, or suggestions
    bool takes_value = false;
    bool path = false;     ///< completes file names
    bool repeated = false; ///< may be given more than once
};

struct PositionalModel {
    std::string name; ///< "FILE"
    std::string description;
    std::vector<std::string> choices;
    std::vector<std::string> words; ///< what completions offer: the choices, or suggestions
    bool many = false;
    bool required = false;
    bool path = false;
};

struct CommandModel {
    std::vector<std::string> path; ///< {"fixtures", "validate"}; empty for the root
    std::string summary;
    std::string footer;
    std::vector<OptionModel> options;
    std::vector<PositionalModel> positionals;
    std::vector<CommandModel> children;

    std::string joined() const {
        std::string out;
        for (const auto& part : path) {
            out += (out.empty() ? "" : " ") + part;
        }
        return out;
    }
};

std::string upper(std::string text) {
    for (char& c : text) {
        c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return text;
}

// Path-taking options and arguments are recognised by a word of their type name (CLI::ExistingFile
// shows as FILE, ExistingDirectory as DIR, ExistingPath as PATH; or ->type_name("FILE")) or of
// their name (--out-file, --dir, --tls-cert, FILES). Whole words only: --pathway-id is no path.
bool looks_like_path(const std::string& type_name, const std::string& name) {
    static const std::vector<std::string> k_words = {"FILE", "FILES", "PATH",      "PATHS",
                                                     "DIR",  "DIRS",  "DIRECTORY", "CERT"};
    for (const std::string& text : {upper(type_name), upper(name)}) {
        std::string word;
        for (std::size_t i = 0; i <= text.size(); ++i) {
            if (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i])) != 0) {
                word += text[i];
                continue;
            }
            if (std::ranges::find(k_words, word) != k_words.end()) {
                return true;
            }
            word.clear();
        }
    }
    return false;
}

std::string value_name_for(const CLI::Option& option, const std::string& primary) {
    std::string type = option.get_type_name();
    type = type.substr(0, type.find(':'));
    static const std::vector<std::string> generic = {"",      "TEXT",   "INT",     "UINT",
                                                     "FLOAT", "NUMBER", "BOOLEAN", "ENUM"};
    if (std::ranges::find(generic, type) == generic.end() &&
        type.find_first_of("[]{}<> ") == std::string::npos) {
        return type;
    }
    return upper(primary);
}

CommandModel model_of(const CLI::App& app, std::vector<std::string> path) {
    CommandModel model;
    model.path = std::move(path);
    model.summary = app.get_description();
    model.footer = app.get_footer();

    for (const CLI::Option* option : app.get_options()) {
        if (option->get_group().empty()) {
            continue; // hidden
        }
        const int max_items = option->get_items_expected_max();
        if (!option->nonpositional()) {
            PositionalModel positional;
            positional.name = upper(option->get_name());
            positional.description = option->get_description();
            positional.choices = option_choices(option);
            positional.words =
                positional.choices.empty() ? option_suggestions(option) : positional.choices;
            positional.many = max_items > 1;
            positional.required = option->get_required();
            positional.path = positional.choices.empty() &&
                              looks_like_path(option->get_type_name(), option->get_name());
            model.positionals.push_back(std::move(positional));
            continue;
        }
        OptionModel out;
        for (const auto& name : option->get_lnames()) {
            out.longs.push_back("--" + name);
        }
        for (const auto& name : option->get_snames()) {
            out.shorts.push_back("-" + name);
        }
        out.description = option->get_description();
        out.env = option->get_envname();
        out.choices = option_choices(option);
        out.words = out.choices.empty() ? option_suggestions(option) : out.choices;
        out.takes_value = max_items > 0;
        out.repeated =
            max_items > 1 || option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
        if (out.takes_value) {
            const std::string primary = option->get_lnames().empty() ? option->get_snames().front()
                                                                     : option->get_lnames().front();
            out.value_name = value_name_for(*option, primary);
            out.path = out.choices.empty() && looks_like_path(option->get_type_name(), primary);
        }
        model.options.push_back(std::move(out));
    }

    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_group().empty()) {
            continue; // hidden, such as `manpage`
        }
        std::vector<std::string> sub_path = model.path;
        sub_path.push_back(sub->get_name());
        model.children.push_back(model_of(*sub, std::move(sub_path)));
    }
    return model;
}

template <typename Visit> void walk(const CommandModel& command, Visit&& visit) {
    visit(command);
    for (const auto& child : command.children) {
        walk(child, visit);
    }
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) {
            out += separator;
        }
        out += part;
    }
    return out;
}

std::vector<std::string> option_names(const OptionModel& option) {
    std::vector<std::string> names = option.longs;
    names.insert(names.end(), option.shorts.begin(), option.shorts.end());
    return names;
}

constexpr const char* k_regenerate = "build/blandhook completions";

// ---------------------------------------------------------------------------------------- bash

// The bash code completing the word in `word` ("$3"): the words, file names, both, or nothing.
std::string bash_action(const std::vector<std::string>& words, bool files, const char* word) {
    std::string action;
    if (files) {
        action = fmt::format("__blandhook_files \"{}\"", word);
    }
    if (!words.empty()) {
        action += fmt::format(R"({}COMPREPLY+=($(compgen -W "{}" -- "{}")))",
                              action.empty() ? "" : "; ", join(words, " "), word);
    }
    return action.empty() ? ":" : action;
}

// The case arms of the bash script's lookup functions, one line a command path or option.
struct BashTables {
    std::string subcommands, options, value_options, values, arguments;
};

BashTables bash_tables(const CommandModel& root) {
    BashTables tables;
    walk(root, [&tables](const CommandModel& command) {
        auto& [subcommands, options, value_options, values, arguments] = tables;
        const std::string key = command.joined();
        std::vector<std::string> names;
        names.reserve(command.children.size());
        for (const auto& child : command.children) {
            names.push_back(child.path.back());
        }
        if (!names.empty()) {
            subcommands += fmt::format("        \"{}\") echo \"{}\" ;;\n", key, join(names, " "));
        }
        std::vector<std::string> all, with_value;
        for (const auto& option : command.options) {
            for (const auto& name : option_names(option)) {
                all.push_back(name);
                if (option.takes_value) {
                    with_value.push_back(name);
                }
            }
            if (!option.takes_value) {
                continue;
            }
            const std::string action = bash_action(option.words, option.path, "$3");
            for (const auto& name : option_names(option)) {
                values += fmt::format("        \"{} {}\") {} ;;\n", key, name, action);
            }
        }
        if (!all.empty()) {
            options += fmt::format("        \"{}\") echo \"{}\" ;;\n", key, join(all, " "));
        }
        if (!with_value.empty()) {
            value_options +=
                fmt::format("        \"{}\") echo \"{}\" ;;\n", key, join(with_value, " "));
        }
        if (!command.positionals.empty()) {
            // The values of every positional are offered, and file names if one takes paths.
            std::vector<std::string> words;
            bool files = false;
            for (const auto& positional : command.positionals) {
                words.insert(words.end(), positional.words.begin(), positional.words.end());
                files = files || positional.path;
            }
            if (!words.empty() || files) {
                arguments +=
                    fmt::format("        \"{}\") {} ;;\n", key, bash_action(words, files, "$2"));
            }
        }
    });
    return tables;
}

// The bash script around the tables: {0} the regenerate command, {1}..{5} the BashTables.
constexpr std::string_view k_bash_script =
    R"SH(# bash completion for blandhook                              -*- shell-script -*-
# Generated from the command tree by `blandhook completions bash`. Do not edit: regenerate with
#   {0} bash > completions/blandhook.bash

# The subcommands of a command path ("" is the top level, "fixtures" the fixtures group).
__blandhook_subcommands() {{
    case "$1" in
{1}    esac
}}

# Every option of a command path.
__blandhook_options() {{
    case "$1" in
{2}    esac
}}

# The options of a command path that take a value: the next word is that value.
__blandhook_value_options() {{
    case "$1" in
{3}    esac
}}

__blandhook_files() {{
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$1"))
}}

# Completes the value "$3" of option "$2" of command path "$1".
__blandhook_option_value() {{
    case "$1 $2" in
{4}    esac
}}

# Completes the positional argument "$2" of command path "$1".
__blandhook_arguments() {{
    case "$1" in
{5}    esac
}}

_blandhook() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" word i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${{COMP_WORDS[i]}}"
        case "$word" in
        -*=*) ;;
        -*)
            if [[ " $(__blandhook_value_options "$path") " == *" $word "* ]]; then
                ((i += 1))
            fi
            ;;
        *)
            if [[ " $(__blandhook_subcommands "$path") " == *" $word "* ]]; then
                path="${{path:+$path }}$word"
            fi
            ;;
        esac
    done

    # An option's value: `--opt VALUE`, and `--opt=VALUE`, which bash splits at the `=`.
    local prev="" before=""
    ((COMP_CWORD >= 1)) && prev="${{COMP_WORDS[COMP_CWORD - 1]}}"
    ((COMP_CWORD >= 2)) && before="${{COMP_WORDS[COMP_CWORD - 2]}}"
    if [[ "$cur" == "=" && "$prev" == -* ]]; then
        __blandhook_option_value "$path" "$prev" ""
        return 0
    fi
    if [[ "$prev" == "=" && "$before" == -* ]]; then
        __blandhook_option_value "$path" "$before" "$cur"
        return 0
    fi
    if [[ "$prev" == -* && " $(__blandhook_value_options "$path") " == *" $prev "* ]]; then
        __blandhook_option_value "$path" "$prev" "$cur"
        return 0
    fi
    # `--opt=VALUE` as one word, when COMP_WORDBREAKS lacks `=`.
    if [[ "$cur" == --*=* ]]; then
        __blandhook_option_value "$path" "${{cur%%=*}}" "${{cur#*=}}"
        COMPREPLY=("${{COMPREPLY[@]/#/${{cur%%=*}}=}}")
        return 0
    fi

    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(__blandhook_options "$path")" -- "$cur"))
        return 0
    fi
    local subcommands
    subcommands="$(__blandhook_subcommands "$path")"
    if [[ -n "$subcommands" ]]; then
        COMPREPLY=($(compgen -W "$subcommands" -- "$cur"))
    else
        __blandhook_arguments "$path" "$cur"
    fi
    return 0
}}

complete -F _blandhook blandhook
)SH";

std::string bash_script(const CommandModel& root) {
    const BashTables tables = bash_tables(root);
    return fmt::format(k_bash_script, k_regenerate, tables.subcommands, tables.options,
                       tables.value_options, tables.values, tables.arguments);
}

// ----------------------------------------------------------------------------------------- zsh

// Text inside a single-quoted _arguments spec, within [ ] or after a `:`.
std::string zsh_escape(const std::string& text) {
    std::string out;
    for (char c : first_line(text)) {
        if (c == '\'') {
            out += "'\\''";
        } else if (c == '[' || c == ']' || c == ':' || c == '\\') {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

std::string zsh_function_name(const CommandModel& command) {
    std::string name = "_blandhook";
    for (const auto& part : command.path) {
        name += "_" + part;
    }
    std::ranges::replace(name, '-', '_');
    return name;
}

std::string zsh_action(const std::vector<std::string>& words, bool path) {
    if (!words.empty() && path) {
        return "{_files; compadd -- " + join(words, " ") + "}";
    }
    if (!words.empty()) {
        return "(" + join(words, " ") + ")";
    }
    return path ? "_files" : " ";
}

std::string zsh_option_specs(const CommandModel& command) {
    std::string specs;
    for (const auto& option : command.options) {
        const std::vector<std::string> names = option_names(option);
        // Names of one option exclude each other; help and version end the command line.
        std::string exclusion;
        const bool terminal = option.longs == std::vector<std::string>{"--help"} ||
                              option.longs == std::vector<std::string>{"--version"};
        if (terminal) {
            exclusion = "(- *)";
        } else if (names.size() > 1 && !option.repeated) {
            exclusion = "(" + join(names, " ") + ")";
        }
        for (const auto& name : names) {
            std::string spec = fmt::format("{}{}{}", exclusion, option.repeated ? "*" : "", name);
            if (option.takes_value && name.starts_with("--")) {
                spec += "=";
            }
            spec += "[" + zsh_escape(option.description) + "]";
            if (option.takes_value) {
                spec += ":" + zsh_escape(option.value_name) + ":" +
                        zsh_action(option.words, option.path);
            }
            specs += fmt::format(" \\\n        '{}'", spec);
        }
    }
    return specs;
}

void zsh_function(const CommandModel& command, std::string& out) {
    const std::string name = zsh_function_name(command);
    std::string specs = zsh_option_specs(command);
    if (command.children.empty()) {
        int index = 1;
        for (const auto& positional : command.positionals) {
            const std::string position = positional.many ? "*" : std::to_string(index++);
            const std::string optional = positional.required || positional.many ? "" : ":";
            specs += fmt::format(" \\\n        '{}{}:{}:{}'", position, optional,
                                 zsh_escape(positional.name),
                                 zsh_action(positional.words, positional.path));
        }
        out += fmt::format("{}() {{\n    _arguments -s -S{}\n}}\n\n", name, specs);
        return;
    }
    std::string described, dispatch;
    for (const auto& child : command.children) {
        described += fmt::format("\n        '{}:{}'", child.path.back(), zsh_escape(child.summary));
        dispatch += fmt::format("        {}) {} && ret=0 ;;\n", child.path.back(),
                                zsh_function_name(child));
    }
    const std::string label =
        command.path.empty() ? "blandhook command" : "blandhook " + command.joined() + " command";
    out += fmt::format(R"SH({0}() {{
    local curcontext="$curcontext" state state_descr line ret=1
    typeset -A opt_args
    _arguments -C -s -S{1} \
        '1: :->command' \
        '*:: :->argument' && ret=0
    case $state in
    command)
        local -a commands=({2}
        )
        _describe -t commands '{3}' commands && ret=0
        ;;
    argument)
        curcontext="${{curcontext%:*:*}}:{4}-$words[1]:"
        case $words[1] in
{5}        esac
        ;;
    esac
    return ret
}}

)SH",
                       name, specs, described, label, name.substr(1), dispatch);
    for (const auto& child : command.children) {
        zsh_function(child, out);
    }
}

std::string zsh_script(const CommandModel& root) {
    std::string functions;
    zsh_function(root, functions);
    return fmt::format(R"SH(#compdef blandhook
# zsh completion for blandhook. Generated from the command tree by `blandhook completions zsh`.
# Do not edit: regenerate with
#   {} zsh > completions/_blandhook

{}if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _blandhook "$@"
else
    compdef _blandhook blandhook
fi
)SH",
                       k_regenerate, functions);
}

// ---------------------------------------------------------------------------------------- fish

std::string fish_quote(const std::string& text) {
    std::string out = "'";
    for (char c : first_line(text)) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}

// The switch arms of the fish script's lookup functions and its `complete` lines.
struct FishTables {
    std::string subcommands, value_options, lines;
};

// The `complete` line of one option of the command that `condition` selects.
std::string fish_option_line(const OptionModel& option, const std::string& condition) {
    std::string line = fmt::format("complete -c blandhook -n {}", condition);
    for (const auto& name : option.longs) {
        line += " -l " + name.substr(2);
    }
    for (const auto& name : option.shorts) {
        line += " -s " + name.substr(1);
    }
    if (option.takes_value) {
        line += option.path ? " -r -F" : " -x";
        if (!option.words.empty()) {
            line += " -a " + fish_quote(join(option.words, " "));
        }
    }
    return line + " -d " + fish_quote(option.description) + "\n";
}

FishTables fish_tables(const CommandModel& root) {
    FishTables tables;
    walk(root, [&tables](const CommandModel& command) {
        auto& [subcommands, value_options, lines] = tables;
        const std::string key = command.joined();
        const std::string condition = fish_quote("__blandhook_at " + fish_quote(key));
        std::vector<std::string> names;
        for (const auto& child : command.children) {
            names.push_back(child.path.back());
            lines += fmt::format("complete -c blandhook -n {} -a {} -d {}\n", condition,
                                 child.path.back(), fish_quote(child.summary));
        }
        if (!names.empty()) {
            subcommands += fmt::format("        case {}\n            echo {}\n", fish_quote(key),
                                       join(names, " "));
        }
        std::vector<std::string> with_value;
        for (const auto& option : command.options) {
            lines += fish_option_line(option, condition);
            if (option.takes_value) {
                const auto all = option_names(option);
                with_value.insert(with_value.end(), all.begin(), all.end());
            }
        }
        if (!with_value.empty()) {
            value_options += fmt::format("        case {}\n            echo {}\n", fish_quote(key),
                                         join(with_value, " "));
        }
        for (const auto& positional : command.positionals) {
            if (!positional.words.empty()) {
                lines += fmt::format("complete -c blandhook -n {} -a {} -d {}\n", condition,
                                     fish_quote(join(positional.words, " ")),
                                     fish_quote(positional.description.empty()
                                                    ? positional.name
                                                    : positional.description));
            }
            if (positional.path) {
                lines += fmt::format("complete -c blandhook -n {} -F\n", condition);
            }
        }
    });
    return tables;
}

// The fish script around the tables: {0} the regenerate command, {1}..{3} the FishTables.
constexpr std::string_view k_fish_script =
    R"SH(# fish completion for blandhook. Generated from the command tree by `blandhook completions fish`.
# Do not edit: regenerate with
#   {0} fish > completions/blandhook.fish

# The subcommands of a command path ("" is the top level).
function __blandhook_subcommands
    switch "$argv[1]"
{1}    end
end

# The options of a command path that take a value: the next word is that value.
function __blandhook_value_options
    switch "$argv[1]"
{2}    end
end

# The command path typed so far, such as "fixtures validate".
function __blandhook_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for token in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $token
            case '-*=*'
            case '-*'
                if contains -- $token (string split ' ' -- (__blandhook_value_options "$path"))
                    set skip 1
                end
            case '*'
                if contains -- $token (string split ' ' -- (__blandhook_subcommands "$path"))
                    set -a path $token
                end
        end
    end
    echo "$path"
end

function __blandhook_at
    test (__blandhook_path) = "$argv[1]"
end

complete -c blandhook -f
{3})SH";

std::string fish_script(const CommandModel& root) {
    const FishTables tables = fish_tables(root);
    return fmt::format(k_fish_script, k_regenerate, tables.subcommands, tables.value_options,
                       tables.lines);
}

// ----------------------------------------------------------------------------------------- man

// Roff-safe text: backslashes and hyphens escaped, lines never starting with a control character,
// non-ASCII characters as \[uXXXX] so that troff renders them without a preconv pass.
std::string roff_escape(const std::string& text) {
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (line_start && (c == '.' || c == '\'')) {
            out += "\\&";
        }
        line_start = c == '\n';
        if (c == '\\') {
            out += "\\e";
        } else if (c == '-') {
            out += "\\-";
        } else if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            const int length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
            unsigned code = length == 1 ? 0xfffd : c & (0x7f >> length);
            for (int k = 1; k < length && i + 1 < text.size(); ++k) {
                code = (code << 6) | (static_cast<unsigned char>(text[++i]) & 0x3f);
            }
            out += fmt::format("\\[u{:04X}]", code);
        }
    }
    return out;
}

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    while (!text.empty() && text.front() == '\n') {
        text.erase(text.begin());
    }
    return text;
}

// The "Examples:" footer of a command as a preformatted roff block.
std::string man_examples(const std::string& footer) {
    std::string body = footer;
    // The top-level footer ends with the exit codes, which have a section of their own.
    if (auto at = body.find(exit_codes_help()); at != std::string::npos) {
        body.erase(at);
    }
    if (auto at = body.find("Examples:"); at != std::string::npos) {
        body = body.substr(at + std::string_view("Examples:").size());
    }
    body = trim(body);
    if (body.empty()) {
        return {};
    }
    return ".PP\nExamples:\n.PP\n.RS 4\n.nf\n" + roff_escape(body) + "\n.fi\n.RE\n";
}

std::string synopsis_of(const CommandModel& command) {
    std::string out = "blandhook";
    for (const auto& part : command.path) {
        out += " " + part;
    }
    if (!command.children.empty()) {
        return out + " COMMAND";
    }
    if (!command.options.empty()) {
        out += " [OPTIONS]";
    }
    for (const auto& positional : command.positionals) {
        std::string name = positional.name + (positional.many ? "..." : "");
        out += " " + (positional.required ? name : "[" + name + "]");
    }
    return out;
}

std::string man_options(const std::vector<OptionModel>& options) {
    std::string out;
    for (const auto& option : options) {
        std::vector<std::string> names;
        names.reserve(option.shorts.size() + option.longs.size());
        for (const auto& name : option.shorts) {
            names.push_back("\\fB" + roff_escape(name) + "\\fR");
        }
        for (const auto& name : option.longs) {
            names.push_back("\\fB" + roff_escape(name) + "\\fR");
        }
        std::string head = join(names, ", ");
        if (option.takes_value) {
            head += " \\fI" +
                    roff_escape(option.choices.empty() ? option.value_name
                                                       : join(option.choices, "|")) +
                    "\\fR";
        }
        std::string text = roff_escape(option.description);
        if (!option.env.empty()) {
            text += " (environment: \\fB" + roff_escape(option.env) + "\\fR)";
        }
        out += fmt::format(".TP\n{}\n{}\n", head, text);
    }
    return out;
}

void man_command(const CommandModel& command, std::string& out) {
    if (!command.path.empty() && command.children.empty()) {
        out += ".SS \"" + roff_escape(synopsis_of(command)) + "\"\n";
        out += roff_escape(command.summary) + "\n";
        for (const auto& positional : command.positionals) {
            if (!positional.choices.empty()) {
                out += ".PP\n\\fI" + roff_escape(positional.name) +
                       "\\fR is one of: " + roff_escape(join(positional.choices, ", ")) + ".\n";
            }
        }
        std::vector<OptionModel> shown;
        for (const auto& option : command.options) {
            if (option.longs != std::vector<std::string>{"--help"}) {
                shown.push_back(option);
            }
        }
        out += man_options(shown);
        out += man_examples(command.footer);
    } else if (!command.path.empty()) {
        out += ".SS \"" + roff_escape(synopsis_of(command)) + "\"\n";
        out += roff_escape(command.summary) + "\n";
    }
    for (const auto& child : command.children) {
        man_command(child, out);
    }
}

struct EnvironmentVariable {
    const char* name;
    const char* meaning;
};

constexpr EnvironmentVariable k_environment[] = {
    {"BLAND_WEBHOOK_SECRET",
     "The webhook signing secret (Bland dashboard: Settings, Keys). Used by listen, replay, "
     "call, emulate, sign, verify and captures export when neither --secret nor --secret-file "
     "is given. Never printed."},
    {"BLAND_API_KEY",
     "The Bland API key used by call, and the key emulate requires, when neither --api-key nor "
     "--api-key-file is given (the same name as the official bland CLI). Never printed."},
    {"BLAND_BASE_URL",
     "The Bland API base URL, https://api.bland.ai by default; point it at blandhook emulate to "
     "work offline."},
    {"NO_COLOR", "When set and not empty, output carries no colour (https://no-color.org)."},
};

std::string man_text(const CommandModel& root) {
    std::string out;
    out += ".\\\" Generated from the command tree by `blandhook manpage`. Do not edit.\n";
    out +=
        fmt::format(".TH BLANDHOOK 1 \"\" \"blandhook {}\" \"User Commands\"\n", BLANDHOOK_VERSION);
    out += ".SH NAME\nblandhook \\- make Bland AI post\\-call webhooks testable\n";
    out += ".SH SYNOPSIS\n.B blandhook\n.I command\n.RI [ options ]\n.br\n"
           ".B blandhook\n.B \\-\\-help\n|\n.B \\-\\-version\n";
    out += ".SH DESCRIPTION\n" + roff_escape(root.summary) + "\n";
    out += ".PP\nEvery command accepts \\fB\\-h\\fR, \\fB\\-\\-help\\fR, which shows its options "
           "and examples.\n";
    if (!root.options.empty()) {
        out += ".SH OPTIONS\n" + man_options(root.options);
    }
    out += ".SH COMMANDS\n";
    man_command(root, out);
    out += ".SH EXIT STATUS\n";
    for (const auto& row : k_exit_codes) {
        out += fmt::format(".TP\n.B {}\n{}\n", row.code, roff_escape(std::string(row.meaning)));
    }
    out += ".SH ENVIRONMENT\n";
    for (const auto& variable : k_environment) {
        out += fmt::format(".TP\n.B {}\n{}\n", variable.name, roff_escape(variable.meaning));
    }
    std::string examples = man_examples(root.footer);
    if (!examples.empty()) {
        out += ".SH EXAMPLES\n" + examples.substr(std::string_view(".PP\nExamples:\n").size());
    }
    out += ".SH FILES\n.TP\n.I /usr/share/blandhook/fixtures/\nThe fixture library "
           "(\\fBblandhook fixtures list\\fR).\n.TP\n.I /usr/share/blandhook/schemas/\nThe JSON "
           "Schema of each payload kind (\\fBblandhook fixtures schema\\fR).\n";
    out += ".SH SEE ALSO\n.BR bash (1),\n.BR zsh (1),\n.BR fish (1);\n"
           "Bland's post\\-call webhook documentation at "
           "https://docs.bland.ai/tutorials/post\\-call\\-webhooks\n";
    return out;
}

} // namespace

std::string_view shell_name(Shell shell) {
    // In the order of Shell.
    constexpr std::array<std::string_view, 3> k_names = {"bash", "zsh", "fish"};
    return k_names.at(static_cast<std::size_t>(shell));
}

std::string completion_script(const CLI::App& root, Shell shell) {
    const CommandModel model = model_of(root, {});
    switch (shell) {
    case Shell::bash:
        return bash_script(model);
    case Shell::zsh:
        return zsh_script(model);
    case Shell::fish:
        return fish_script(model);
    }
    return {};
}

std::string man_page(const CLI::App& root) {
    return man_text(model_of(root, {}));
}

} // namespace blandhook::cli
