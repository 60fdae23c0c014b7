#include "replay/inputs.hpp"

#include "capture/capture.hpp"
#include "capture/history.hpp"
#include "error.hpp"
#include "payload/fixtures.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace blandhook::replay {
namespace {

namespace fs = std::filesystem;

bool replayable_extension(const fs::path& path) {
    auto extension = path.extension().string();
    return extension == ".json" || extension == ".ndjson" || extension == ".jsonl";
}

Item error_item(std::string name, std::string message, std::size_t source) {
    Item item;
    item.group = name;
    item.name = std::move(name);
    item.error = std::move(message);
    item.source = source;
    return item;
}

// A captured request as an item to send: its bytes, method, path and query, and headers.
Item capture_item(capture::Capture capture, std::string name, std::string group,
                  std::size_t source) {
    Item item;
    item.name = std::move(name);
    item.group = std::move(group);
    item.body = std::move(capture.body);
    item.from_capture = true;
    item.method = std::move(capture.method);
    item.target = capture.target();
    for (auto& header : capture.headers) {
        item.headers.push_back({std::move(header.name), std::move(header.value)});
    }
    item.source = source;
    return item;
}

} // namespace

bool looks_like_capture_line(std::string_view line) {
    // Cheap tests first: a fixture's first line is "{" or a whole pretty-printed object.
    if (line.size() < 2 || line.front() != '{' ||
        line.find("\"received_at\"") == std::string::npos ||
        line.find("\"method\"") == std::string::npos) {
        return false;
    }
    auto parsed = nlohmann::json::parse(line, nullptr, false);
    return parsed.is_object() && parsed.contains("received_at") && parsed.contains("method") &&
           parsed.contains("id");
}

InputReader::InputReader(std::vector<Source> sources, std::string capture_log)
    : m_sources(std::move(sources)), m_capture_log(std::move(capture_log)) {}

std::optional<Item> InputReader::next_from_range() {
    if (!m_range) {
        return std::nullopt;
    }
    // A copy: the range is reset after its last id, and its source still names the items.
    const IdRange range = *m_range;
    const std::uint64_t id = range.next;
    const std::string name = "capture:" + std::to_string(id);
    if (id == range.last) {
        m_range.reset();
    } else {
        ++m_range->next;
    }
    std::optional<capture::Capture> capture = capture::History(m_capture_log).get(id);
    if (!capture) {
        Item missing = error_item(name, "no capture " + std::to_string(id) + " in " + m_capture_log,
                                  range.source);
        return missing;
    }
    return capture_item(std::move(*capture), name, m_capture_log, range.source);
}

std::optional<Item> InputReader::next() {
    while (true) {
        if (m_stream != nullptr) {
            if (auto item = next_capture_line()) {
                return item;
            }
            m_stream = nullptr;
            m_file.reset();
            continue;
        }
        if (m_range) {
            return next_from_range();
        }
        if (!m_ready.empty()) {
            Item item = std::move(m_ready.front());
            m_ready.pop_front();
            return item;
        }
        if (!m_pending.empty()) {
            if (auto item = open_next()) {
                return item;
            }
            continue;
        }
        if (m_next_source < m_sources.size()) {
            expand(m_sources[m_next_source]);
            ++m_next_source;
            continue;
        }
        return std::nullopt;
    }
}

void InputReader::expand(const Source& source) {
    const std::size_t index = source.spec;
    const std::string& argument = source.argument;
    if (argument == "-") {
        m_pending.push_back({"-", "-", index});
        return;
    }
    if (argument.starts_with("builtin:")) {
        // The embedded library, reachable by name from any directory: builtin:all or
        // builtin:NAME (a bare NAME works too, unless a file of that name is in the way).
        const std::string name = argument.substr(8);
        for (const payload::FixtureInfo& fixture : payload::builtin_fixtures()) {
            if (name != "all" && payload::find_fixture(name) != &fixture) {
                continue;
            }
            Item item;
            item.name = std::string(fixture.name);
            item.group = item.name;
            item.body = std::string(payload::fixture_body(fixture.name).value_or(""));
            item.source = index;
            m_ready.push_back(std::move(item));
        }
        if (name != "all" && payload::find_fixture(name) == nullptr) {
            m_ready.push_back(error_item(
                argument,
                "no such built-in fixture (see 'blandhook fixtures list', or builtin:all)", index));
        }
        return;
    }
    fs::path path(argument);
    if (path.is_relative() && !source.base_dir.empty()) {
        path = fs::path(source.base_dir) / path;
    }
    std::error_code error;
    auto status = fs::status(path, error);
    if (fs::is_directory(status)) {
        expand_directory(path, index);
        return;
    }
    if (fs::exists(status)) {
        m_pending.push_back({path.string(), path.string(), index});
        return;
    }
    if (argument.starts_with("capture:")) {
        expand_capture_range(argument, index);
        return;
    }
    if (auto body = payload::fixture_body(argument)) {
        Item item;
        item.name = argument;
        item.group = argument;
        item.body = std::string(*body);
        item.source = index;
        m_ready.push_back(std::move(item));
        return;
    }
    m_ready.push_back(error_item(
        argument, "no such file, directory or built-in fixture (see 'blandhook fixtures list')",
        index));
}

void InputReader::expand_directory(const std::filesystem::path& path, std::size_t index) {
    std::error_code error;
    std::vector<fs::path> files;
    fs::recursive_directory_iterator walk(path, fs::directory_options::skip_permission_denied,
                                          error);
    if (error) {
        m_ready.push_back(
            error_item(path.string(), "cannot read directory: " + error.message(), index));
        return;
    }
    for (auto it = walk; it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error) {
            m_ready.push_back(error_item(it->path().string(),
                                         "cannot read directory: " + error.message(), index));
            break;
        }
        if (it->is_directory(error)) {
            continue;
        }
        if (replayable_extension(it->path())) {
            files.push_back(it->path());
        } else {
            m_skipped.push_back(it->path().string());
        }
    }
    std::ranges::sort(files);
    if (files.empty()) {
        m_ready.push_back(
            error_item(path.string(), "directory holds no .json, .ndjson or .jsonl file", index));
    }
    for (const auto& file : files) {
        m_pending.push_back({file.string(), file.string(), index});
    }
}

void InputReader::expand_capture_range(const std::string& argument, std::size_t index) {
    // capture:12 or capture:15-20, read one at a time from the log (every segment).
    const std::string spec = argument.substr(8);
    const std::size_t dash = spec.find('-');
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    const auto number = [](std::string_view text, std::uint64_t& value) {
        const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
        return !text.empty() && failure == std::errc() && end == text.data() + text.size() &&
               value > 0;
    };
    const bool ok = dash == std::string::npos
                        ? number(spec, first) && number(spec, last)
                        : number(std::string_view(spec).substr(0, dash), first) &&
                              number(std::string_view(spec).substr(dash + 1), last) &&
                              first <= last;
    if (!ok) {
        m_ready.push_back(error_item(
            argument, "not a capture id or range: write capture:12 or capture:15-20", index));
        return;
    }
    if (!capture::History(m_capture_log).exists()) {
        m_ready.push_back(error_item(argument, "no capture log at " + m_capture_log, index));
        return;
    }
    m_range = IdRange{first, last, index};
}

std::optional<Item> InputReader::open_next() {
    Pending pending = std::move(m_pending.front());
    m_pending.pop_front();
    std::istream* stream = &std::cin;
    if (pending.path != "-") {
        m_file = std::make_unique<std::ifstream>(pending.path, std::ios::binary);
        if (!*m_file) {
            std::string reason = std::strerror(errno);
            m_file.reset();
            return error_item(pending.display, "cannot read: " + reason, pending.source);
        }
        stream = m_file.get();
    }
    std::string first;
    if (!std::getline(*stream, first)) {
        // Judged before the stream goes: it may be the file being released just below.
        std::string reason = stream->bad() ? "cannot read" : "the file is empty";
        m_file.reset();
        return error_item(pending.display, std::move(reason), pending.source);
    }
    if (looks_like_capture_line(first)) {
        // A capture log: streamed line by line from here; the first line is replayed too.
        m_stream = stream;
        m_stream_name = pending.display;
        m_stream_source = pending.source;
        m_line = 0;
        Item first_item;
        ++m_line;
        try {
            first_item = capture_item(capture::from_json_line(first), m_stream_name + ":1",
                                      m_stream_name, m_stream_source);
        } catch (const Error& error) {
            first_item = error_item(m_stream_name + ":1", error.detail(), m_stream_source);
            first_item.group = m_stream_name;
        }
        return first_item;
    }
    Item item;
    item.name = pending.display;
    item.group = pending.display;
    item.source = pending.source;
    item.body = std::move(first);
    if (!stream->eof()) {
        item.body += '\n';
        item.body.append(std::istreambuf_iterator<char>(*stream), std::istreambuf_iterator<char>());
    }
    if (stream->bad()) {
        item.error = "cannot read: " + std::string(std::strerror(errno));
    }
    m_file.reset();
    return item;
}

std::optional<Item> InputReader::next_capture_line() {
    std::string line;
    while (std::getline(*m_stream, line)) {
        ++m_line;
        if (line.find_first_not_of(" \t\r") == std::string::npos) {
            continue;
        }
        std::string name = m_stream_name + ":" + std::to_string(m_line);
        try {
            return capture_item(capture::from_json_line(line), name, m_stream_name,
                                m_stream_source);
        } catch (const Error& error) {
            if (m_stream->eof()) {
                // No line break after it: a line torn by a listener stopped mid-write, which the
                // listener itself removes when it opens the log again (docs/capture-log.md).
                m_torn.push_back(name);
                continue;
            }
            Item item = error_item(std::move(name), "not a capture line: " + error.detail(),
                                   m_stream_source);
            item.group = m_stream_name;
            return item;
        }
    }
    return std::nullopt;
}

} // namespace blandhook::replay
