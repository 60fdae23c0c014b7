#pragma once
// `blandhook call get` and `blandhook call resend`: a finished call read from Bland's API (as JSON
// or as a post-call fixture) and its post-call webhook sent again. See call_records.cpp.
#include "bland/calls_api.hpp"

#include <CLI/CLI.hpp>
#include <functional>

namespace blandhook::cli {
class Registrar;
}

namespace blandhook::commands {

/// Adds `get` and `resend` below the `call` command. They take the API key, URL and -k of `call`
/// itself (given before or after the subcommand's name): `api` reads them when the command runs.
void register_call_records(cli::Registrar& registrar, CLI::App* call,
                           std::function<bland::ApiOptions()> api);

} // namespace blandhook::commands
