#include "commands/inbound.hpp"

#include "bland/calls_api.hpp"
#include "bland/inbound_api.hpp"
#include "bland/inbound_restore.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "payload/json.hpp"

#include <cstdio>
#include <fmt/core.h>
#include <optional>

namespace blandhook::commands {
namespace {

using payload::Json;

struct InboundOptions {
    // One set per subcommand: CLI11 fills environment defaults into every option bound to a
    // variable, so a shared set would let BLAND_BASE_URL override a subcommand's --api-url.
    ApiFlags list_api;
    ApiFlags show_api;
    ApiFlags set_api;
    ApiFlags restore_api;
    bool json = false;
    std::string number;
    std::string url;
    bool clear = false;
    std::string events;
    std::string metadata;
    bool all = false;
};

std::string text_or_none(const Json& details, const char* field) {
    auto it = details.find(field);
    if (it == details.end() || it->is_null() ||
        (it->is_string() && it->get_ref<const std::string&>().empty())) {
        return "-";
    }
    if (it->is_array()) {
        std::string joined;
        for (const auto& item : *it) {
            joined += (joined.empty() ? "" : ",") +
                      (item.is_string() ? item.get<std::string>() : item.dump());
        }
        return joined.empty() ? "-" : joined;
    }
    return it->is_string() ? it->get<std::string>() : it->dump();
}

int run_list(const InboundOptions& options) {
    bland::ApiClient api(api_options(options.list_api, "inbound list"));
    Json numbers = bland::list_inbound(api);
    if (options.json) {
        std::printf("%s\n", payload::pretty_json(numbers).c_str());
        return cli::exit_code::k_ok;
    }
    if (numbers.empty()) {
        std::printf("no inbound numbers on this account\n");
        return cli::exit_code::k_ok;
    }
    std::printf("%-16s  %-48s  %s\n", "NUMBER", "WEBHOOK", "EVENTS");
    for (const auto& number : numbers) {
        std::printf("%-16s  %-48s  %s\n", text_or_none(number, "phone_number").c_str(),
                    text_or_none(number, "webhook").c_str(),
                    text_or_none(number, "webhook_events").c_str());
    }
    return cli::exit_code::k_ok;
}

int run_show(const InboundOptions& options) {
    const std::string number = bland::require_number(options.number, "inbound show");
    bland::ApiClient api(api_options(options.show_api, "inbound show"));
    std::printf("%s\n", payload::pretty_json(bland::get_inbound(api, number)).c_str());
    return cli::exit_code::k_ok;
}

int run_set_webhook(const InboundOptions& options) {
    const std::string number = bland::require_number(options.number, "inbound set-webhook");
    if (options.url.empty() == !options.clear) {
        throw Error(ErrorKind::usage, "inbound set-webhook", "give a URL or --clear, not both",
                    "example: blandhook inbound set-webhook +15551234567 https://example.com/hook");
    }
    bland::WebhookSettings settings;
    settings.webhook = options.clear ? std::string() : options.url;
    if (!options.url.empty()) {
        if (http::parse_url(options.url, "URL").scheme != "https") {
            cli::print_warning(fmt::format("{} is not https: Bland delivers webhooks only to "
                                           "https URLs (the emulator takes http)",
                                           options.url));
        }
    }
    if (!options.events.empty()) {
        settings.webhook_events = parse_webhook_events(options.events, "--events");
    }
    if (!options.metadata.empty()) {
        settings.metadata = parse_object(options.metadata, "--metadata");
    }
    bland::ApiClient api(api_options(options.set_api, "inbound set-webhook"));
    Json current = bland::get_inbound(api, number);
    const std::string previous = bland::webhook_of(current);
    bland::set_inbound_webhook(api, number, settings, current);
    std::printf("%s: webhook %s (was %s)\n", number.c_str(),
                options.clear ? "cleared" : options.url.c_str(),
                previous.empty() ? "none" : previous.c_str());
    return cli::exit_code::k_ok;
}

int run_restore(const InboundOptions& options) {
    bland::RestoreLedger ledger;
    std::vector<bland::PendingRestore> live;
    auto records = ledger.list([](const std::string& problem) { cli::print_warning(problem); });
    if (records.empty()) {
        std::printf("nothing to restore: no pending inbound restores in %s\n",
                    ledger.dir().c_str());
        return cli::exit_code::k_ok;
    }
    bland::ApiOptions api = api_options(options.restore_api, "inbound restore");
    auto outcomes = bland::repair_pending(ledger, api.api_key, api.insecure, options.all, &live);
    for (const auto& restore : live) {
        std::printf("%s: left to its listener (pid %d, still running; it restores %s when it "
                    "stops; --all restores it now)\n",
                    restore.number.c_str(), restore.pid,
                    restore.previous_webhook.empty() ? "none" : restore.previous_webhook.c_str());
    }
    std::optional<ErrorKind> failure;
    for (const auto& outcome : outcomes) {
        std::printf("%s: %s\n", outcome.number.c_str(), outcome.detail.c_str());
        if (!outcome.ok && !failure) {
            failure = outcome.error;
        }
    }
    std::fflush(stdout);
    if (failure) {
        throw Error(*failure, "inbound restore", "some numbers could not be restored",
                    "their pending restores are kept; run `blandhook inbound restore` again");
    }
    return cli::exit_code::k_ok;
}

} // namespace

void register_inbound(cli::Registrar& registrar) {
    auto options = std::make_shared<InboundOptions>();
    CLI::App* app = registrar.add_command(
        "inbound", "Your Bland inbound numbers: list, show, set-webhook, restore",
        R"(  blandhook inbound list
  blandhook inbound show +15551234567
  blandhook inbound set-webhook +15551234567 https://example.com/bland --events call,citations
  blandhook inbound restore        put back numbers a crashed `listen --inbound-number` held

)" + api_exit_codes_help("done", "bad command line", "the API answered with an error",
                         "See docs/inbound.md."));
    app->require_subcommand(1, 1);

    CLI::App* list = registrar.add_subcommand(
        app, "list", "List the account's inbound numbers with their webhooks (GET /v1/inbound)",
        "  blandhook inbound list\n  blandhook inbound list --json | jq -r '.[].phone_number'\n");
    list->add_flag("--json", options->json, "Print Bland's inbound_numbers array as JSON");
    add_api_flags(list, options->list_api);
    registrar.on_run(list, [options](const cli::Context&) { return run_list(*options); });

    CLI::App* show = registrar.add_subcommand(
        app, "show", "Print one number's settings as JSON (GET /v1/inbound/{number})",
        "  blandhook inbound show +15551234567 | jq -r .webhook\n");
    show->add_option("number", options->number, "The inbound number, E.164")
        ->required()
        ->type_name("NUMBER");
    add_api_flags(show, options->show_api);
    registrar.on_run(show, [options](const cli::Context&) { return run_show(*options); });

    CLI::App* set = registrar.add_subcommand(
        app, "set-webhook",
        "Set (or --clear) a number's post-call webhook URL (POST /v1/inbound/{number})",
        "  blandhook inbound set-webhook +15551234567 https://example.com/bland\n"
        "  blandhook inbound set-webhook +15551234567 https://example.com/bland --events "
        "call,latency --metadata '{\"team\":\"support\"}'\n"
        "  blandhook inbound set-webhook +15551234567 --clear\n");
    set->add_option("number", options->number, "The inbound number, E.164")
        ->required()
        ->type_name("NUMBER");
    set->add_option("url", options->url, "Where Bland sends the number's post-call webhooks")
        ->type_name("URL");
    set->add_flag("--clear", options->clear, "Remove the number's webhook");
    registrar.suggest(set->add_option("--events", options->events,
                                      "Comma-separated webhook_events: queue,call,latency,webhook,"
                                      "tool,dynamic_data,citations,evals,post_transfer_transcript"),
                      {bland::k_webhook_events.begin(), bland::k_webhook_events.end()});
    set->add_option("--metadata", options->metadata, "JSON object sent with the number's calls");
    add_api_flags(set, options->set_api);
    registrar.on_run(set, [options](const cli::Context&) { return run_set_webhook(*options); });

    CLI::App* restore = registrar.add_subcommand(
        app, "restore",
        "Put back numbers that `listen --inbound-number` pointed at a listener which is gone",
        "  blandhook inbound restore\n  blandhook inbound restore --all\n");
    restore->add_flag("--all", options->all, "Also restore numbers whose listener still runs");
    add_api_flags(restore, options->restore_api);
    registrar.on_run(restore, [options](const cli::Context&) { return run_restore(*options); });
}

} // namespace blandhook::commands
