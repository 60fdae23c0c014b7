#include "inspector/inspector.hpp"

namespace blandhook::inspector {

// Interim: serves nothing until the inspector lands.
void mount(listen::Listener&, httplib::Server&) {}

} // namespace blandhook::inspector
