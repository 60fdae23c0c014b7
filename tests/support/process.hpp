#pragma once
// Runs the built blandhook binary (or any program) as a user would, for tests/cli and
// tests/integration: argv in, stdout, stderr and exit code out, always with a deadline.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blandhook::test {

/// Path of the blandhook binary under test.
std::string binary_path();
/// The source tree (for fixtures/, completions/ …).
std::string source_dir();

struct ProcessOptions {
    std::string stdin_data;                    ///< written to the child's stdin, then closed
    std::map<std::string, std::string> env;    ///< added to (or overriding) the environment
    std::vector<std::string> unset_env;        ///< removed from the environment
    std::string cwd;                           ///< working directory, "" for ours
    std::chrono::milliseconds timeout{30'000}; ///< killed with SIGKILL after this
};

struct ProcessResult {
    int exit_code = -1; ///< exit status, or 128+signal when killed by a signal
    bool timed_out = false;
    std::string out;
    std::string err;
};

/// Runs `argv` (argv[0] is a path or a name looked up in PATH) to completion.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

/// Runs the blandhook binary with `args`.
ProcessResult run_blandhook(const std::vector<std::string>& args,
                            const ProcessOptions& options = {});

/// A program running in the background (a listener, the emulator). Killed on destruction.
class Child {
public:
    Child(const std::vector<std::string>& argv, const ProcessOptions& options = {});
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    /// Reads stdout until a line containing `needle` arrives; returns that line, or nullopt when
    /// the deadline passes or the child exits first.
    std::optional<std::string>
    wait_for_line(const std::string& needle,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Waits until stderr holds a whole line containing `needle`; returns it (nullopt when the
    /// deadline passes or the child exits first). Lines are not consumed.
    std::optional<std::string>
    wait_for_err_line(const std::string& needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Sends `signal` (SIGINT, SIGTERM …).
    void signal(int signal);
    /// Waits for exit (SIGKILL after `timeout`); returns the exit code as in ProcessResult.
    int wait(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Everything read from stdout / stderr so far (reads what is pending, without blocking).
    const std::string& out();
    const std::string& err();
    int pid() const { return m_pid; }

private:
    void pump(int timeout_ms);
    int m_pid = -1;
    int m_out_fd = -1;
    int m_err_fd = -1;
    std::string m_out;
    std::string m_err;
    std::size_t m_scanned = 0;
    std::optional<int> m_exit_code;
};

/// Starts `blandhook ARGS…` in the background.
std::unique_ptr<Child> start_blandhook(const std::vector<std::string>& args,
                                       const ProcessOptions& options = {});

/// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return m_path; }
    /// path()/name
    std::string file(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

/// Writes a fresh self-signed certificate for 127.0.0.1 (and localhost) and its key into `dir`
/// as cert.pem and key.pem, with the openssl command; false when it fails.
bool make_self_signed_cert(const TempDir& dir);

/// Whole contents of a file ("" when it does not exist).
std::string read_file(const std::string& path);
/// Writes `data` to `path`, replacing it.
void write_file(const std::string& path, const std::string& data);

/// Parses the port out of a readiness line such as "… http://127.0.0.1:41234 …".
int port_from_line(const std::string& line);

/// Waits for the stdout line of `child` holding `needle` (a readiness line such as "listening on
/// http://127.0.0.1:41234") and returns the port in it; the test fails when none comes in time.
int wait_for_port(Child& child, const std::string& needle = "listening on",
                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// The port of a running `blandhook listen`'s inspector, from the "inspector:" banner line on
/// stderr; the test fails when none comes in time.
int inspector_port(Child& listener);

} // namespace blandhook::test
