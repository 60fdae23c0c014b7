#include "commands/call_records.hpp"

#include "bland/call_fixture.hpp"
#include "bland/calls_api.hpp"
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "commands/api_flags.hpp"
#include "error.hpp"
#include "payload/json.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

namespace blandhook::commands {
namespace {

using payload::Json;

struct RecordOptions {
    std::string call_id;
    std::string as = "json";
    std::string output;
    bool force = false;
    std::function<bland::ApiOptions()> api;
};

constexpr const char* k_get_examples =
    R"(  blandhook call get 9f1c2e7a-5b3d-4e8f-a6c1-2d7e9b0f4a35
  blandhook call get 9f1c2e7a-5b3d-4e8f-a6c1-2d7e9b0f4a35 --as fixture -o real-busy.json
  blandhook replay real-busy.json --to http://127.0.0.1:3000/webhook
)";

constexpr const char* k_resend_examples =
    R"(  blandhook call resend 9f1c2e7a-5b3d-4e8f-a6c1-2d7e9b0f4a35
  blandhook call resend "$CALL_ID" --api-url http://127.0.0.1:4001 --api-key test
)";

bland::ApiClient make_client(const RecordOptions& opts, std::string_view what) {
    if (!bland::is_call_id(opts.call_id)) {
        throw Error(ErrorKind::usage, std::string(what),
                    fmt::format("'{}' is not a call id", opts.call_id),
                    "a call id is the UUID that POST /v1/calls answered (letters, digits, '-')");
    }
    bland::ApiOptions api = opts.api();
    if (api.api_key.empty()) {
        throw Error(ErrorKind::usage, std::string(what), "no API key",
                    "pass --api-key or set BLAND_API_KEY (the official CLI's variable)");
    }
    return bland::ApiClient(api);
}

// Writes `text` to `path`, readable by its owner only (a call holds personal data), never over an
// existing file unless --force; through a temporary file, so a failed write leaves nothing half.
void write_output(const RecordOptions& opts, const std::string& text) {
    namespace fs = std::filesystem;
    const fs::path path(opts.output);
    std::error_code ec;
    if (fs::exists(path, ec) && !opts.force) {
        throw Error(ErrorKind::usage, "--output", fmt::format("{} already exists", opts.output),
                    "pass --force to replace it, or choose another file");
    }
    const std::string temporary = opts.output + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw Error(ErrorKind::input, "--output",
                    fmt::format("cannot create {}: {}", temporary, std::strerror(errno)));
    }
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            const int saved = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            throw Error(ErrorKind::internal, "--output",
                        fmt::format("cannot write {}: {}", temporary, std::strerror(saved)));
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(temporary.c_str(), opts.output.c_str())) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        throw Error(ErrorKind::internal, "--output",
                    fmt::format("cannot write {}: {}", opts.output, std::strerror(saved)));
    }
}

void print_list(const char* label, const std::vector<std::string>& items) {
    if (items.empty()) {
        return;
    }
    std::string joined;
    for (const auto& item : items) {
        joined += (joined.empty() ? "" : ", ") + item;
    }
    std::fprintf(stderr, "%s: %s\n", label, joined.c_str());
}

int run_get(const RecordOptions& opts) {
    bland::ApiClient api = make_client(opts, "call get");
    const Json details = api.get_call(opts.call_id);
    std::string text;
    if (opts.as == "fixture") {
        const bland::CallFixture fixture = bland::fixture_from_call(details);
        text = payload::pretty_json(fixture.body, 2) + "\n";
        // The file is the body as Bland would send it; what we derived is said here and in
        // docs/call.md, never slipped into the body.
        print_list("modelled (not in the call details, derived)", fixture.modelled);
        print_list("left out (call details only)", fixture.dropped);
        print_list("left out (not in the call details, not derivable)", fixture.absent);
    } else {
        text = payload::pretty_json(details, 2) + "\n";
    }
    if (opts.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
    } else {
        write_output(opts, text);
        std::fprintf(stderr, "wrote %s (%zu bytes)\n", opts.output.c_str(), text.size());
    }
    return cli::exit_code::k_ok;
}

int run_resend(const RecordOptions& opts) {
    bland::ApiClient api = make_client(opts, "call resend");
    const Json data = api.resend_webhook(opts.call_id);
    // Bland answers data: [{call_id, url, …}]; name the URL when it says where.
    std::string url;
    if (data.is_array()) {
        for (const auto& item : data) {
            if (item.is_object() && item.value("call_id", "") == opts.call_id &&
                item.contains("url") && item["url"].is_string()) {
                url = item["url"].get<std::string>();
            }
        }
    }
    std::printf("resend requested: the post-call webhook of %s%s\n", opts.call_id.c_str(),
                url.empty() ? "" : (" goes again to " + url).c_str());
    std::printf("see it arrive: blandhook listen, or the delivery log (send_type resend)\n");
    return cli::exit_code::k_ok;
}

} // namespace

namespace {

// `call get` or `call resend`: a subcommand taking a call id, its help ending with what its exit
// codes mean; the API flags are `call`'s, also accepted after the subcommand's name.
CLI::App* add_record_subcommand(cli::Registrar& registrar, CLI::App* call, const char* name,
                                const char* summary, const char* examples, std::string_view done,
                                std::string_view api_error, RecordOptions& options) {
    CLI::App* app = registrar.add_subcommand(
        call, name, summary,
        std::string(examples) + "\n" +
            api_exit_codes_help(done, "bad arguments", api_error, "See docs/call.md."));
    app->add_option("call_id", options.call_id, "The call's id")->required();
    app->fallthrough();
    return app;
}

} // namespace

void register_call_records(cli::Registrar& registrar, CLI::App* call,
                           std::function<bland::ApiOptions()> api) {
    auto get_opts = std::make_shared<RecordOptions>();
    get_opts->api = api;
    CLI::App* get = add_record_subcommand(
        registrar, call, "get",
        "Print a call from Bland's API (GET /v1/calls/{id}), or save it as a fixture",
        k_get_examples, "printed or written",
        "the API answered with an error (unknown call, wrong key, call not over)", *get_opts);
    registrar.choices(get->add_option("--as", get_opts->as,
                                      "json: the call details as Bland answers; fixture: the "
                                      "post-call webhook body built from them")
                          ->capture_default_str(),
                      {"json", "fixture"});
    get->add_option("-o,--output", get_opts->output,
                    "Write to FILE (mode 0600) instead of stdout; never replaces a file");
    get->add_flag("--force", get_opts->force, "Let --output replace an existing file");
    registrar.on_run(get, [get_opts](const cli::Context&) { return run_get(*get_opts); });

    auto resend_opts = std::make_shared<RecordOptions>();
    resend_opts->api = std::move(api);
    CLI::App* resend = add_record_subcommand(
        registrar, call, "resend",
        "Ask Bland to send a call's post-call webhook again (POST /v1/postcall/webhooks/resend)",
        k_resend_examples, "Bland accepted the resend",
        "the API answered with an error (unknown call, nothing sent yet, wrong key)", *resend_opts);
    registrar.on_run(resend,
                     [resend_opts](const cli::Context&) { return run_resend(*resend_opts); });
}

} // namespace blandhook::commands
