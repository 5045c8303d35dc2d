// golden_test: runs every tests/scripts/**/*.gil through `gilsim run FILE` and checks the
// expectation comments written in the script.
//
// Usage: golden_test GILSIM_BINARY SCRIPTS_DIR [--strict-syntax] [--filter SUBSTR] [--timeout SECS]
//
// Expectation comments (anywhere in a line, in file order):
//   # expect: TEXT              the next stdout line is exactly TEXT (one space after the colon is
//                               dropped, trailing whitespace of TEXT is stripped; "# expect:" alone
//                               means an empty line). stdout must hold exactly these lines.
//   # expect error: LAST_LINE   exit code 1, and the last non-empty stderr line is LAST_LINE. A
//                               LAST_LINE ending in "..." (e.g. "OverflowError: ...") only fixes
//                               the text before the dots, for gilsim-only errors whose message
//                               Python cannot dictate.
//   # expect syntax error: LINE:COL: MESSAGE
//                               exit code 2, nothing on stdout, and stderr's first line is
//                               "PATH:LINE:COL: message". LINE is always compared; COL and
//                               MESSAGE (a substring of the message) only with --strict-syntax.
// A script without any expectation fails ("no expectations"), so nothing passes vacuously.
// A run that is killed by a signal, hangs past the timeout (default 20 s), or fails without a
// word on stderr always fails.
//
// Prints "ok   NAME" or "FAIL NAME: reason" per script, then "N passed, M failed".
// Exit code 0 iff M == 0 and N > 0; 2 on bad usage.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxCapture = 16u << 20;  // per stream; a runaway print loop is a failure

struct SyntaxExpectation {
  long line = 0;
  long col = 0;
  std::string message;
  int source_line = 0;  // where the comment is, for messages
};

struct Expectations {
  std::vector<std::string> stdout_lines;
  std::optional<std::string> error_last_line;
  std::optional<SyntaxExpectation> syntax;
  std::vector<std::string> problems;  // malformed or contradictory expectation comments
  bool any = false;
};

struct RunResult {
  std::string out;
  std::string err;
  bool spawned = false;
  std::string spawn_error;
  bool timed_out = false;
  bool too_much_output = false;
  bool exited = false;
  int exit_code = -1;
  bool signaled = false;
  int signal = 0;
};

std::string rstrip(std::string_view s) {
  std::size_t n = s.size();
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n' ||
                   s[n - 1] == '\f' || s[n - 1] == '\v'))
    --n;
  return std::string(s.substr(0, n));
}

std::string strip(std::string_view s) {
  std::string r = rstrip(s);
  std::size_t i = 0;
  while (i < r.size() && (r[i] == ' ' || r[i] == '\t')) ++i;
  return r.substr(i);
}

// Splits on '\n'. A final newline does not start another (empty) line.
std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      break;
    }
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Parses "LINE:COL: MESSAGE" (COL and MESSAGE optional only in the sense that a malformed one is
// reported as a problem).
std::optional<SyntaxExpectation> parse_syntax_expectation(const std::string& text) {
  SyntaxExpectation e;
  const char* p = text.c_str();
  char* end = nullptr;
  errno = 0;
  e.line = std::strtol(p, &end, 10);
  if (end == p || errno != 0 || e.line <= 0 || *end != ':') return std::nullopt;
  p = end + 1;
  e.col = std::strtol(p, &end, 10);
  if (end == p || errno != 0 || e.col <= 0 || *end != ':') return std::nullopt;
  e.message = strip(end + 1);
  return e;
}

Expectations parse_expectations(const fs::path& file) {
  Expectations ex;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ex.problems.push_back("cannot read the script");
    return ex;
  }
  static constexpr std::string_view kSyntax = "# expect syntax error:";
  static constexpr std::string_view kError = "# expect error:";
  static constexpr std::string_view kOut = "# expect:";
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::size_t pos;
    if ((pos = line.find(kSyntax)) != std::string::npos) {
      ex.any = true;
      std::string rest = line.substr(pos + kSyntax.size());
      auto parsed = parse_syntax_expectation(strip(rest));
      if (!parsed) {
        ex.problems.push_back("line " + std::to_string(lineno) +
                              ": malformed '# expect syntax error: LINE:COL: MESSAGE'");
      } else if (ex.syntax) {
        ex.problems.push_back("line " + std::to_string(lineno) +
                              ": second syntax error expectation");
      } else {
        parsed->source_line = lineno;
        ex.syntax = *parsed;
      }
    } else if ((pos = line.find(kError)) != std::string::npos) {
      ex.any = true;
      std::string text = strip(line.substr(pos + kError.size()));
      if (text.empty())
        ex.problems.push_back("line " + std::to_string(lineno) + ": empty '# expect error:'");
      else if (ex.error_last_line)
        ex.problems.push_back("line " + std::to_string(lineno) + ": second '# expect error:'");
      else
        ex.error_last_line = text;
    } else if ((pos = line.find(kOut)) != std::string::npos) {
      ex.any = true;
      std::string_view rest = std::string_view(line).substr(pos + kOut.size());
      if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      ex.stdout_lines.push_back(rstrip(rest));
    }
  }
  if (ex.syntax && ex.error_last_line)
    ex.problems.emplace_back("both '# expect error:' and '# expect syntax error:'");
  if (ex.syntax && !ex.stdout_lines.empty())
    ex.problems.emplace_back("'# expect:' output in a script that must not compile");
  return ex;
}

void close_fd(int& fd) {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

// Runs BINARY run SCRIPT with stdin from /dev/null, capturing stdout and stderr concurrently.
// The child leads its own process group so that a timeout kills everything it started.
RunResult run_child(const std::string& binary, const std::string& script,
                    std::chrono::milliseconds timeout) {
  RunResult r;
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = std::string("pipe: ") + std::strerror(errno);
    close_fd(out_pipe[0]);
    close_fd(out_pipe[1]);
    return r;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &default_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args_storage = {binary, "run", "-q", script};
  std::vector<char*> argv;
  for (auto& a : args_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, binary.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  if (rc != 0) {
    r.spawn_error = std::string("cannot start ") + binary + ": " + std::strerror(rc);
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    return r;
  }
  r.spawned = true;

  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  auto ms_until = [](clock::time_point t) -> int {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - clock::now()).count();
    return left > 0 ? static_cast<int>(std::min<long long>(left, 1 << 30)) : 0;
  };

  int fds[2] = {out_pipe[0], err_pipe[0]};
  std::string* sinks[2] = {&r.out, &r.err};
  bool kill_it = false;
  bool reaped = false;
  int status = 0;
  clock::time_point drain_deadline{};
  char buf[65536];
  while (fds[0] >= 0 || fds[1] >= 0) {
    if (!reaped && ms_until(deadline) == 0) {
      r.timed_out = true;
      kill_it = true;
      break;
    }
    // The child has exited but something it started still holds a pipe: stop waiting soon.
    if (reaped && ms_until(drain_deadline) == 0) break;
    pollfd pfd[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) {
        pfd[n] = {fds[i], POLLIN, 0};
        which[n] = i;
        ++n;
      }
    }
    // Wake up now and then to notice an exited child even while its pipes stay open.
    int ms = std::min(reaped ? ms_until(drain_deadline) : ms_until(deadline), 50);
    int ready = ::poll(pfd, n, ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      r.spawn_error = std::string("poll: ") + std::strerror(errno);
      kill_it = true;
      break;
    }
    for (nfds_t k = 0; k < n; ++k) {
      if (pfd[k].revents == 0) continue;
      int i = which[k];
      ssize_t got = ::read(fds[i], buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
        if (sinks[i]->size() > kMaxCapture) {
          r.too_much_output = true;
          kill_it = true;
        }
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        close_fd(fds[i]);
      }
    }
    if (kill_it) break;
    if (!reaped) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        reaped = true;
        drain_deadline = clock::now() + std::chrono::seconds(1);
      }
    }
  }

  // Both pipes are at EOF (or we gave up): reap the child, still honouring the deadline in case
  // it closed its output and kept running.
  while (!reaped) {
    if (kill_it) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    if (ms_until(deadline) == 0) {
      r.timed_out = true;
      kill_it = true;
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Kill leftovers of the child's process group (e.g. a background process it started).
  ::kill(-pid, SIGKILL);
  close_fd(fds[0]);
  close_fd(fds[1]);

  if (WIFEXITED(status)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signaled = true;
    r.signal = WTERMSIG(status);
  }
  return r;
}

std::string show(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      r += '\\';
      r += static_cast<char>(c);
    } else if (c == '\t') {
      r += "\\t";
    } else if (c == '\r') {
      r += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      r += hex;
    } else {
      r += static_cast<char>(c);
    }
  }
  return r + "\"";
}

std::string last_nonempty_line(const std::string& text) {
  auto lines = split_lines(text);
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string s = rstrip(*it);
    if (!strip(s).empty()) return s;
  }
  return {};
}

std::string first_line(const std::string& text) {
  auto lines = split_lines(text);
  return lines.empty() ? std::string() : rstrip(lines.front());
}

// A short diff of expected vs got stdout, starting at the first differing line.
std::string output_diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  std::size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  std::ostringstream os;
  os << "stdout differs at line " << (i + 1) << " (expected " << want.size() << " lines, got "
     << got.size() << ")";
  constexpr std::size_t kShow = 5;
  if (i > 0) os << "\n       = " << show(want[i - 1]);
  for (std::size_t k = i; k < want.size() && k < i + kShow; ++k)
    os << "\n       - " << show(want[k]);
  if (want.size() > i + kShow) os << "\n       - ... (" << (want.size() - i - kShow) << " more)";
  if (want.size() <= i) os << "\n       - (no more lines expected)";
  for (std::size_t k = i; k < got.size() && k < i + kShow; ++k) os << "\n       + " << show(got[k]);
  if (got.size() > i + kShow) os << "\n       + ... (" << (got.size() - i - kShow) << " more)";
  if (got.size() <= i) os << "\n       + (no more lines printed)";
  return os.str();
}

bool error_line_matches(const std::string& want, const std::string& got) {
  static constexpr std::string_view kDots = "...";
  if (want.size() >= kDots.size() &&
      want.compare(want.size() - kDots.size(), kDots.size(), kDots) == 0) {
    std::string prefix = want.substr(0, want.size() - kDots.size());
    return got.compare(0, prefix.size(), prefix) == 0;
  }
  return want == got;
}

std::string describe_exit(const RunResult& r) {
  if (r.signaled) {
    const char* name = ::strsignal(r.signal);
    return "killed by signal " + std::to_string(r.signal) +
           (name ? std::string(" (") + name + ")" : "");
  }
  return "exit code " + std::to_string(r.exit_code);
}

// Checks a syntax error's first stderr line: PATH:LINE:COL: MESSAGE.
std::optional<std::string> check_syntax_line(const std::string& line,
                                             const std::string& script_path,
                                             const SyntaxExpectation& want, bool strict) {
  // Find ":LINE:" after a path that is the script path or ends in the script's file name.
  const std::string name = fs::path(script_path).filename().string();
  std::size_t path_end = std::string::npos;
  if (line.compare(0, script_path.size(), script_path) == 0 && line.size() > script_path.size() &&
      line[script_path.size()] == ':') {
    path_end = script_path.size();
  } else {
    std::size_t at = line.find(name + ":");
    if (at != std::string::npos && (at == 0 || line[at - 1] == '/')) path_end = at + name.size();
  }
  if (path_end == std::string::npos)
    return "stderr's first line does not start with the script path: " + show(line);
  const char* p = line.c_str() + path_end + 1;
  char* end = nullptr;
  long got_line = std::strtol(p, &end, 10);
  if (end == p || *end != ':')
    return "stderr's first line has no LINE after the path: " + show(line);
  if (got_line != want.line)
    return "syntax error reported at line " + std::to_string(got_line) + ", expected line " +
           std::to_string(want.line) + ": " + show(line);
  if (!strict) return std::nullopt;
  p = end + 1;
  long got_col = std::strtol(p, &end, 10);
  if (end == p || *end != ':') return "stderr's first line has no COL after LINE: " + show(line);
  if (got_col != want.col)
    return "syntax error reported at column " + std::to_string(got_col) + ", expected column " +
           std::to_string(want.col) + ": " + show(line);
  std::string message = end + 1;
  if (message.find(want.message) == std::string::npos)
    return "syntax error message lacks " + show(want.message) + ": " + show(line);
  return std::nullopt;
}

// Returns the failure reason, or nullopt if the script passed.
std::optional<std::string> check_script(const std::string& binary, const fs::path& script,
                                        bool strict_syntax, std::chrono::milliseconds timeout) {
  Expectations ex = parse_expectations(script);
  if (!ex.problems.empty()) {
    std::string all = "bad expectations: " + ex.problems.front();
    for (std::size_t i = 1; i < ex.problems.size(); ++i) all += "; " + ex.problems[i];
    return all;
  }
  if (!ex.any) return "no expectations (add '# expect:' comments)";

  const std::string path = script.string();
  RunResult r = run_child(binary, path, timeout);
  if (!r.spawned) return r.spawn_error;
  if (r.timed_out) {
    std::ostringstream os;
    os << "timeout: still running after " << static_cast<double>(timeout.count()) / 1000.0
       << " s (hang?); killed";
    return os.str();
  }
  if (r.too_much_output)
    return "more than " + std::to_string(kMaxCapture >> 20) + " MiB of output; killed";
  if (r.signaled) {
    std::string tail = last_nonempty_line(r.err);
    return "crashed: " + describe_exit(r) + (tail.empty() ? "" : "; stderr: " + show(tail));
  }
  if (!r.exited) return "child status unknown";

  std::vector<std::string> got_out = split_lines(r.out);
  std::string stdout_note;
  if (!r.out.empty() && r.out.back() != '\n') stdout_note = " (stdout does not end with a newline)";

  const int want_code = ex.syntax ? 2 : ex.error_last_line ? 1 : 0;
  if (r.exit_code != want_code) {
    std::string why =
        "expected exit code " + std::to_string(want_code) + ", got " + describe_exit(r);
    std::string tail = last_nonempty_line(r.err);
    if (!tail.empty()) why += "; last stderr line: " + show(tail);
    if (ex.syntax) why += "; expected a syntax error at line " + std::to_string(ex.syntax->line);
    if (ex.error_last_line) why += "; expected " + show(*ex.error_last_line);
    if (got_out != ex.stdout_lines) why += "\n       " + output_diff(ex.stdout_lines, got_out);
    return why;
  }
  if (want_code != 0 && strip(r.err).empty()) return describe_exit(r) + " but nothing on stderr";

  if (ex.syntax) {
    if (!r.out.empty())
      return "a script that does not compile printed to stdout: " + show(first_line(r.out));
    if (auto bad = check_syntax_line(first_line(r.err), path, *ex.syntax, strict_syntax))
      return bad;
    return std::nullopt;
  }
  if (got_out != ex.stdout_lines) return output_diff(ex.stdout_lines, got_out) + stdout_note;
  if (!stdout_note.empty()) return stdout_note.substr(2, stdout_note.size() - 3);
  if (ex.error_last_line) {
    std::string got = last_nonempty_line(r.err);
    if (!error_line_matches(*ex.error_last_line, got))
      return "last stderr line is " + show(got) + ", expected " + show(*ex.error_last_line);
  }
  return std::nullopt;
}

[[noreturn]] void usage(const char* msg) {
  std::cerr << "golden_test: " << msg << "\n"
            << "usage: golden_test GILSIM_BINARY SCRIPTS_DIR [--strict-syntax] [--filter SUBSTR] "
               "[--timeout SECS]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  bool strict_syntax = false;
  std::string filter;
  double timeout_s = 20.0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--strict-syntax") {
      strict_syntax = true;
    } else if (a == "--filter") {
      if (++i >= argc) usage("--filter needs an argument");
      filter = argv[i];
    } else if (a == "--timeout") {
      if (++i >= argc) usage("--timeout needs an argument");
      char* end = nullptr;
      timeout_s = std::strtod(argv[i], &end);
      if (end == argv[i] || *end != '\0' || !(timeout_s > 0)) usage("bad --timeout value");
    } else if (a == "-h" || a == "--help") {
      usage("runs golden tests");
    } else if (!a.empty() && a[0] == '-') {
      usage(("unknown option " + a).c_str());
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2) usage("expected GILSIM_BINARY and SCRIPTS_DIR");
  const std::string binary = positional[0];
  const fs::path dir = positional[1];

  if (::access(binary.c_str(), X_OK) != 0) {
    std::cerr << "golden_test: " << binary << " is not an executable file: " << std::strerror(errno)
              << "\n";
    return 2;
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    std::cerr << "golden_test: " << dir.string() << " is not a directory\n";
    return 2;
  }

  std::vector<fs::path> scripts;
  for (auto it = fs::recursive_directory_iterator(
           dir, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".gil") scripts.push_back(it->path());
  }
  if (ec) {
    std::cerr << "golden_test: cannot list " << dir.string() << ": " << ec.message() << "\n";
    return 2;
  }
  std::sort(scripts.begin(), scripts.end(), [](const fs::path& a, const fs::path& b) {
    return a.generic_string() < b.generic_string();
  });

  ::signal(SIGPIPE, SIG_IGN);
  const auto timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));

  int passed = 0;
  int failed = 0;
  for (const auto& script : scripts) {
    std::string name = script.lexically_relative(dir).generic_string();
    if (name.empty() || name.rfind("..", 0) == 0) name = script.generic_string();
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    auto failure = check_script(binary, script, strict_syntax, timeout);
    if (failure) {
      ++failed;
      std::cout << "FAIL " << name << ": " << *failure << "\n";
    } else {
      ++passed;
      std::cout << "ok   " << name << "\n";
    }
    std::cout.flush();
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return (failed == 0 && passed > 0) ? 0 : 1;
}
