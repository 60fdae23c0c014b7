#pragma once
// The inputs of `blandhook replay`, read one at a time so that a capture log of any length is
// streamed, never loaded whole: fixture files, directories (recursive, in name order), built-in
// fixture names, capture logs from `blandhook listen` (told apart by content) and `-` for stdin.
#include "http/client.hpp"

#include <cstddef>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::replay {

/// One body to replay, or the reason it could not be read.
struct Item {
    std::string name;  ///< "fixtures/error-busy.json", "error-busy", "capture.ndjson:17", "-"
    std::string group; ///< the input it came from: a file, a built-in name, a capture log
    std::string body;  ///< exact bytes
    bool from_capture = false;
    std::string method = "POST"; ///< captures: as received
    std::string target;          ///< captures: path and query as received
    http::Headers headers;       ///< captures: as received
    std::string error;           ///< not empty when the input could not be read
    std::size_t source = 0;      ///< Source::spec of the input it came from
};

/// One input argument: a path, a built-in name, "-", or capture:ID / capture:FIRST-LAST (ids in
/// the capture log); relative paths resolve against base_dir.
struct Source {
    std::string argument;
    std::string base_dir; ///< "" for the working directory
    std::size_t spec = 0; ///< which CaseSpec applies to it
};

/// True when `line` is a line of a capture log written by `blandhook listen`.
bool looks_like_capture_line(std::string_view line);

class InputReader {
public:
    /// `capture_log` is the log capture:ID inputs are read from.
    InputReader(std::vector<Source> sources, std::string capture_log);

    /// The next item, in input order; nullopt when every input is exhausted.
    std::optional<Item> next();

    /// Files a directory held that are not replayed (not .json, .ndjson or .jsonl), for a warning.
    const std::vector<std::string>& skipped() const { return m_skipped; }

    /// Capture log lines skipped as torn ("log.ndjson:17"): a last line without a line break
    /// that is not a whole capture, for a warning.
    const std::vector<std::string>& torn() const { return m_torn; }

private:
    struct Pending {
        std::string path; ///< file to open, or "-" for stdin
        std::string display;
        std::size_t source = 0;
    };
    struct IdRange {
        std::uint64_t next = 0;
        std::uint64_t last = 0;
        std::size_t source = 0;
    };
    std::optional<Item> open_next();
    std::optional<Item> next_from_range();
    std::optional<Item> next_capture_line();
    void expand(const Source& source);
    /// The replayable files under `path`, in name order; the others are noted as skipped.
    void expand_directory(const std::filesystem::path& path, std::size_t index);
    /// capture:ID or capture:FIRST-LAST, read from the capture log one id at a time.
    void expand_capture_range(const std::string& argument, std::size_t index);

    std::vector<Source> m_sources;
    std::size_t m_next_source = 0;
    std::deque<Pending> m_pending;
    std::vector<std::string> m_skipped;
    std::vector<std::string> m_torn;
    std::deque<Item> m_ready; ///< items expanded from a source but not handed out yet
    std::string m_capture_log;
    std::optional<IdRange> m_range; ///< capture:FIRST-LAST being read, one id at a time

    // The capture log being streamed.
    std::unique_ptr<std::ifstream> m_file;
    std::istream* m_stream = nullptr;
    std::string m_stream_name;
    std::size_t m_stream_source = 0;
    std::size_t m_line = 0;
};

} // namespace blandhook::replay
