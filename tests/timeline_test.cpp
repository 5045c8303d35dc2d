// The HTML timeline in a real browser: runs scripts on the engine (and one synthetic run of a
// million events), writes each page, loads it in headless Chromium (one browser for all, driven by
// tests/timeline_pages.js under node) and reads back the status the
// page's own code writes on <body> once it has drawn: data-status="ok", no errors, the number of
// lanes, the draw time. A copy of each page with the test's driver (timeline_selftest.js) inline
// also zooms, pans and hovers through the run. Screenshots are saved next to the pages for a person
// to look at.
//
//   timeline_test OUTDIR --driver tests/timeline_selftest.js [--chromium PATH] [--node PATH]
//
// Exit status: 0 passed, 1 failed, 77 skipped (no Chromium or node: `apt-get install chromium
// nodejs`). The pages' driver for node is timeline_pages.js, beside timeline_selftest.js.
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gil/record/intervals.h"
#include "tests/engine_support.h"
#include "tools/export/report.h"
#include "tools/export/timeline_html.h"

using namespace gilsim;
namespace fs = std::filesystem;

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    ++failures;
    fmt::print(stderr, "FAIL: {}\n", what);
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string file_url(const fs::path& p) {
  std::string out = "file://";
  for (unsigned char c : fs::absolute(p).string()) {
    if (isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

// `given` if it is executable, else $ENV_VAR's, else the first of `names` on PATH; "" if none.
std::string find_program(const std::string& given, const char* env_var,
                         std::initializer_list<const char*> names) {
  if (!given.empty()) return access(given.c_str(), X_OK) == 0 ? given : "";
  if (const char* env = std::getenv(env_var); env && access(env, X_OK) == 0) return env;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  std::vector<std::string> dirlist;
  while (std::getline(dirs, dir, ':')) dirlist.push_back(dir);
  for (const char* name : names)
    for (const auto& d : dirlist) {
      std::string p = d + "/" + name;
      if (access(p.c_str(), X_OK) == 0) return p;
    }
  return "";
}

// The pages to open, all in one Chromium (tests/timeline_pages.js over the DevTools protocol):
// each job keeps the DOM after load or a screenshot.
struct Browser {
  std::string binary;  // Chromium
  std::string node;
  std::string pages_js;  // tests/timeline_pages.js
  fs::path scratch;
  nlohmann::json jobs = nlohmann::json::array();

  void dump_dom(const std::string& url, const fs::path& to) {
    fs::remove(to);
    jobs.push_back({{"url", url}, {"dom", to.string()}});
  }
  void screenshot(const std::string& url, const fs::path& to) {
    fs::remove(to);
    jobs.push_back({{"url", url}, {"screenshot", to.string()}});
  }
  // Opens every page; what failed is said on stderr (and shows as a missing output).
  void run() {
    fs::path list = scratch / "jobs.json";
    std::ofstream(list) << jobs.dump(1);
    std::string cmd =
        fmt::format("timeout 600 {} {} {} {} {}", shell_quote(node), shell_quote(pages_js),
                    shell_quote(list.string()), shell_quote(binary), shell_quote(scratch.string()));
    if (int rc = std::system(cmd.c_str()); rc != 0)
      fmt::print(stderr, "timeline_pages.js exited with {}\n", rc);
  }
};

std::map<std::string, std::string> body_attributes(const std::string& dom) {
  std::map<std::string, std::string> attrs;
  // The element, not a mention of it in a comment of the page's head.
  size_t a = dom.find("<body data-");
  size_t b = a == std::string::npos ? a : dom.find('>', a);
  if (b == std::string::npos) return attrs;
  std::string inside = dom.substr(a + 5, b - a - 5);
  std::regex attr("([a-zA-Z-]+)=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(inside.begin(), inside.end(), attr);
       it != std::sregex_iterator(); ++it)
    attrs[(*it)[1].str()] = (*it)[2].str();
  return attrs;
}

// The JSON block of a written page, parsed back.
nlohmann::json page_json(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"gilsim-data\">";
  size_t a = html.find(open);
  if (a == std::string::npos) return nullptr;
  a += open.size();
  size_t b = html.find("</script>", a);
  if (b == std::string::npos) return nullptr;
  return nlohmann::json::parse(html.substr(a, b - a), nullptr, false);
}

struct Case {
  std::string name;
  RunRecord record;
  Metrics metrics;
  bool screenshot = false;
  // A page of several runs (gilsim compare --timeline): these, drawn on one axis; `record` is
  // then a copy of the first, for the checks that look at a run.
  std::vector<Case> runs{};
};

struct Outcome {
  std::string name;
  size_t events = 0;
  size_t bytes = 0;
  std::map<std::string, std::string> attrs;
  double write_ms = 0;
};

// The page with the test's driver run after the page's own code, as the last thing in <body>.
std::string with_driver(const std::string& html, const std::string& driver) {
  size_t at = html.rfind("</body>");
  if (at == std::string::npos) return html;
  return html.substr(0, at) + "<script>\n" + driver + "</script>\n" + html.substr(at);
}

// The lanes gilsim.span() and counter() add: one under each thread with spans, one per counter
// (process and label).
size_t annotation_lanes(const RunRecord& run) {
  std::set<int> with_spans;
  std::set<std::pair<int, std::int32_t>> counters;
  for (const Event& e : run.events) {
    if (e.kind == EventKind::SpanBegin) with_spans.insert(e.thread);
    if (e.kind == EventKind::Counter)
      counters.insert({run.threads[static_cast<size_t>(e.thread)].gil, e.code});
  }
  return with_spans.size() + counters.size();
}

fs::path page_path(const fs::path& outdir, const Case& c, const char* kind) {
  return outdir / fmt::format("timeline_{}{}", c.name, kind);
}

// Writes the page users get and a copy with the test's driver, checks the page's text, and asks
// the browser for the driven copy's DOM and, for some, screenshots.
Outcome write_case(Browser& browser, const Case& c, const fs::path& outdir,
                   const std::string& driver) {
  Outcome o;
  o.name = c.name;
  o.events = c.record.events.size();
  fs::path page = page_path(outdir, c, ".html");
  auto t0 = std::chrono::steady_clock::now();
  {
    std::ofstream out(page, std::ios::binary);
    std::vector<TimelineRun> runs;
    for (const Case& r : c.runs) runs.push_back({&r.record, &r.metrics});
    if (runs.empty())
      write_timeline_html(c.record, c.metrics, out);
    else
      write_compare_timeline_html(runs, out);
  }
  o.write_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::string html = read_file(page);
  o.bytes = html.size();

  // Self-contained: nothing is fetched, and the data reads back as JSON.
  check(html.find("<link") == std::string::npos, c.name + ": the page links nothing");
  check(html.find(" src=") == std::string::npos, c.name + ": the page loads no script or image");
  // The SVG export names the SVG namespace, an identifier that nothing fetches: not counted.
  std::string unnamespaced = html;
  for (size_t at; (at = unnamespaced.find("http://www.w3.org/2000/svg")) != std::string::npos;)
    unnamespaced.erase(at, 26);
  check(unnamespaced.find("http://") == std::string::npos &&
            unnamespaced.find("https://") == std::string::npos,
        c.name + ": no web addresses in the page");
  check(
      html.find("selftest") == std::string::npos && html.find("dispatchEvent") == std::string::npos,
      c.name + ": the page users get carries no test driver");
  nlohmann::json data = page_json(html);
  check(data.is_object(), c.name + ": the data block parses as JSON");
  if (data.is_object() && !c.runs.empty()) {
    check(data["format"] == "gilsim-compare" && data["runs"].size() == c.runs.size(),
          c.name + ": a data entry per run");
  } else if (data.is_object()) {
    check(data["threads"].size() == c.record.threads.size(), c.name + ": a data entry per thread");
    for (size_t t = 0; t < c.record.threads.size() && t < data["threads"].size(); ++t)
      check(data["threads"][t]["label"] == c.record.threads[t].label,
            c.name + ": thread labels survive escaping");
  }

  fs::path driven = page_path(outdir, c, ".selftest.html");
  {
    std::ofstream out(driven, std::ios::binary);
    out << with_driver(html, driver);
  }
  browser.dump_dom(file_url(driven), page_path(outdir, c, ".dom.html"));
  if (c.screenshot) {
    browser.screenshot(file_url(page), page_path(outdir, c, ".png"));
    // The page opened in presentation mode (#present), as a lecturer's link would.
    browser.screenshot(file_url(page) + "#present", page_path(outdir, c, "_present.png"));
  }
  return o;
}

// What the driver saw, and the screenshots.
void check_case(const Case& c, const fs::path& outdir, Outcome& o) {
  std::string dom = read_file(page_path(outdir, c, ".dom.html"));
  check(!dom.empty(), c.name + ": the page's DOM was read");
  o.attrs = body_attributes(dom);
  auto attr = [&](const std::string& k) {
    auto it = o.attrs.find(k);
    return it == o.attrs.end() ? std::string() : it->second;
  };
  size_t expected_lanes = c.record.threads.size() +
                          (c.record.exclusive ? c.record.gils.size() : 0) +
                          annotation_lanes(c.record);
  bool annotated = std::any_of(c.record.events.begin(), c.record.events.end(),
                               [](const Event& e) { return is_annotation(e.kind); });
  if (!c.runs.empty()) {
    expected_lanes = 0;
    for (const Case& r : c.runs)
      expected_lanes +=
          1 + r.record.threads.size() + (r.record.exclusive ? r.record.gils.size() : 0);
  }
  check(attr("data-status") == "ok",
        fmt::format("{}: page status '{}' (errors: {})", c.name, attr("data-status"),
                    dom.find("id=\"errors\"") != std::string::npos
                        ? dom.substr(dom.find("id=\"errors\""), 600)
                        : std::string("?")));
  check(attr("data-errors") == "0", c.name + ": no script errors, got " + attr("data-errors"));
  check(attr("data-lanes") == std::to_string(expected_lanes),
        fmt::format("{}: {} lanes drawn, expected {}", c.name, attr("data-lanes"), expected_lanes));
  check(!attr("data-selftest-frames").empty(), c.name + ": the driver ran");
  check(attr("data-selftest-zoom") == "ok",
        c.name + ": wheel zooms in and reset shows the whole run");
  if (!c.record.threads.empty())
    check(attr("data-tooltip-lines") != "" && attr("data-tooltip-lines") != "0",
          c.name + ": hovering a lane gives a tooltip");
  if (c.record.exclusive &&
      std::stoi(attr("data-handoffs").empty() ? "0" : attr("data-handoffs")) > 0)
    check(attr("data-arrows") != "0", c.name + ": hand-off arrows appear when zoomed in");
  check(attr("data-present") == "ok",
        c.name + ": presentation mode by its keys: " + attr("data-present"));
  if (c.record.wall > 0)
    check(attr("data-ticks-inside") == "ok",
          c.name + ": every time-axis label whole inside the plot: " + attr("data-ticks-inside"));
  if (!attr("data-wait-tip").empty())
    check(attr("data-wait-tip").find("why: back from io() / sleep(), asking for the GIL again") !=
                  std::string::npos &&
              attr("data-wait-tip").find("reason: io") == std::string::npos,
          c.name + ": a waiting slice after I/O says why it waits: " + attr("data-wait-tip"));
  for (const ThreadInfo& ti : c.record.threads)
    if (ti.failed)
      check(dom.find(ti.label + " died of an uncaught error: " + exception_line(ti.traceback)) !=
                    std::string::npos &&
                dom.find("<pre class=\"traceback\">") != std::string::npos,
            c.name + ": the banner names the exception and shows the traceback");
  if (!c.record.functions.empty() && c.record.exclusive)
    check(std::regex_search(attr("data-code-tip"), std::regex("code: [^,|]+, line [0-9]+")),
          c.name + ": a running slice's tooltip says where the code was: " + attr("data-code-tip"));
  check(attr("data-replay") == "ok",
        c.name + ": replay steps to a hand-off and names the holder: " + attr("data-replay"));
  if (!c.runs.empty()) {
    check(attr("data-blocks") == std::to_string(c.runs.size()),
          c.name + ": a block of lanes per run, each under its header: " + attr("data-blocks"));
    Nanos longest = 0;
    for (const Case& r : c.runs) longest = std::max(longest, r.record.wall);
    check(std::abs(std::stod(attr("data-axis-us").empty() ? "0" : attr("data-axis-us")) -
                   static_cast<double>(longest) / 1000.0) < 0.2,
          c.name + ": one time axis, as long as the longest run: " + attr("data-axis-us"));
  }
  check(o.attrs.find("data-pwned") == o.attrs.end(), c.name + ": names are not run as code");
  if (annotated)
    check(attr("data-annotations") == "ok",
          c.name +
              ": every mark, span and counter drawn, in its colours: " + attr("data-annotations"));
  else
    check(attr("data-annotations") == "none", c.name + ": no annotation drawn where none was made");
  check(dom.find("<script>document.body") == std::string::npos,
        c.name + ": no markup from a name reaches the DOM");

  if (c.screenshot) {
    for (const char* kind : {".png", "_present.png"}) {
      fs::path png = page_path(outdir, c, kind);
      check(fs::exists(png) && fs::file_size(png) > 10000, c.name + ": screenshot " + png.string());
    }
  }
}

Case engine_case(const std::string& name, const std::string& policy, const std::string& script,
                 EngineOptions opt = {}, bool screenshot = false, bool clean = true) {
  test::EngineRun r = test::run_on_engine(policy, script, opt);
  if (clean && !r.err.empty()) fmt::print(stderr, "{}: script errors:\n{}\n", name, r.err);
  if (clean) check(r.record.exit_code == 0, name + ": the script ran cleanly");
  r.record.script = name.substr(0, name.find('_')) + ".gil";
  return Case{name, std::move(r.record), std::move(r.metrics), screenshot};
}

// A run of about `target` events, made up without the engine: four CPU-bound threads sharing one
// GIL with a short switch interval, some going to I/O now and then, the main thread joining them.
RunRecord synthetic_run(size_t target) {
  RunRecord run;
  run.script = "synthetic: 4 threads, 50 µs switch interval";
  run.policy = "modern";
  run.params.switch_interval = 50'000;
  run.gils.push_back(GilInfo{"MainProcess"});
  const int workers = 4;
  run.threads.push_back(ThreadInfo{0, "MainThread", "MainThread", -1, 0});
  for (int i = 1; i <= workers; ++i) {
    std::string n = fmt::format("Thread-{} (work)", i);
    run.threads.push_back(ThreadInfo{i, n, n, 0, 0});
  }
  std::vector<Event>& ev = run.events;
  auto emit = [&](Nanos t, int th, EventKind k, Reason r = Reason::None, std::int64_t arg = 0) {
    ev.push_back(Event{t, arg, th, k, r, 0});
  };
  std::uint64_t seed = 42;
  auto rnd = [&](int lo, int hi) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<int>((seed >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  std::vector<std::uint64_t> steps(workers + 1, 0);
  std::vector<Nanos> requested(workers + 1, 0);
  Nanos t = 0;
  emit(0, 0, EventKind::Spawn, Reason::None, -1);
  emit(0, 0, EventKind::Request, Reason::Start);
  emit(1000, 0, EventKind::Acquire, Reason::None, 1000);
  t = 1000;
  std::vector<int> queue;
  for (int i = 1; i <= workers; ++i) {
    t += 2000;
    emit(t, i, EventKind::Spawn, Reason::None, 0);
    emit(t, i, EventKind::Request, Reason::Start);
    requested[static_cast<size_t>(i)] = t;
    queue.push_back(i);
  }
  t += 1000;
  steps[0] = 40;
  emit(t, 0, EventKind::Release, Reason::Join, 40);
  emit(t, 0, EventKind::BlockBegin, Reason::Join, 1);
  std::vector<std::pair<Nanos, int>> in_io;  // (return time, thread)
  int holder = -1;
  while (ev.size() < target) {
    // Threads whose I/O is over ask for the GIL again.
    for (size_t k = 0; k < in_io.size();) {
      if (in_io[k].first <= t) {
        int th = in_io[k].second;
        emit(in_io[k].first, th, EventKind::IoEnd);
        emit(in_io[k].first, th, EventKind::Request, Reason::Io);
        requested[static_cast<size_t>(th)] = in_io[k].first;
        queue.push_back(th);
        in_io.erase(in_io.begin() + static_cast<long>(k));
      } else {
        ++k;
      }
    }
    if (queue.empty()) {  // everybody in I/O: the GIL stays free until the first one is back
      Nanos next = in_io.front().first;
      for (auto& p : in_io) next = std::min(next, p.first);
      t = next;
      continue;
    }
    holder = queue.front();
    queue.erase(queue.begin());
    t += rnd(1000, 4000);
    emit(t, holder, EventKind::Acquire, Reason::None, t - requested[static_cast<size_t>(holder)]);
    Nanos run_for = rnd(20'000, 80'000);
    if (!queue.empty())
      emit(t + run_for - rnd(500, 5000), queue.front(), EventKind::DropRequest, Reason::None,
           holder);
    t += run_for;
    steps[static_cast<size_t>(holder)] += static_cast<std::uint64_t>(run_for / 25);
    auto sh = static_cast<std::int64_t>(steps[static_cast<size_t>(holder)]);
    if (rnd(0, 99) < 12) {
      emit(t, holder, EventKind::Release, Reason::Io, sh);
      emit(t, holder, EventKind::IoBegin, Reason::Io, 500);
      in_io.push_back({t + rnd(100'000, 2'000'000), holder});
    } else {
      emit(t, holder, EventKind::Release, Reason::DropRequest, sh);
      emit(t, holder, EventKind::Request, Reason::DropRequest);
      requested[static_cast<size_t>(holder)] = t;
      queue.push_back(holder);
    }
  }
  // Wind down: the workers finish in turn, then the main thread.
  for (auto& p : in_io) {
    t = std::max(t, p.first);
    emit(p.first, p.second, EventKind::IoEnd);
    emit(p.first, p.second, EventKind::Request, Reason::Io);
    requested[static_cast<size_t>(p.second)] = p.first;
    queue.push_back(p.second);
  }
  for (int th : queue) {
    t += 2000;
    emit(t, th, EventKind::Acquire, Reason::None, t - requested[static_cast<size_t>(th)]);
    t += 5000;
    auto sh = static_cast<std::int64_t>(steps[static_cast<size_t>(th)] + 10);
    emit(t, th, EventKind::Release, Reason::Exit, sh);
    emit(t, th, EventKind::Exit, Reason::None, sh);
  }
  emit(t, 0, EventKind::BlockEnd);
  emit(t, 0, EventKind::Request, Reason::Join);
  t += 2000;
  emit(t, 0, EventKind::Acquire, Reason::None, 2000);
  t += 3000;
  emit(t, 0, EventKind::Release, Reason::Exit, 60);
  emit(t, 0, EventKind::Exit, Reason::None, 60);
  run.wall = t;
  std::stable_sort(ev.begin(), ev.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  return run;
}

// Dense hand-offs on both sides of one slow one (a release for 50 ms of I/O, taken up by the
// other thread when its own I/O ends): the middle hand-off, which the driver zooms to, is 50 ms
// long while its neighbours are 12 µs apart. A view sized from that one hand-off holds a thousand
// of them, too many to draw; the driver must narrow it (legacy on the threads engine makes such
// runs at random, which once failed this test for nothing).
RunRecord handoff_window_run() {
  RunRecord run;
  run.script = "handoffs.gil";
  run.policy = "legacy";
  run.gils.push_back(GilInfo{"MainProcess"});
  run.threads.push_back(ThreadInfo{0, "MainThread", "MainThread", -1, 0});
  run.threads.push_back(ThreadInfo{1, "Thread-1 (w)", "Thread-1 (w)", 0, 0});
  std::vector<Event>& ev = run.events;
  std::int64_t steps[2] = {0, 0};
  auto emit = [&](Nanos t, int th, EventKind k, Reason r = Reason::None, std::int64_t arg = 0) {
    ev.push_back(Event{t, arg, th, k, r, 0});
  };
  auto release = [&](Nanos t, int th, Reason r) {
    steps[th] += 100;
    emit(t, th, EventKind::Release, r, steps[th]);
  };
  emit(0, 0, EventKind::Spawn, Reason::None, -1);
  emit(0, 0, EventKind::Request, Reason::Start);
  emit(0, 0, EventKind::Acquire, Reason::None, 0);
  emit(1000, 1, EventKind::Spawn, Reason::None, 0);
  emit(1000, 1, EventKind::Request, Reason::Start);
  Nanos t = 10'000;
  int holder = 0;
  // Each turn: the holder lets go on a tick and asks again; the other takes it 2 µs later.
  auto alternate = [&](int turns) {
    for (int k = 0; k < turns; ++k) {
      release(t, holder, Reason::Tick);
      emit(t, holder, EventKind::Request, Reason::Tick);
      holder = 1 - holder;
      t += 2000;
      emit(t, holder, EventKind::Acquire, Reason::None, 2000);
      t += 10'000;
    }
  };
  alternate(500);               // 500 hand-offs; the holder is now MainThread
  release(t, 0, Reason::Tick);  // ... and one more, to Thread-1
  emit(t, 0, EventKind::Request, Reason::Tick);
  t += 2000;
  emit(t, 1, EventKind::Acquire, Reason::None, 2000);
  t += 10'000;
  release(t, 1, Reason::Io);  // Thread-1 goes to I/O for 40 ms
  emit(t, 1, EventKind::IoBegin, Reason::Io, 40'000'000);
  const Nanos io1_end = t + 40'000'000;
  t += 2000;
  emit(t, 0, EventKind::Acquire, Reason::None, 12'000);  // hand-off 501
  t += 10'000;
  const Nanos slow_release = t;
  release(t, 0, Reason::Io);  // MainThread to I/O for 60 ms: the GIL is free for 40 ms
  emit(t, 0, EventKind::IoBegin, Reason::Io, 60'000'000);
  emit(io1_end, 1, EventKind::IoEnd);
  emit(io1_end, 1, EventKind::Request, Reason::Io);
  emit(io1_end, 1, EventKind::Acquire, Reason::None,
       0);  // hand-off 502 of 1004, the middle one: 40 ms after the release
  t = slow_release + 60'000'000;
  emit(t, 0, EventKind::IoEnd);
  emit(t, 0, EventKind::Request, Reason::Io);
  t += 1000;
  holder = 1;
  // MainThread has been waiting since its I/O ended: the first turn hands it the GIL.
  release(t, holder, Reason::Tick);
  emit(t, holder, EventKind::Request, Reason::Tick);
  holder = 0;
  t += 2000;
  emit(t, 0, EventKind::Acquire, Reason::None, 3000);
  t += 10'000;
  alternate(499);  // holder ends as Thread-1
  release(t, 1, Reason::Exit);
  emit(t, 1, EventKind::Exit, Reason::None, steps[1]);
  t += 2000;
  emit(t, 0, EventKind::Acquire, Reason::None, 2000);
  t += 5000;
  release(t, 0, Reason::Exit);
  emit(t, 0, EventKind::Exit, Reason::None, steps[0]);
  run.wall = t;
  std::stable_sort(ev.begin(), ev.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  return run;
}

// Two workers with nested spans and counters, and marks on the main thread.
const char* kAnnotations = R"(
from gilsim import counter, mark, span

def work(k):
    for j in range(4):
        with span("job"):
            io(1)
            with span("crunch"):
                x = 0
                for i in range(20000):
                    x += i
        counter("done", j + 1)

mark("start")
ts = [spawn(work, 1), spawn(work, 2)]
io(2)
mark("halfway")
for t in ts:
    t.join()
io(1)
)";

const char* kMixed = R"(
lock = Lock()

def cpu(n):
    i = 0
    while i < n:
        i += 1

def io_worker(k):
    for j in range(k):
        io(3)
        x = 0
        for i in range(3000):
            x += i

def locker(k):
    for j in range(k):
        with lock:
            native(1)
            y = 0
            for i in range(20000):
                y += i
        io(1)

ts = [spawn(cpu, 2500000), spawn(io_worker, 12), spawn(locker, 8), spawn(locker, 8)]
for t in ts:
    t.join()
)";

const char* kProcesses = R"(
def cpu(n):
    i = 0
    while i < n:
        i += 1

def two(n):
    a = spawn(cpu, n)
    b = spawn(cpu, n)
    a.join()
    b.join()

p = spawn_process(two, 400000)
t = spawn(cpu, 400000)
two(400000)
p.join()
t.join()
)";

const char* kSpin = R"(
def spin(n):
    i = 0
    while i < n:
        i += 1

a = spawn(spin, 600000)
b = spawn(spin, 600000)
a.join()
b.join()
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr,
               "usage: timeline_test OUTDIR --driver FILE.js [--chromium PATH] [--node PATH]\n");
    return 2;
  }
  fs::path outdir = argv[1];
  std::string given, given_node, driver_path;
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--chromium") given = argv[i + 1];
    if (std::string(argv[i]) == "--node") given_node = argv[i + 1];
    if (std::string(argv[i]) == "--driver") driver_path = argv[i + 1];
  }
  std::string driver = driver_path.empty() ? std::string() : read_file(driver_path);
  if (driver.empty()) {
    fmt::print(stderr, "timeline_test: no driver script (--driver tests/timeline_selftest.js)\n");
    return 2;
  }
  Browser browser;
  browser.binary =
      find_program(given, "GILSIM_CHROMIUM",
                   {"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"});
  if (browser.binary.empty()) {
    fmt::print(
        "timeline_browser skipped: no Chromium found (looked for chromium, chromium-browser, "
        "google-chrome on PATH and $GILSIM_CHROMIUM). Install it with: apt-get install chromium\n");
    return 77;
  }
  browser.node = find_program(given_node, "GILSIM_NODE", {"node", "nodejs"});
  if (browser.node.empty()) {
    fmt::print(
        "timeline_browser skipped: no node found (it drives Chromium). Install it with: "
        "apt-get install nodejs\n");
    return 77;
  }
  browser.pages_js = (fs::path(driver_path).parent_path() / "timeline_pages.js").string();
  fs::create_directories(outdir);
  char tmpl[] = "/tmp/gilsim-timeline-XXXXXX";
  if (!mkdtemp(tmpl)) {
    fmt::print(stderr, "cannot make a scratch directory\n");
    return 1;
  }
  browser.scratch = tmpl;

  std::vector<Case> cases;
  EngineOptions fast;
  fast.params.switch_interval = 1'000'000;
  cases.push_back(engine_case("mixed_modern", "modern", kMixed, fast, true));
  cases.push_back(engine_case("mixed_fifo", "fifo", kMixed, fast));
  EngineOptions legacy;
  legacy.params.check_interval = 100;
  cases.push_back(engine_case("mixed_legacy", "legacy", kMixed, legacy));
  cases.push_back(engine_case("mixed_gvl", "gvl", kMixed));
  cases.push_back(engine_case("mixed_none", "none", kMixed));
  cases.push_back(engine_case("processes", "modern", kProcesses, fast, true));
  {
    // gilsim compare --timeline: one script under three policies, one page, one time axis.
    Case many;  // (not `Case many{...}`: gcc 12 then warns the record's map may be uninitialized)
    many.name = "compare";
    many.screenshot = true;
    for (const char* policy : {"legacy", "modern", "none"})
      many.runs.push_back(engine_case(std::string("compare_") + policy, policy, kMixed, legacy));
    many.record = many.runs.front().record;
    many.metrics = many.runs.front().metrics;
    cases.push_back(std::move(many));
  }
  {
    // Names that try to break out of the page: they must show as text and nothing else.
    EngineOptions o;
    o.params.switch_interval = 200'000;
    Case c = engine_case("nasty_names", "fifo", kSpin, o, true);
    c.record.script = "</script><script>document.body.setAttribute('data-pwned','1')</script>.gil";
    c.record.threads[1].label = c.record.threads[1].name =
        "</script><script>document.body.setAttribute('data-pwned','1')</script>";
    c.record.threads[2].label = c.record.threads[2].name =
        "\"quoted\" 'single' & <!-- ü 🧵 \\ \u2028";
    c.record.defines = {{"who", "<b>bold</b>"}};
    c.metrics = compute_metrics(c.record);
    cases.push_back(std::move(c));
  }
  {
    // Many lanes: the GIL lane has more holders than it keeps prefix sums for.
    std::string many =
        "def w(k):\n    for j in range(k):\n        io(1)\n        x = 0\n"
        "        for i in range(20000):\n            x += i\n"
        "ts = []\nfor n in range(20):\n    ts.append(spawn(w, 5))\n"
        "for t in ts:\n    t.join()\n";
    cases.push_back(engine_case("many_threads", "modern", many, fast));
  }
  {
    // gilsim.mark / span / counter on the sim engine: flags, span lanes, counter lanes.
    EngineOptions o = fast;
    o.engine = "sim";
    cases.push_back(engine_case("annotations", "modern", kAnnotations, o, true));
  }
  {
    // A run stopped by --timeout: threads end the run still busy, the page says so.
    EngineOptions o = fast;
    o.timeout = 30'000'000;
    std::string forever = "def spin():\n    while True:\n        pass\n\nt = spawn(spin)\nspin()\n";
    cases.push_back(engine_case("timeout", "modern", forever, o, false, false));
  }
  {
    // A thread dies of an uncaught error: the banner says which exception, with the traceback.
    std::string boom =
        "def worker(n):\n    return n // 0\n\nt = spawn(worker, 1)\nt.join()\nio(1)\n";
    cases.push_back(engine_case("error", "modern", boom, fast, false, false));
  }
  {
    // Nothing at all: no threads, no GIL, no time.
    Case empty;
    empty.name = "empty";
    empty.record.script = "empty.gil";
    empty.record.policy = "modern";
    empty.metrics = compute_metrics(empty.record);
    cases.push_back(std::move(empty));
  }
  {
    Case dense{"handoff_window", handoff_window_run(), {}, false};
    auto problems = check_invariants(dense.record);
    for (const auto& p : problems) fmt::print(stderr, "handoff_window run: {}\n", p);
    check(problems.empty(), "the hand-off window run keeps the invariants");
    dense.metrics = compute_metrics(dense.record);
    cases.push_back(std::move(dense));
  }
  {
    Case big{"million", synthetic_run(1'000'000), {}, true};
    auto problems = check_invariants(big.record);
    for (const auto& p : problems) fmt::print(stderr, "synthetic run: {}\n", p);
    check(problems.empty(), "the synthetic run keeps the invariants");
    big.metrics = compute_metrics(big.record);
    cases.push_back(std::move(big));
  }

  std::vector<Outcome> outcomes;
  for (const Case& c : cases) outcomes.push_back(write_case(browser, c, outdir, driver));
  browser.run();
  for (size_t i = 0; i < cases.size(); ++i) check_case(cases[i], outdir, outcomes[i]);
  fs::remove_all(browser.scratch);

  fmt::print("{:<14} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>5}\n", "case",
             "events", "lanes", "html KB", "write ms", "parse ms", "draw ms", "med draw",
             "max draw", "arrows", "ink");
  for (const auto& o : outcomes) {
    auto a = [&](const char* k) {
      auto it = o.attrs.find(k);
      return it == o.attrs.end() ? std::string("-") : it->second;
    };
    fmt::print("{:<14} {:>9} {:>6} {:>9.0f} {:>9.0f} {:>9} {:>9} {:>9} {:>9} {:>7} {:>5}\n", o.name,
               o.events, a("data-lanes"), static_cast<double>(o.bytes) / 1024.0, o.write_ms,
               a("data-parse-ms"), a("data-draw-ms"), a("data-median-draw-ms"),
               a("data-max-draw-ms"), a("data-arrows"), a("data-present-ink"));
  }
  bool any_wait_tip = false;
  for (const auto& o : outcomes)
    any_wait_tip |= o.attrs.count("data-wait-tip") && !o.attrs.at("data-wait-tip").empty();
  check(any_wait_tip, "some run had a waiting slice after I/O to hover");
  fmt::print("pages and screenshots in {}\n", fs::absolute(outdir).string());
  if (failures) {
    fmt::print("timeline_browser: {} checks failed\n", failures);
    return 1;
  }
  fmt::print("timeline_browser: all checks passed\n");
  return 0;
}
