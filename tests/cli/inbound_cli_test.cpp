// The inbound tutorial, offline, run as a user runs it: `blandhook emulate` stands in for Bland,
// stand-in `cloudflared` and `ngrok` programs (scripts on a PATH inside the scratch directory)
// announce their URL exactly as the real ones do, and `listen --inbound-number` points a number
// at the listener and puts it back however it stops.
#include "http/client.hpp"
#include "payload/json.hpp"
#include "support/process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>
#include <thread>

using namespace blandhook::test;
using blandhook::payload::Json;
using blandhook::payload::parse_json;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_key = "sk-inbound-key";
constexpr const char* k_number = "+15555550100";
constexpr const char* k_original = "http://127.0.0.1:9/original-hook";

// cloudflared's quick-tunnel log, as the real one writes it on stderr. The stand-in forwards
// nothing: it announces the listener's own URL (no tunnel can run here) and records its pid.
constexpr const char* k_cloudflared = R"(#!/bin/sh
url=""
while [ $# -gt 0 ]; do
    if [ "$1" = "--url" ]; then url="$2"; shift; fi
    shift
done
echo $$ > "$STANDIN_DIR/cloudflared.pid"
cat >&2 <<LOG
2024-05-01T10:00:00Z INF Thank you for trying Cloudflare Tunnel. Doing so, without a Cloudflare account, is a quick way to experiment and try it out. However, be aware that these account-less Tunnels have no uptime guarantee. If you intend to use Tunnels in production you should use a pre-created named tunnel by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps
2024-05-01T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...
2024-05-01T10:00:01Z INF +--------------------------------------------------------------------------------------------+
2024-05-01T10:00:01Z INF |  Your quick Tunnel has been created! Visit it at (it may take some time to be reachable):  |
2024-05-01T10:00:01Z INF |  $url                                                      |
2024-05-01T10:00:01Z INF +--------------------------------------------------------------------------------------------+
LOG
exec sleep 300
)";

// ngrok's agent: a logfmt line naming its web service address, and GET /api/tunnels listing the
// tunnel (the stand-in's public URL is the listener's own URL).
constexpr const char* k_ngrok = R"(#!/usr/bin/env python3
import http.server, json, os, sys, time
local = sys.argv[2]
class Api(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/api/tunnels":
            self.send_error(404)
            return
        body = json.dumps({"tunnels": [{"name": "command_line", "uri": "/api/tunnels/command_line",
                                        "public_url": local, "proto": "http",
                                        "config": {"addr": local, "inspect": True}}],
                           "uri": "/api/tunnels"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Api)
with open(os.path.join(os.environ["STANDIN_DIR"], "ngrok.pid"), "w") as f:
    f.write(str(os.getpid()))
stamp = time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime())
print(f't={stamp} lvl=info msg="starting web service" obj=web addr=127.0.0.1:{server.server_port} allow_hosts=[]', flush=True)
server.serve_forever()
)";

class Scratch {
public:
    Scratch() {
        std::filesystem::create_directories(m_dir.file("bin"));
        install("cloudflared", k_cloudflared);
        install("ngrok", k_ngrok);
    }
    ProcessOptions options(const std::string& api_url) const {
        ProcessOptions options;
        const char* path = std::getenv("PATH");
        options.env["PATH"] = m_dir.file("bin") + ":" + (path != nullptr ? path : "/usr/bin:/bin");
        options.env["XDG_STATE_HOME"] = m_dir.file("state");
        options.env["STANDIN_DIR"] = m_dir.path();
        options.env["BLAND_API_KEY"] = k_key;
        options.env["BLAND_BASE_URL"] = api_url;
        options.unset_env = {"BLAND_WEBHOOK_SECRET"};
        options.timeout = 60s;
        return options;
    }
    std::string file(const std::string& name) const { return m_dir.file(name); }
    int standin_pid(const std::string& name) const {
        return std::atoi(read_file(m_dir.file(name + ".pid")).c_str());
    }

private:
    void install(const std::string& name, const char* text) {
        write_file(m_dir.file("bin/" + name), text);
        ::chmod(m_dir.file("bin/" + name).c_str(), 0755);
    }
    TempDir m_dir;
};

class Emulate {
public:
    Emulate() {
        m_child = start_blandhook({"emulate", "--port", "0", "--call-duration", "100ms",
                                   "--retry-backoff", "20ms", "--api-key", k_key});
        m_url = "http://127.0.0.1:" + std::to_string(wait_for_port(*m_child, "Bland API on", 10s));
    }
    const std::string& url() const { return m_url; }

    // POST /emulate/inbound-calls: someone rings `number`.
    std::string ring(const std::string& number, const std::string& from) {
        blandhook::http::Client client(blandhook::http::parse_url(m_url));
        blandhook::http::Request request;
        request.target = "/emulate/inbound-calls";
        request.headers = {{"authorization", k_key}, {"Content-Type", "application/json"}};
        request.body = Json{{"phone_number", number}, {"from", from}}.dump();
        auto attempt = client.send(request);
        REQUIRE(attempt.response);
        REQUIRE_MESSAGE(attempt.response->status == 200, attempt.response->body);
        return parse_json(attempt.response->body)["call_id"].get<std::string>();
    }

private:
    std::unique_ptr<Child> m_child;
    std::string m_url;
};

std::string webhook_of(const Scratch& scratch, const Emulate& emulate) {
    auto shown = run_blandhook({"inbound", "show", k_number}, scratch.options(emulate.url()));
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    Json details = parse_json(shown.out);
    return details["webhook"].is_string() ? details["webhook"].get<std::string>() : "";
}

// Up to 10 s: a deadline for a loaded machine, never an assertion on speed.
bool process_gone(int pid) {
    for (int i = 0; i < 500; ++i) {
        if (::kill(pid, 0) != 0) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::vector<std::string> pending_restores(const Scratch& scratch) {
    std::vector<std::string> files;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(scratch.file("state/blandhook/inbound"), error)) {
        files.push_back(entry.path().string());
    }
    return files;
}

// Emulate, then `inbound set-webhook` to the original URL.
void set_original(const Scratch& scratch, const Emulate& emulate) {
    auto set = run_blandhook({"inbound", "set-webhook", k_number, k_original},
                             scratch.options(emulate.url()));
    REQUIRE_MESSAGE(set.exit_code == 0, set.err);
    CHECK(set.out == std::string(k_number) + ": webhook " + k_original + " (was none)\n");
    CHECK(set.err.find("is not https") != std::string::npos);
    CHECK(webhook_of(scratch, emulate) == k_original);
}

// A scratch directory with the stand-in tunnels, the emulator, and the number's webhook set to
// k_original: where the tests that hold the number start.
struct HeldNumber {
    Scratch scratch;
    Emulate emulate;
    HeldNumber() { set_original(scratch, emulate); }
};

// `listen --port 0 --no-save --inbound-number k_number`, then `extra`.
// `listen` on a fresh port, saving nothing, through a cloudflared quick tunnel.
const std::vector<std::string> k_listen_through_cloudflared = {
    "listen", "--port", "0", "--no-save", "--tunnel", "cloudflared"};

std::vector<std::string> listen_holding(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"listen",    "--port",           "0",
                                  "--no-save", "--inbound-number", k_number};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

} // namespace

TEST_CASE("the inbound tutorial offline: a ring reaches listen through cloudflared, then the "
          "number points back at the original URL") {
    HeldNumber held;
    auto& [scratch, emulate] = held;

    const std::string log = scratch.file("captures.ndjson");
    auto listen =
        start_blandhook({"listen", "--port", "0", "--save", log, "--count", "1", "--timeout", "30s",
                         "--tunnel", "cloudflared", "--inbound-number", k_number},
                        scratch.options(emulate.url()));
    const std::string listener_url =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listen, "blandhook listening on", 20s));
    CHECK(webhook_of(scratch, emulate) == listener_url);
    CHECK(pending_restores(scratch).size() == 1);

    const std::string call_id = emulate.ring(k_number, "+15555550123");
    REQUIRE(listen->wait(30s) == 0);
    const std::string& err = listen->err();
    CHECK(err.find("public URL: " + listener_url + " (cloudflared") != std::string::npos);
    CHECK(err.find("is not https: Bland delivers webhooks only to https") != std::string::npos);
    CHECK(err.find("inbound " + std::string(k_number) + ": webhook " + listener_url + " (was " +
                   k_original + ")") != std::string::npos);
    CHECK(err.find("inbound " + std::string(k_number) + ": restored to " + k_original) !=
          std::string::npos);
    CHECK(err.find(k_key) == std::string::npos);

    Json capture = parse_json(read_file(log).substr(0, read_file(log).find('\n')));
    Json body = parse_json(capture["body"].get<std::string>());
    CHECK(body["inbound"] == true);
    CHECK(body["call_id"] == call_id);
    CHECK(body["to"] == k_number);
    CHECK(body["from"] == "+15555550123");
    CHECK(body["status"] == "completed");

    CHECK(webhook_of(scratch, emulate) == k_original);
    CHECK(pending_restores(scratch).empty());
    CHECK(process_gone(scratch.standin_pid("cloudflared")));
}

TEST_CASE("after SIGKILL the number still points at the dead listener until `inbound restore`") {
    HeldNumber held;
    auto& [scratch, emulate] = held;

    auto listen = start_blandhook({"listen", "--port", "0", "--no-save", "--tunnel", "cloudflared",
                                   "--inbound-number", k_number},
                                  scratch.options(emulate.url()));
    const std::string listener_url =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listen, "blandhook listening on", 20s));
    listen->signal(SIGKILL);
    listen->wait();
    // The tunnel does not outlive its listener, even one killed outright.
    CHECK(process_gone(scratch.standin_pid("cloudflared")));

    CHECK(webhook_of(scratch, emulate) == listener_url);
    auto pending = pending_restores(scratch);
    REQUIRE(pending.size() == 1);
    struct stat info {};
    REQUIRE(::stat(pending[0].c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(read_file(pending[0]).find(k_key) == std::string::npos);

    auto restored = run_blandhook({"inbound", "restore"}, scratch.options(emulate.url()));
    CHECK_MESSAGE(restored.exit_code == 0, restored.err);
    CHECK(restored.out == std::string(k_number) + ": restored to " + k_original + "\n");
    CHECK(webhook_of(scratch, emulate) == k_original);
    CHECK(pending_restores(scratch).empty());

    auto again = run_blandhook({"inbound", "restore"}, scratch.options(emulate.url()));
    CHECK(again.exit_code == 0);
    CHECK(again.out.find("nothing to restore") != std::string::npos);
}

TEST_CASE("the next listen start repairs a number a killed listener held") {
    HeldNumber held;
    auto& [scratch, emulate] = held;
    auto killed = start_blandhook(listen_holding(), scratch.options(emulate.url()));
    REQUIRE(killed->wait_for_line("blandhook listening on", 20s));
    killed->signal(SIGKILL);
    killed->wait();
    CHECK(webhook_of(scratch, emulate) != k_original);

    auto next =
        start_blandhook({"listen", "--port", "0", "--no-save"}, scratch.options(emulate.url()));
    REQUIRE(next->wait_for_line("blandhook listening on", 20s));
    next->signal(SIGINT);
    next->wait();
    CHECK(next->err().find("inbound " + std::string(k_number) + ": restored to " + k_original) !=
          std::string::npos);
    CHECK(webhook_of(scratch, emulate) == k_original);
}

TEST_CASE("a number held by a running listener is refused to a second one unless --force") {
    HeldNumber held;
    auto& [scratch, emulate] = held;
    auto first = start_blandhook(listen_holding(), scratch.options(emulate.url()));
    const std::string first_url =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*first, "blandhook listening on", 20s));

    auto refused =
        run_blandhook(listen_holding({"--timeout", "1s"}), scratch.options(emulate.url()));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("already points at another running listener") != std::string::npos);
    CHECK(refused.err.find(first_url) != std::string::npos);
    CHECK(webhook_of(scratch, emulate) == first_url);

    auto forced = start_blandhook(listen_holding({"--force"}), scratch.options(emulate.url()));
    REQUIRE(forced->wait_for_line("blandhook listening on", 20s));
    CHECK(webhook_of(scratch, emulate) != first_url);
    forced->signal(SIGTERM);
    forced->wait();
    // The number goes back to what it was before either listener, not to the first listener.
    CHECK(webhook_of(scratch, emulate) == k_original);
    first->signal(SIGINT);
    first->wait();
    CHECK(first->err().find("left as is") != std::string::npos);
    CHECK(webhook_of(scratch, emulate) == k_original);
    CHECK(pending_restores(scratch).empty());
}

TEST_CASE("listen --tunnel ngrok reads the URL from ngrok's agent API and stops ngrok") {
    HeldNumber held;
    auto& [scratch, emulate] = held;
    auto listen = start_blandhook(
        {"listen", "--port", "0", "--no-save", "--tunnel", "ngrok", "--inbound-number", k_number},
        scratch.options(emulate.url()));
    const std::string listener_url =
        "http://127.0.0.1:" + std::to_string(wait_for_port(*listen, "blandhook listening on", 20s));
    CHECK(webhook_of(scratch, emulate) == listener_url);
    CHECK(listen->err().find("public URL: " + listener_url + " (ngrok") != std::string::npos);
    listen->signal(SIGTERM);
    listen->wait();
    CHECK(webhook_of(scratch, emulate) == k_original);
    CHECK(process_gone(scratch.standin_pid("ngrok")));
}

TEST_CASE("a tunnel program that is not installed is a usage error with a hint") {
    Scratch scratch;
    ProcessOptions options = scratch.options("http://127.0.0.1:9");
    options.env["PATH"] = scratch.file("nothing-here");
    auto result = run_blandhook(k_listen_through_cloudflared, options);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("blandhook: error: --tunnel: cloudflared is not on PATH") !=
          std::string::npos);
    CHECK(result.err.find("hint:") != std::string::npos);
}

TEST_CASE("inbound commands share call's key handling and exit codes") {
    Scratch scratch;
    Emulate emulate;
    ProcessOptions options = scratch.options(emulate.url());

    options.env["BLAND_API_KEY"] = "sk-wrong-key";
    auto wrong = run_blandhook({"inbound", "list"}, options);
    CHECK(wrong.exit_code == 6);
    CHECK(wrong.err.find("HTTP 401") != std::string::npos);
    CHECK(wrong.err.find("sk-wrong-key") == std::string::npos);

    options.unset_env.push_back("BLAND_API_KEY");
    options.env.erase("BLAND_API_KEY");
    auto missing = run_blandhook({"inbound", "show", k_number}, options);
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("no API key") != std::string::npos);

    auto unreachable = run_blandhook(
        {"inbound", "list", "--api-key", "k", "--api-url", "http://127.0.0.1:9"}, options);
    CHECK(unreachable.exit_code == 3);

    auto bad_number = run_blandhook(
        {"inbound", "set-webhook", "555-0100", "https://x.example", "--api-key", "k"}, options);
    CHECK(bad_number.exit_code == 2);
    CHECK(bad_number.err.find("is not a phone number") != std::string::npos);

    options.env["BLAND_API_KEY"] = k_key;
    auto listed = run_blandhook(
        {"inbound", "set-webhook", k_number, "https://x.example/hook", "--events", "call,latency"},
        options);
    CHECK(listed.exit_code == 0);
    auto table = run_blandhook({"inbound", "list"}, options);
    CHECK(table.exit_code == 0);
    CHECK(table.out.find(std::string(k_number)) != std::string::npos);
    CHECK(table.out.find("https://x.example/hook") != std::string::npos);
    CHECK(table.out.find("call,latency") != std::string::npos);
}

TEST_CASE("deliver has a finished call's real webhook sent to a listener") {
    Scratch scratch;
    Emulate emulate;
    // A call placed without a webhook: nothing is sent when it ends.
    blandhook::http::Client client(blandhook::http::parse_url(emulate.url()));
    blandhook::http::Request request;
    request.target = "/v1/calls";
    request.headers = {{"authorization", k_key}, {"Content-Type", "application/json"}};
    request.body = R"({"phone_number":"+15555550486","task":"hi"})";
    auto placed = client.send(request);
    REQUIRE(placed.response);
    const std::string call_id = parse_json(placed.response->body)["call_id"].get<std::string>();
    for (int i = 0; i < 200; ++i) {
        blandhook::http::Request get;
        get.method = "GET";
        get.target = "/v1/calls/" + call_id;
        get.headers = {{"authorization", k_key}};
        auto answer = client.send(get);
        if (answer.response && parse_json(answer.response->body)["completed"] == true) {
            break;
        }
        std::this_thread::sleep_for(20ms);
    }

    const std::string log = scratch.file("delivered.ndjson");
    auto listen = start_blandhook(
        {"listen", "--port", "0", "--save", log, "--count", "1", "--timeout", "20s"},
        scratch.options(emulate.url()));
    const std::string url = "http://127.0.0.1:" +
                            std::to_string(wait_for_port(*listen, "blandhook listening on", 20s)) +
                            "/delivered";
    auto delivered =
        run_blandhook({"deliver", call_id, "--to", url}, scratch.options(emulate.url()));
    CHECK_MESSAGE(delivered.exit_code == 0, delivered.err);
    CHECK(delivered.out.find("post-call webhook of 1 call to " + url) != std::string::npos);
    REQUIRE(listen->wait(20s) == 0);
    Json capture = parse_json(read_file(log).substr(0, read_file(log).find('\n')));
    CHECK(capture["path"] == "/delivered");
    Json body = parse_json(capture["body"].get<std::string>());
    CHECK(body["call_id"] == call_id);
    CHECK(body["status"] == "busy");

    // Bland sends a call's webhook once this way: a second ask is an API error.
    auto twice = run_blandhook({"deliver", call_id, "--to", url}, scratch.options(emulate.url()));
    CHECK(twice.exit_code == 6);
    CHECK(twice.err.find("already sent") != std::string::npos);
}

TEST_CASE("listen --timeout puts the number back too") {
    HeldNumber held;
    auto& [scratch, emulate] = held;
    auto result = run_blandhook(
        listen_holding({"--public-url", "https://hooks.example.test/bland", "--timeout", "1s"}),
        scratch.options(emulate.url()));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
    CHECK(result.err.find("inbound " + std::string(k_number) +
                          ": webhook https://hooks.example.test/bland (was " + k_original + ")") !=
          std::string::npos);
    CHECK(result.err.find("is not https") == std::string::npos);
    CHECK(webhook_of(scratch, emulate) == k_original);
}

TEST_CASE("listen refuses what cannot give Bland a URL before touching any number") {
    Scratch scratch;
    ProcessOptions options = scratch.options("https://api.bland.ai");
    auto no_url = run_blandhook(listen_holding(), options);
    CHECK(no_url.exit_code == 2);
    CHECK(no_url.err.find("https://api.bland.ai cannot reach a listener on this machine") !=
          std::string::npos);
    CHECK(no_url.err.find("--tunnel cloudflared") != std::string::npos);

    auto both = run_blandhook({"listen", "--port", "0", "--no-save", "--tunnel", "ngrok",
                               "--public-url", "https://x.example"},
                              options);
    CHECK(both.exit_code == 2);

    options.env.erase("BLAND_API_KEY");
    options.unset_env.push_back("BLAND_API_KEY");
    auto no_key = run_blandhook(listen_holding({"--public-url", "https://x.example"}), options);
    CHECK(no_key.exit_code == 2);
    CHECK(no_key.err.find("no API key") != std::string::npos);
    CHECK(pending_restores(scratch).empty());
}

TEST_CASE("a pending restore on an emulator that is gone is forgotten, not kept forever") {
    Scratch scratch;
    std::string api_url;
    {
        Emulate emulate;
        api_url = emulate.url();
        auto killed = start_blandhook(listen_holding(), scratch.options(api_url));
        REQUIRE(killed->wait_for_line("blandhook listening on", 20s));
        killed->signal(SIGKILL);
        killed->wait();
    } // the emulator stops here, its numbers with it
    REQUIRE(pending_restores(scratch).size() == 1);
    auto restored = run_blandhook({"inbound", "restore"}, scratch.options(api_url));
    CHECK_MESSAGE(restored.exit_code == 0, restored.err);
    CHECK(restored.out.find("forgotten: the API at " + api_url + " is gone") != std::string::npos);
    CHECK(pending_restores(scratch).empty());
}

namespace {

// Options whose PATH finds `script` as cloudflared (in DIR of the scratch directory) and no other.
ProcessOptions with_cloudflared(const Scratch& scratch, const std::string& dir,
                                const std::string& script) {
    std::filesystem::create_directories(scratch.file(dir));
    write_file(scratch.file(dir + "/cloudflared"), script);
    ::chmod(scratch.file(dir + "/cloudflared").c_str(), 0755);
    ProcessOptions options = scratch.options("http://127.0.0.1:9");
    options.env["PATH"] = scratch.file(dir) + ":/usr/bin:/bin";
    return options;
}

} // namespace

TEST_CASE("a tunnel that ends without a URL is an error quoting what it printed") {
    Scratch scratch;
    ProcessOptions options = with_cloudflared(
        scratch, "broken",
        "#!/bin/sh\necho '2024-05-01T10:00:00Z ERR failed to request quick Tunnel: "
        "dial tcp: lookup api.trycloudflare.com: no such host' >&2\nexit 1\n");
    auto result = run_blandhook(k_listen_through_cloudflared, options);
    CHECK(result.exit_code == 3);
    CHECK(result.err.find("cloudflared ended without announcing a public URL") !=
          std::string::npos);
    CHECK(result.err.find("lookup api.trycloudflare.com: no such host") != std::string::npos);
    CHECK(result.out.find("blandhook listening on") == std::string::npos);
}

TEST_CASE("Ctrl-C while the tunnel starts ends listen at once: exit 130, the tunnel program "
          "stopped, no readiness line") {
    Scratch scratch;
    // A cloudflared that never announces a URL: listen would wait its whole 30 s for one.
    ProcessOptions options = with_cloudflared(
        scratch, "slow", "#!/bin/sh\necho $$ > \"$STANDIN_DIR/cloudflared.pid\"\nexec sleep 300\n");
    auto listen = start_blandhook(k_listen_through_cloudflared, options);
    for (int i = 0; i < 500 && !std::filesystem::exists(scratch.file("cloudflared.pid")); ++i) {
        std::this_thread::sleep_for(20ms);
    }
    REQUIRE(std::filesystem::exists(scratch.file("cloudflared.pid")));
    const int tunnel_pid = scratch.standin_pid("cloudflared");
    listen->signal(SIGINT);
    // Well under the 30 s the tunnel is given to announce its URL (wait() kills at 10 s).
    CHECK(listen->wait(10s) == 130);
    CHECK(process_gone(tunnel_pid));
    CHECK(listen->out().find("blandhook listening on") == std::string::npos);
}
