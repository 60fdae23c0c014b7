#pragma once
// The replay manifest (--manifest FILE): one JSON file naming inputs with their scenario,
// overrides, headers and expectations, so one command runs a whole suite. Format: docs/replay.md.
#include "replay/inputs.hpp"
#include "replay/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace blandhook::replay {

struct Manifest {
    std::optional<std::string> to; ///< "to": used when --to is not given
    std::vector<Source> sources;   ///< inputs, relative to the manifest's folder, in file order
    std::vector<CaseSpec> specs;   ///< Source::spec indexes into this
    std::vector<std::string> expect_latency; ///< "expect_latency": judged over the whole run
};

/// Reads `path`. Each entry's spec starts from `base` (the command line's flags), then the
/// manifest's "defaults", then the entry. Throws Error (input) naming the file and the entry.
Manifest load_manifest(const std::string& path, const CaseSpec& base);

/// Parses a manifest from `text`; relative inputs resolve against `base_dir`.
Manifest parse_manifest(std::string_view text, const std::string& base_dir, const CaseSpec& base,
                        const std::string& name = "manifest");

} // namespace blandhook::replay
