// One vocabulary across commands (docs/cli.md): checked on the command tree itself, so that a new
// option that breaks it fails here before any help text or completion ships it.
#include "cli/app.hpp"
#include "cli/command.hpp"
#include "commands/registry.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct Visible {
    std::string command; ///< "captures list"
    const CLI::Option* option;
};

void collect(const CLI::App* app, const std::string& path, std::vector<Visible>& out) {
    for (const CLI::Option* option : app->get_options()) {
        if (!option->get_group().empty() && option->nonpositional()) {
            out.push_back({path, option});
        }
    }
    for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
        collect(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
    }
}

struct Tree {
    CLI::App app;
    blandhook::cli::Registrar registrar{app};
    std::vector<Visible> options;
    Tree() {
        blandhook::cli::build_command_tree(app, registrar,
                                           blandhook::commands::register_all_commands);
        collect(&app, "", options);
    }
    const CLI::App* command(const std::string& path) const {
        const CLI::App* at = &app;
        std::string rest = path;
        while (!rest.empty()) {
            const std::string word = rest.substr(0, rest.find(' '));
            rest = rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
            at = const_cast<CLI::App*>(at)->get_subcommand(word);
        }
        return at;
    }
};

// A flag expects no value (--forward-status).
bool is_flag(const CLI::Option* option) {
    return option->get_expected_max() == 0;
}

} // namespace

TEST_CASE("a short option means one long option in every command that has it") {
    Tree tree;
    std::map<std::string, std::set<std::string>> longs_of;
    std::map<std::string, std::set<std::string>> where;
    for (const Visible& visible : tree.options) {
        for (const std::string& name : visible.option->get_snames()) {
            longs_of["-" + name].insert(visible.option->get_lnames().empty()
                                            ? std::string("(none)")
                                            : "--" + visible.option->get_lnames().front());
            where["-" + name].insert(visible.command);
        }
    }
    CHECK(longs_of["-n"] == std::set<std::string>{"--count"});
    CHECK(longs_of["-k"] == std::set<std::string>{"--insecure"});
    CHECK(longs_of["-o"] == std::set<std::string>{"--output"});
    for (const auto& [short_name, longs] : longs_of) {
        CAPTURE(short_name);
        CHECK_MESSAGE(longs.size() == 1, short_name << " means several options");
    }
}

TEST_CASE("an option taking a status says whether it is an HTTP status or a call status") {
    Tree tree;
    for (const Visible& visible : tree.options) {
        for (const std::string& name : visible.option->get_lnames()) {
            if (name.find("status") == std::string::npos || is_flag(visible.option)) {
                continue;
            }
            CAPTURE(visible.command);
            CAPTURE(name);
            const bool http = name.ends_with("answer-status");
            const bool call = name.ends_with("call-status");
            CHECK(http != call);
        }
    }
}

TEST_CASE("every command that writes or reads the capture log names it --log") {
    Tree tree;
    for (const char* path :
         {"listen", "replay", "captures list", "captures show", "captures export", "captures call",
          "captures stats", "captures prune"}) {
        CAPTURE(path);
        const CLI::App* command = tree.command(path);
        REQUIRE(command != nullptr);
        const CLI::Option* log = command->get_option_no_throw("--log");
        REQUIRE(log != nullptr);
        CHECK_FALSE(log->get_group().empty());
    }
    // listen's old spellings still parse, hidden.
    const CLI::Option* save = tree.command("listen")->get_option_no_throw("--save");
    REQUIRE(save != nullptr);
    CHECK(save->get_group().empty());
}

TEST_CASE("replay and emulate share the delivery options, their names and their defaults") {
    Tree tree;
    const CLI::App* replay = tree.command("replay");
    const CLI::App* emulate = tree.command("emulate");
    for (const char* name : {"--delivery-timeout", "--retries", "--retry-backoff",
                             "--retry-multiplier", "--retry-max-backoff"}) {
        CAPTURE(name);
        const CLI::Option* in_replay = replay->get_option_no_throw(name);
        const CLI::Option* in_emulate = emulate->get_option_no_throw(name);
        REQUIRE(in_replay != nullptr);
        REQUIRE(in_emulate != nullptr);
        CHECK(in_replay->get_default_str() == in_emulate->get_default_str());
        CHECK_FALSE(in_replay->get_default_str().empty());
    }
}

TEST_CASE("every unsigned option refuses a negative value instead of wrapping it to a huge one") {
    // CLI11 2.1 read `listen --count -1` as 18446744073709551615 captures.
    std::vector<std::pair<std::string, std::string>> unsigned_options; // command, --name
    {
        const Tree tree;
        for (const auto& [command, option] : tree.options) {
            if (option->get_type_name() == "UINT" && !option->get_lnames().empty()) {
                unsigned_options.emplace_back(command, "--" + option->get_lnames().front());
            }
        }
    }
    REQUIRE(unsigned_options.size() >= 3); // --count in listen and captures, replay's --repeat …
    for (const auto& [command, name] : unsigned_options) {
        CAPTURE(command);
        CAPTURE(name);
        Tree tree;
        std::vector<std::string> words = {"blandhook"};
        for (std::size_t at = 0; at <= command.size();) {
            const std::size_t space = std::min(command.find(' ', at), command.size());
            words.push_back(command.substr(at, space - at));
            at = space + 1;
        }
        words.push_back(name);
        words.emplace_back("-1");
        std::vector<char*> argv;
        for (auto& word : words) {
            argv.push_back(word.data());
        }
        CHECK_THROWS_AS(tree.app.parse(static_cast<int>(argv.size()), argv.data()),
                        const CLI::ValidationError&);
    }
}
