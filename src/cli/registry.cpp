#include "cli/registry.hpp"

#include "cli/command.hpp"
#include "commands/call.hpp"
#include "commands/captures.hpp"
#include "commands/completions.hpp"
#include "commands/deliver.hpp"
#include "commands/emulate.hpp"
#include "commands/fixtures.hpp"
#include "commands/inbound.hpp"
#include "commands/listen.hpp"
#include "commands/replay.hpp"
#include "commands/sign.hpp"

namespace blandhook::cli {

void register_all_commands(Registrar& registrar) {
    commands::register_listen(registrar);
    commands::register_captures(registrar);
    commands::register_replay(registrar);
    commands::register_call(registrar);
    commands::register_inbound(registrar);
    commands::register_deliver(registrar);
    commands::register_emulate(registrar);
    commands::register_fixtures(registrar);
    commands::register_sign(registrar);        // sign and verify
    commands::register_completions(registrar); // completions and the hidden manpage
}

} // namespace blandhook::cli
