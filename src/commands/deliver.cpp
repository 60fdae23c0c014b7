#include "commands/deliver.hpp"

#include "bland/inbound_api.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "error.hpp"
#include "http/client.hpp"
#include "payload/json.hpp"

#include <cstdio>
#include <fmt/core.h>

namespace blandhook::commands {
namespace {

struct DeliverOptions {
    std::vector<std::string> call_ids;
    std::string to;
    bool json = false;
    ApiFlags api;
};

int run_deliver(const DeliverOptions& options) {
    if (http::parse_url(options.to, "--to").scheme != "https") {
        cli::print_warning(fmt::format("{} is not https: Bland delivers webhooks only to https "
                                       "URLs (the emulator takes http)",
                                       options.to));
    }
    bland::ApiClient api(api_options(options.api, "deliver"));
    payload::Json answer = bland::create_postcall_webhooks(api, options.call_ids, options.to);
    if (options.json) {
        std::printf("%s\n", payload::canonical_json(answer).c_str());
    } else {
        std::printf("Bland is sending the post-call webhook of %zu call%s to %s\n",
                    options.call_ids.size(), options.call_ids.size() == 1 ? "" : "s",
                    options.to.c_str());
        for (const auto& id : options.call_ids) {
            std::printf("  %s\n", id.c_str());
        }
    }
    return cli::exit_code::k_ok;
}

} // namespace

void register_deliver(cli::Registrar& registrar) {
    auto options = std::make_shared<DeliverOptions>();
    CLI::App* app = registrar.add_command(
        "deliver",
        "Have Bland send finished calls' real post-call webhooks to any URL, at no call cost",
        R"(  blandhook listen --tunnel cloudflared &      then, with the https URL it prints:
  blandhook deliver 9f6b3c1e-… --to https://four-words.trycloudflare.com/
  blandhook deliver ID1 ID2 --to https://example.com/bland --json

Bland sends each call's webhook once this way (POST /v1/postcall/webhooks/create); it refuses
calls whose webhook was already sent.
)" + api_exit_codes_help("accepted", "bad command line", "the API answered with an error",
                         "See docs/inbound.md."));
    app->add_option("call_ids", options->call_ids, "Ids of finished calls")
        ->required()
        ->type_name("CALL_ID");
    app->add_option("--to", options->to, "The URL to send the webhooks to")
        ->required()
        ->type_name("URL");
    app->add_flag("--json", options->json, "Print Bland's answer as JSON");
    add_api_flags(app, options->api);
    registrar.on_run(app, [options](const cli::Context&) { return run_deliver(*options); });
}

} // namespace blandhook::commands
