#include "commands/registry.hpp"

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

namespace blandhook::commands {

void register_all_commands(cli::Registrar& registrar) {
    register_listen(registrar);
    register_captures(registrar);
    register_replay(registrar);
    register_call(registrar);
    register_inbound(registrar);
    register_deliver(registrar);
    register_emulate(registrar);
    register_fixtures(registrar);
    register_sign(registrar);        // sign and verify
    register_completions(registrar); // completions and the hidden manpage
}

} // namespace blandhook::commands
