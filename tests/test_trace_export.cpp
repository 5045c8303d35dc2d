// Chrome / Perfetto trace and state CSV: what a viewer reads back agrees with the run's metrics.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gil/record/intervals.h"
#include "tests/engine_support.h"
#include "tools/export/gzip_stream.h"
#include "tools/export/trace_check.h"
#include "tools/export/trace_export.h"

using namespace gilsim;
using namespace gilsim::test;
using nlohmann::json;

namespace {

std::string trace_text(const RunRecord& rec, const Metrics& m) {
  std::ostringstream os;
  write_chrome_trace(rec, m, os);
  return os.str();
}

json export_trace(const RunRecord& rec, const Metrics& m) {
  std::string text = trace_text(rec, m);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(text));
  return doc;
}

Nanos ns(const json& us) { return std::llround(us.get<double>() * 1000.0); }

int state_index(const std::string& name) {
  static const std::map<std::string, int> index = {
      {"running", 0}, {"waiting", 1}, {"io", 2}, {"native", 3}, {"blocked", 4}};
  auto it = index.find(name);
  REQUIRE_MESSAGE(it != index.end(), "unknown slice name " << name);
  return it->second;
}

// The trace read back the way a viewer reads it.
struct Read {
  std::map<std::string, std::int64_t> tid_of;        // thread label -> tid
  std::map<std::int64_t, std::int64_t> pid_of;       // tid -> pid
  std::map<std::int64_t, std::string> process_of;    // pid -> process name
  std::map<std::int64_t, std::vector<json>> slices;  // tid -> X events, in file order
  std::vector<json> instants, counters;
  std::set<std::int64_t> gil_tids;                // the GIL tracks' pseudo threads
  std::map<std::int64_t, std::vector<json>> gil;  // pid -> the GIL track's X events
};

Read read(const json& doc) {
  Read r;
  REQUIRE(doc.is_object());
  REQUIRE(doc.at("traceEvents").is_array());
  for (const json& t : doc.at("metadata").at("gil_tracks"))
    r.gil_tids.insert(t.get<std::int64_t>());
  for (const json& e : doc["traceEvents"]) {
    std::string ph = e.at("ph");
    if (e.contains("tid") && r.gil_tids.count(e["tid"].get<std::int64_t>())) {
      if (ph == "M" && e["name"] == "thread_name") CHECK(e["args"]["name"] == "GIL");
      if (ph == "M" && e["name"] == "thread_sort_index") CHECK(e["args"]["sort_index"] == -1);
      if (ph == "X") r.gil[e.at("pid").get<std::int64_t>()].push_back(e);
      CHECK((ph == "M" || ph == "X"));
      continue;
    }
    if (ph == "M" && e["name"] == "thread_name") {
      auto tid = e.at("tid").get<std::int64_t>();
      auto name = e.at("args").at("name").get<std::string>();
      CHECK_MESSAGE(r.tid_of.count(name) == 0, "two threads named " << name);
      r.tid_of[name] = tid;
      r.pid_of[tid] = e.at("pid").get<std::int64_t>();
    } else if (ph == "M" && e["name"] == "process_name") {
      r.process_of[e.at("pid").get<std::int64_t>()] = e["args"]["name"].get<std::string>();
    } else if (ph == "X") {
      r.slices[e.at("tid").get<std::int64_t>()].push_back(e);
    } else if (ph == "i") {
      CHECK(e.at("s") == "t");
      r.instants.push_back(e);
    } else if (ph == "C") {
      r.counters.push_back(e);
    }
  }
  return r;
}

const char* kWorkers = R"(
def work(n):
    total = 0
    for i in range(n):
        total += i
    io(2)
    for i in range(n):
        total += i

ts = [spawn(work, 200000), spawn(work, 200000)]
for t in ts:
    t.join()
)";

const char* kSpinners = R"(
def spin(n):
    i = 0
    while i < n:
        i += 1

a = spawn(spin, 2000000)
b = spawn(spin, 2000000)
a.join()
b.join()
)";

// A run built by hand, so every number in the trace is known:
//   MainThread runs 0-5000.5 us, is asked to drop by Thread-1 at 5000.25, drops (forced switch),
//   Thread-1 runs 5000.5-7000 and exits, MainThread runs again 7000-10000 and exits; wall 10000.5.
RunRecord handmade() {
  RunRecord rec;
  rec.script = "hand.gil";
  rec.policy = "modern";
  rec.wall = 10'000'500;
  rec.threads = {ThreadInfo{0, "MainThread", "MainThread", -1, 0},
                 ThreadInfo{1, "Thread-1 (work)", "Thread-1 (work)", 0, 0}};
  rec.gils = {GilInfo{"MainProcess"}};
  auto ev = [&](Nanos at, int t, EventKind k, Reason r = Reason::None, std::int64_t arg = 0) {
    rec.events.push_back(Event{at, arg, t, k, r, 0});
  };
  ev(0, 0, EventKind::Spawn, Reason::None, -1);
  ev(0, 0, EventKind::Request, Reason::Start);
  ev(0, 0, EventKind::Acquire);
  ev(1'000, 1, EventKind::Spawn, Reason::None, 0);
  ev(1'500, 1, EventKind::Request, Reason::Start);
  ev(5'000'250, 1, EventKind::DropRequest, Reason::None, 0);
  ev(5'000'500, 0, EventKind::Release, Reason::DropRequest, 500);
  ev(5'000'500, 1, EventKind::Acquire, Reason::None, 4'999'000);
  ev(5'000'500, 0, EventKind::Request, Reason::DropRequest);
  ev(5'000'500, 0, EventKind::ForcedSwitch);
  ev(7'000'000, 1, EventKind::Release, Reason::Exit, 700);
  ev(7'000'000, 0, EventKind::Acquire, Reason::None, 1'999'500);
  ev(7'000'000, 1, EventKind::Exit, Reason::Exit, 700);
  ev(10'000'000, 0, EventKind::Release, Reason::Exit, 900);
  ev(10'000'000, 0, EventKind::Exit, Reason::Exit, 900);
  return rec;
}

// Perfetto's FlowTracker (src/trace_processor/importers/common/flow_tracker.cc) replayed: slices
// by time; flow_out alone begins (an id begun twice is dropped), flow_in alone ends without
// closing, both steps. Returns the arrows as ((tid, end of source), (tid, start of destination)).
using Arrow = std::pair<std::pair<std::int64_t, Nanos>, std::pair<std::int64_t, Nanos>>;
std::set<Arrow> replay_flows(const Read& r) {
  std::vector<const json*> all;
  for (const auto& [tid, list] : r.slices)
    for (const json& s : list) all.push_back(&s);
  std::stable_sort(all.begin(), all.end(),
                   [](const json* a, const json* b) { return ns((*a)["ts"]) < ns((*b)["ts"]); });
  std::map<std::uint64_t, const json*> source;
  std::set<Arrow> arrows;
  auto arrow = [&](const json& from, const json& to) {
    arrows.insert({{from["tid"].get<std::int64_t>(), ns(from["ts"]) + ns(from["dur"])},
                   {to["tid"].get<std::int64_t>(), ns(to["ts"])}});
  };
  for (const json* s : all) {
    if (!s->contains("bind_id")) continue;
    auto id = (*s)["bind_id"].get<std::uint64_t>();
    bool in = s->value("flow_in", false), out = s->value("flow_out", false);
    CHECK_MESSAGE((in || out), "a bind_id without a direction");
    if (in) {
      auto it = source.find(id);
      REQUIRE_MESSAGE(it != source.end(), "flow_in with no flow begun, id " << id);
      arrow(*it->second, *s);
      if (out) it->second = s;
    } else {
      CHECK_MESSAGE(source.count(id) == 0, "flow id " << id << " begun twice");
      source[id] = s;
    }
  }
  return arrows;
}

}  // namespace

TEST_CASE("trace: every policy gives valid JSON whose slices add up to the metrics") {
  for (const auto& policy : all_policies()) {
    CAPTURE(policy);
    EngineOptions opt;
    opt.params.switch_interval = 500'000;
    EngineRun run = run_on_engine(policy, kWorkers, opt);
    json doc = export_trace(run.record, run.metrics);
    Read r = read(doc);

    const json& meta = doc.at("metadata");
    CHECK(meta.at("generator") == "gilsim");
    CHECK(meta.at("policy") == policy);
    CHECK(meta.at("exit_code") == 0);
    CHECK(meta.at("stop") == "none");
    CHECK(doc.at("displayTimeUnit") == "ms");
    CHECK(ns(meta.at("end_us")) == run.record.observed_end());
    CHECK(r.process_of.size() == 1);

    REQUIRE(run.record.threads.size() == 3);
    for (size_t t = 0; t < run.record.threads.size(); ++t) {
      const ThreadMetrics& tm = run.metrics.threads[t];
      CAPTURE(tm.name);
      REQUIRE(r.tid_of.count(tm.name) == 1);
      std::int64_t tid = r.tid_of[tm.name];
      CHECK(r.process_of.count(r.pid_of[tid]) == 1);
      std::array<Nanos, 5> sum{};
      std::uint64_t bytecodes = 0;
      Nanos last_end = -1;
      for (const json& s : r.slices[tid]) {
        CHECK_FALSE(s.contains("cat"));  // the trace leaves it out: it only repeated "state"
        CHECK(s.at("pid") == r.pid_of[tid]);
        Nanos start = ns(s.at("ts")), dur = ns(s.at("dur"));
        CHECK(dur > 0);
        CHECK(start >= last_end);  // in order, not overlapping
        last_end = start + dur;
        sum[static_cast<size_t>(state_index(s["name"]))] += dur;
        if (s["name"] == "running")
          bytecodes += s["args"].at("bytecodes").get<std::uint64_t>();
        else
          CHECK(s["args"].at("reason").is_string());
      }
      CHECK(sum == tm.state_ns);
      CHECK(bytecodes == tm.bytecodes);
    }

    // Counters: where there is a GIL, the waiting count. The GIL track: a slice per tenure,
    // named after the holder, beginning with one of its running slices; the time it covers, less
    // the free gaps inside tenures, is exactly the time threads ran.
    std::set<std::string> counter_names;
    for (const json& c : r.counters) counter_names.insert(c.at("name").get<std::string>());
    if (!starts_with_gil(policy)) {
      CHECK(r.counters.empty());
      CHECK(r.gil.empty());
      CHECK(r.gil_tids.empty());
    } else {
      CHECK(counter_names == std::set<std::string>{"threads waiting for the GIL"});
      for (const json& c : r.counters) {
        CHECK(c.at("pid") == r.pid_of[r.tid_of["MainThread"]]);
        CHECK(c["args"].at("count").get<int>() >= 0);
        CHECK(c["args"]["count"].get<int>() <= 3);
      }
      REQUIRE(r.gil.size() == 1);
      CHECK(r.gil.begin()->first == r.pid_of[r.tid_of["MainThread"]]);
      std::map<std::int64_t, std::string> name_of;
      for (const auto& [name, tid] : r.tid_of) name_of[tid] = name;
      std::set<std::pair<std::int64_t, Nanos>> running_starts;
      Nanos running = 0;
      for (const auto& [tid, list] : r.slices)
        for (const json& s : list)
          if (s["name"] == "running") {
            running_starts.insert({tid, ns(s["ts"])});
            running += ns(s["dur"]);
          }
      Nanos covered = 0, last_end = 0;
      std::set<std::string> holders;
      for (const json& g : r.gil.begin()->second) {
        auto holder = g["args"].at("tid").get<std::int64_t>();
        CHECK(g.at("name") == name_of[holder]);
        CHECK(ns(g["ts"]) >= last_end);
        last_end = ns(g["ts"]) + ns(g["dur"]);
        CHECK_MESSAGE(
            running_starts.count({holder, ns(g["ts"])}) == 1,
            "GIL slice of " << holder << " at " << ns(g["ts"]) << " starts no running slice");
        covered += ns(g["dur"]) - (g["args"].contains("free_us") ? ns(g["args"]["free_us"]) : 0);
        holders.insert(g["name"].get<std::string>());
      }
      CHECK(covered == running);
      CHECK(holders.size() == 3);
    }
    CHECK(joined(check_trace(doc)) == "");
  }
}

TEST_CASE("trace: a switchy fifo run draws an arrow for every hand-off, as Perfetto reads them") {
  EngineOptions opt;
  opt.params.switch_interval = 200'000;
  EngineRun run = run_on_engine("fifo", kSpinners, opt);
  json doc = export_trace(run.record, run.metrics);
  Read r = read(doc);

  // The expected arrows, from the intervals: releasing slice's end -> acquiring slice's start.
  auto ivs = state_intervals(run.record);
  std::set<std::pair<int, Nanos>> running_ends;
  for (const auto& iv : ivs)
    if (iv.state == ThreadStateKind::Running) running_ends.insert({iv.thread, iv.end});
  auto tid = [&](int thread) {
    return r.tid_of.at(run.record.threads[static_cast<size_t>(thread)].label);
  };
  std::set<Arrow> expected;
  for (const auto& iv : ivs) {
    if (iv.state != ThreadStateKind::Running || iv.handoff_from < 0) continue;
    if (!running_ends.count({iv.handoff_from, iv.handoff_release})) continue;
    expected.insert({{tid(iv.handoff_from), iv.handoff_release}, {tid(iv.thread), iv.start}});
  }
  std::set<Arrow> drawn = replay_flows(r);
  CHECK(drawn.size() >= 3);
  CHECK(drawn == expected);
  for (const Arrow& a : drawn) CHECK(a.first.first != a.second.first);

  // The hand-off is also named on the acquiring slice.
  std::map<std::int64_t, std::string> name_of;
  for (const auto& [name, t] : r.tid_of) name_of[t] = name;
  int named = 0;
  for (const auto& [t, list] : r.slices)
    for (const json& s : list)
      if (s["args"].contains("handoff_from")) {
        ++named;
        auto from = s["args"]["handoff_from"].get<std::string>();
        CHECK(from != name_of[t]);
        CHECK(r.tid_of.count(from) == 1);
      }
  CHECK(named >= static_cast<int>(drawn.size()));
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: drop requests, forced switches and failed acquisitions are instants") {
  EngineOptions opt;
  opt.params.switch_interval = 500'000;
  EngineRun run = run_on_engine("modern", kSpinners, opt);
  json doc = export_trace(run.record, run.metrics);
  Read r = read(doc);
  std::map<std::int64_t, std::string> name_of;
  for (const auto& [name, tid] : r.tid_of) name_of[tid] = name;

  std::map<std::string, std::uint64_t> count;
  for (const json& i : r.instants) {
    auto name = i.at("name").get<std::string>();
    auto tid = i.at("tid").get<std::int64_t>();
    ++count[name];
    CHECK(i.at("cat") == "gil");
    CHECK(i.at("pid") == r.pid_of[tid]);
    if (name == "drop_request" || name == "failed_acquire") {
      auto holder = i["args"].at("holder").get<std::string>();
      CHECK(r.tid_of.count(holder) == 1);
      CHECK(holder != name_of[tid]);  // on the requester's track, naming another thread
    }
  }
  CHECK(run.metrics.gil.drop_requests > 0);
  CHECK(count["drop_request"] == run.metrics.gil.drop_requests);
  CHECK(count["forced_switch"] == run.metrics.gil.forced_switches);
  CHECK(count["failed_acquire"] == run.metrics.gil.failed_acquisitions);
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: a run stopped by --timeout is a complete trace that passes the check") {
  const char* script = R"(
def spin():
    while True:
        pass

t = spawn(spin)
u = spawn(spin)
sleep(100000)
)";
  for (const char* policy : {"modern", "legacy", "none"}) {
    CAPTURE(policy);
    EngineOptions opt;
    opt.timeout = 100'000'000;
    EngineRun run = run_on_engine(policy, script, opt);
    REQUIRE(run.record.stop == StopCause::Timeout);
    json doc = export_trace(run.record, run.metrics);
    Read r = read(doc);
    CHECK(doc["metadata"]["stop"] == "timeout");
    CHECK(doc["metadata"]["exit_code"] == 124);
    int stopped = 0;
    for (const json& i : r.instants)
      if (i["name"] == "stopped") {
        ++stopped;
        CHECK(i["args"]["stop"] == "timeout");
      }
    CHECK(stopped >= 1);  // at least MainThread, in its sleep
    CHECK(joined(check_trace(doc)) == "");
  }
}

TEST_CASE("trace: a run whose script raised an error is a complete trace that passes the check") {
  const char* script = R"(
def bad():
    return 1 // 0

def good():
    sleep(5)

t1 = spawn(bad)
t2 = spawn(good)
t1.join()
t2.join()
x = [][1]
)";
  EngineRun run = run_on_engine("modern", script);
  REQUIRE(run.record.exit_code == 1);
  json doc = export_trace(run.record, run.metrics);
  Read r = read(doc);
  CHECK(doc["metadata"]["exit_code"] == 1);
  std::set<std::int64_t> failed;
  for (const json& i : r.instants)
    if (i["name"] == "uncaught_error") failed.insert(i["tid"].get<std::int64_t>());
  CHECK(failed == std::set<std::int64_t>{r.tid_of.at("MainThread"), r.tid_of.at("Thread-1 (bad)")});
  CHECK(joined(check_trace(doc)) == "");
  // Each uncaught_error carries its exception and the traceback, as printed on stderr.
  for (const json& i : r.instants) {
    if (i["name"] != "uncaught_error") continue;
    bool main = i["tid"] == r.tid_of.at("MainThread");
    CHECK(i["args"]["exception"] ==
          (main ? "IndexError: list index out of range"
                : "ZeroDivisionError: integer division or modulo by zero"));
    std::string tb = i["args"]["traceback"].get<std::string>();
    CHECK(tb.rfind("Traceback (most recent call last):\n", 0) == 0);
    CHECK(tb.find(main ? "x = [][1]" : "return 1 // 0") != std::string::npos);
  }
}

TEST_CASE("trace: each process is a pid of its own, its threads under it") {
  const char* script = R"(
def work(n):
    i = 0
    while i < n:
        i += 1

p = spawn_process(work, 300000)
t = spawn(work, 300000)
work(300000)
p.join()
t.join()
)";
  EngineOptions opt;
  opt.params.switch_interval = 500'000;
  EngineRun run = run_on_engine("modern", script, opt);
  REQUIRE(run.record.gils.size() == 2);
  json doc = export_trace(run.record, run.metrics);
  Read r = read(doc);
  REQUIRE(r.process_of.size() == 2);
  std::map<std::string, std::int64_t> pid_of_process;
  for (const auto& [pid, name] : r.process_of) pid_of_process[name] = pid;
  REQUIRE(pid_of_process.count("MainProcess") == 1);
  REQUIRE(pid_of_process.count("Process-1") == 1);
  for (const ThreadInfo& t : run.record.threads) {
    CAPTURE(t.label);
    std::int64_t tid = r.tid_of.at(t.label);
    CHECK(r.pid_of[tid] == pid_of_process[run.record.gils[static_cast<size_t>(t.gil)].process]);
  }
  // Per process: its own waiting counter and its own GIL track, holders from that process only.
  std::set<std::pair<std::int64_t, std::string>> tracks;
  for (const json& c : r.counters)
    tracks.insert({c["pid"].get<std::int64_t>(), c["name"].get<std::string>()});
  CHECK(tracks.size() == 2);
  REQUIRE(r.gil.size() == 2);
  CHECK(r.gil_tids.size() == 2);
  for (const auto& [pid, list] : r.gil) {
    CHECK(!list.empty());
    for (const json& g : list) CHECK(r.pid_of[r.tid_of.at(g["name"].get<std::string>())] == pid);
  }
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: a hand-made run, number by number") {
  RunRecord rec = handmade();
  Metrics m = compute_metrics(rec);
  std::string text = trace_text(rec, m);
  CHECK(text.front() == '{');
  CHECK(text.substr(text.size() - 4) == "\n]}\n");
  // Microseconds with up to three decimals, trailing zeros left out: no float noise, no lost
  // nanoseconds, no bytes spent on zeros.
  CHECK(text.find("\"ts\":5000.5,\"dur\":1999.5") != std::string::npos);
  CHECK(text.find("\"ts\":0,\"dur\":5000.5") != std::string::npos);
  json doc = json::parse(text);
  Read r = read(doc);
  const std::int64_t main = r.tid_of.at("MainThread"), worker = r.tid_of.at("Thread-1 (work)");
  CHECK(main != worker);
  CHECK(r.pid_of[main] == r.pid_of[worker]);

  auto brief = [](const json& s) {
    return std::make_tuple(s["name"].get<std::string>(), ns(s["ts"]), ns(s["dur"]));
  };
  REQUIRE(r.slices[main].size() == 3);
  REQUIRE(r.slices[worker].size() == 2);
  const json& m0 = r.slices[main][0];
  const json& m1 = r.slices[main][1];
  const json& m2 = r.slices[main][2];
  const json& w0 = r.slices[worker][0];
  const json& w1 = r.slices[worker][1];
  CHECK(brief(m0) == std::make_tuple(std::string("running"), Nanos{0}, Nanos{5'000'500}));
  CHECK(brief(m1) == std::make_tuple(std::string("waiting"), Nanos{5'000'500}, Nanos{1'999'500}));
  CHECK(brief(m2) == std::make_tuple(std::string("running"), Nanos{7'000'000}, Nanos{3'000'000}));
  CHECK(brief(w0) == std::make_tuple(std::string("waiting"), Nanos{1'000}, Nanos{4'999'500}));
  CHECK(brief(w1) == std::make_tuple(std::string("running"), Nanos{5'000'500}, Nanos{1'999'500}));
  CHECK(m0["args"] == json{{"bytecodes", 500}});
  CHECK(m1["args"] == json{{"reason", "drop_request"}});
  CHECK(m2["args"] == json{{"bytecodes", 400}, {"handoff_from", "Thread-1 (work)"}});
  CHECK(w0["args"] == json{{"reason", "start"}});
  CHECK(w1["args"] == json{{"bytecodes", 700}, {"handoff_from", "MainThread"}});
  // One hand-off chain: MainThread -> Thread-1 -> MainThread.
  CHECK(m0["bind_id"] == w1["bind_id"]);
  CHECK(w1["bind_id"] == m2["bind_id"]);
  CHECK(m0.value("flow_out", false));
  CHECK_FALSE(m0.contains("flow_in"));
  CHECK((w1.value("flow_in", false) && w1.value("flow_out", false)));
  CHECK((m2.value("flow_in", false) && !m2.contains("flow_out")));
  CHECK_FALSE(m1.contains("bind_id"));
  CHECK(replay_flows(r) == std::set<Arrow>{{{main, 5'000'500}, {worker, 5'000'500}},
                                           {{worker, 7'000'000}, {main, 7'000'000}}});

  REQUIRE(r.instants.size() == 2);  // MainThread's track comes first
  CHECK(r.instants[0]["name"] == "forced_switch");
  CHECK(r.instants[0]["tid"] == main);
  CHECK(ns(r.instants[0]["ts"]) == 5'000'500);
  CHECK(r.instants[1]["name"] == "drop_request");
  CHECK(r.instants[1]["tid"] == worker);
  CHECK(ns(r.instants[1]["ts"]) == 5'000'250);
  CHECK(r.instants[1]["args"] == json{{"holder", "MainThread"}});

  std::vector<std::tuple<std::string, Nanos, std::int64_t>> counters;
  for (const json& c : r.counters) {
    const json& args = c["args"];
    counters.emplace_back(c["name"].get<std::string>(), ns(c["ts"]),
                          args.begin().value().get<std::int64_t>());
  }
  using C = std::tuple<std::string, Nanos, std::int64_t>;
  const std::string wq = "threads waiting for the GIL";
  CHECK(counters ==
        std::vector<C>{C{wq, 0, 0}, C{wq, 1'500, 1}, C{wq, 7'000'000, 0}, C{wq, 10'000'500, 0}});
  // The GIL track: who held it, named after the holder (no counter of tids any more).
  REQUIRE(r.gil.size() == 1);
  std::vector<std::tuple<std::string, Nanos, Nanos, std::int64_t>> tenures;
  for (const json& g : r.gil.begin()->second)
    tenures.emplace_back(g["name"], ns(g["ts"]), ns(g["dur"]), g["args"]["tid"]);
  using T = std::tuple<std::string, Nanos, Nanos, std::int64_t>;
  CHECK(tenures == std::vector<T>{T{"MainThread", 0, 5'000'500, main},
                                  T{"Thread-1 (work)", 5'000'500, 1'999'500, worker},
                                  T{"MainThread", 7'000'000, 3'000'000, main}});
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: names with quotes, backslashes, newlines, unicode or bad UTF-8 stay valid JSON") {
  RunRecord rec = handmade();
  rec.threads[0].label = "say \"hi\" \\ back\nslash \t ✓ Ωμέγα";
  rec.threads[1].label = std::string("bad \xff\xfe utf-8");
  rec.gils[0].process = "Proc\"ess";
  rec.script = "we\"ird\\path.gil";
  Metrics m = compute_metrics(rec);
  json doc = export_trace(rec, m);
  Read r = read(doc);
  CHECK(r.tid_of.count(rec.threads[0].label) == 1);
  CHECK(r.process_of.begin()->second == "Proc\"ess");
  CHECK(doc["metadata"]["script"] == rec.script);
  bool replaced = false;
  for (const auto& [name, tid] : r.tid_of)
    replaced |= name.find("\xEF\xBF\xBD") != std::string::npos;
  CHECK(replaced);  // the bad bytes became U+FFFD
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: an empty run still writes a closed document") {
  RunRecord rec;
  rec.policy = "modern";
  Metrics m = compute_metrics(rec);
  json doc = export_trace(rec, m);
  CHECK(doc["traceEvents"].is_array());
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("csv: header, one row per interval, RFC 4180 quoting") {
  RunRecord rec = handmade();
  rec.threads[1].label = "Thread-1 (a,b)";
  rec.threads[0].label = "say \"hi\"";
  std::ostringstream os;
  write_state_csv(rec, os);
  std::istringstream in(os.str());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(!lines.empty());
  CHECK(lines[0] == "thread,state,start_us,end_us,reason");
  CHECK(lines.size() - 1 == state_intervals(rec).size());
  CHECK(lines[1] == "\"say \"\"hi\"\"\",running,0.000,5000.500,");
  CHECK(lines[2] == "\"say \"\"hi\"\"\",waiting,5000.500,7000.000,drop_request");
  CHECK(lines[4] == "\"Thread-1 (a,b)\",waiting,1.000,5000.500,start");
  CHECK(lines[5] == "\"Thread-1 (a,b)\",running,5000.500,7000.000,");
}

TEST_CASE("csv: a real run, rows match the intervals") {
  EngineRun run = run_on_engine("legacy", kWorkers);
  std::ostringstream os;
  write_state_csv(run.record, os);
  std::string text = os.str();
  size_t rows = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  CHECK(rows == 1 + state_intervals(run.record).size());
  CHECK(text.rfind("thread,state,start_us,end_us,reason\nMainThread,", 0) == 0);
}

TEST_CASE("trace: legacy's release-and-retake at a tick is one tenure on the GIL track") {
  // MainThread runs 0-100, releases at a tick, takes it straight back at 101 (1 ns later) twice,
  // then lets go for io at 300; Thread-1 takes it 300-400 and exits; MainThread 500-600.
  RunRecord rec;
  rec.script = "ticks.gil";
  rec.policy = "legacy";
  rec.wall = 600;
  rec.threads = {ThreadInfo{0, "MainThread", "MainThread", -1, 0},
                 ThreadInfo{1, "Thread-1 (t)", "Thread-1 (t)", 0, 0}};
  rec.gils = {GilInfo{"MainProcess"}};
  auto ev = [&](Nanos at, int t, EventKind k, Reason r = Reason::None, std::int64_t arg = 0) {
    rec.events.push_back(Event{at, arg, t, k, r, 0});
  };
  ev(0, 0, EventKind::Spawn, Reason::None, -1);
  ev(0, 0, EventKind::Request, Reason::Start);
  ev(0, 0, EventKind::Acquire);
  ev(10, 1, EventKind::Spawn, Reason::None, 0);
  ev(10, 1, EventKind::Request, Reason::Start);
  ev(100, 0, EventKind::Release, Reason::Tick, 100);
  ev(100, 0, EventKind::Request, Reason::Tick);
  ev(101, 0, EventKind::Acquire);
  ev(200, 0, EventKind::Release, Reason::Tick, 200);
  ev(200, 0, EventKind::Request, Reason::Tick);
  ev(201, 0, EventKind::Acquire);
  ev(300, 0, EventKind::Release, Reason::Io, 300);
  ev(300, 1, EventKind::Acquire);
  ev(400, 1, EventKind::Release, Reason::Exit, 50);
  ev(400, 1, EventKind::Exit, Reason::Exit, 50);
  ev(500, 0, EventKind::Request, Reason::Io);
  ev(500, 0, EventKind::Acquire);
  ev(600, 0, EventKind::Release, Reason::Exit, 400);
  ev(600, 0, EventKind::Exit, Reason::Exit, 400);
  Metrics m = compute_metrics(rec);
  json doc = export_trace(rec, m);
  Read r = read(doc);
  REQUIRE(r.gil.size() == 1);
  const std::vector<json>& g = r.gil.begin()->second;
  REQUIRE(g.size() == 3);
  CHECK(g[0]["name"] == "MainThread");
  CHECK(ns(g[0]["ts"]) == 0);
  CHECK(ns(g[0]["dur"]) == 300);
  CHECK(g[0]["args"]["acquisitions"] == 3);
  CHECK(ns(g[0]["args"]["free_us"]) == 2);
  CHECK(g[1]["name"] == "Thread-1 (t)");
  CHECK_FALSE(g[1]["args"].contains("acquisitions"));
  CHECK(g[2]["name"] == "MainThread");  // back from io: a new tenure, not the old one grown
  CHECK(ns(g[2]["ts"]) == 500);
  // The thread's own track keeps every running slice.
  CHECK(r.slices[r.tid_of["MainThread"]].size() == 7);
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("trace: gilsim check catches a GIL track that disagrees with the running slices") {
  EngineOptions opt;
  opt.params.switch_interval = 200'000;
  EngineRun run = run_on_engine("fifo", kSpinners, opt);
  json doc = export_trace(run.record, run.metrics);
  REQUIRE(joined(check_trace(doc)) == "");
  std::int64_t gil_tid = doc["metadata"]["gil_tracks"][0];
  json moved = doc, renamed = doc, dropped = doc;
  auto first_gil_slice = [&](json& d) -> json& {
    for (json& e : d["traceEvents"])
      if (e["ph"] == "X" && e["tid"] == gil_tid) return e;
    FAIL("no GIL slice");
    return d;
  };
  json& m = first_gil_slice(moved);
  m["ts"] = m["ts"].get<double>() + 1.0;  // starts where no running slice starts
  CHECK(joined(check_trace(moved)).find("no running slice of that thread begins") !=
        std::string::npos);
  first_gil_slice(renamed)["name"] = "Thread-9";
  CHECK(joined(check_trace(renamed)).find("which is not the name of thread") != std::string::npos);
  auto& events = dropped["traceEvents"];
  for (size_t i = 0; i < events.size(); ++i)
    if (events[i]["ph"] == "X" && events[i]["tid"] == gil_tid) {
      events.erase(events.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  CHECK(joined(check_trace(dropped)).find("does not show it holding the GIL") != std::string::npos);
}

TEST_CASE("trace: gzip round-trips a trace byte for byte") {
  EngineOptions opt;
  opt.params.switch_interval = 200'000;
  EngineRun run = run_on_engine("legacy", kWorkers, opt);
  std::string plain = trace_text(run.record, run.metrics);
  std::ostringstream packed;
  {
    GzipOstream gz(packed);
    write_chrome_trace(run.record, run.metrics, gz);
    CHECK(gz.finish());
  }
  std::string data = packed.str(), error;
  REQUIRE(data.size() > 2);
  CHECK(static_cast<unsigned char>(data[0]) == 0x1f);  // gzip's magic, as Perfetto looks for it
  CHECK(static_cast<unsigned char>(data[1]) == 0x8b);
  CHECK(data.size() < plain.size());
  REQUIRE(maybe_gunzip(data, error));
  CHECK(data == plain);
  std::string text = "{\"not\":\"gzip\"}";
  CHECK(maybe_gunzip(text, error));  // plain JSON passes through unchanged
  CHECK(text == "{\"not\":\"gzip\"}");
  std::string cut = packed.str().substr(0, packed.str().size() / 2);
  CHECK_FALSE(maybe_gunzip(cut, error));
  CHECK(error == "the gzip stream is cut short");
}

TEST_CASE("trace: every GIL event says where the code was; slices carry it as args.code") {
  // work()'s loop is at lines 4-5 (the script starts with a newline), its io(2) at line 6.
  for (const char* policy : {"legacy", "modern"}) {
    CAPTURE(policy);
    EngineOptions opt;
    opt.params.switch_interval = 200'000;
    EngineRun run = run_on_engine(policy, kWorkers, opt);
    REQUIRE(!run.record.functions.empty());
    size_t gil_events = 0, placed = 0;
    std::set<int> started;
    for (const Event& e : run.record.events) {
      bool gil = e.kind == EventKind::Request || e.kind == EventKind::Acquire ||
                 e.kind == EventKind::Release || e.kind == EventKind::DropRequest ||
                 e.kind == EventKind::ForcedSwitch || e.kind == EventKind::FailedAcquire;
      if (!gil) {
        CHECK(e.code == -1);  // only the GIL's events are stamped
        continue;
      }
      ++gil_events;
      if (e.code < 0) {
        // Not known only before a thread's function starts (its first request and acquire, a
        // drop request it makes while it waits) and after it returned (the release at its exit).
        CHECK_MESSAGE((!started.count(e.thread) || e.reason == Reason::Exit),
                      "no place for " << event_kind_name(e.kind) << " " << reason_name(e.reason));
        continue;
      }
      started.insert(e.thread);
      ++placed;
      REQUIRE(static_cast<size_t>(e.code) < run.record.functions.size());
      const std::string& f = run.record.functions[static_cast<size_t>(e.code)];
      CHECK((f == "work" || f == "<module>"));
      if (f == "work") CHECK((e.line >= 3 && e.line <= 8));
      if (e.kind == EventKind::Release && e.reason == Reason::Io) {
        CHECK(f == "work");
        CHECK(e.line == 6);  // io(2) is where it let go
      }
    }
    CHECK(placed + 9 <= gil_events);  // 3 threads: each one's first request and acquire, and exit
    CHECK(placed * 2 >= gil_events);
    json doc = export_trace(run.record, run.metrics);
    Read r = read(doc);
    size_t with_code = 0, running = 0;
    for (const auto& [tid, list] : r.slices)
      for (const json& s : list) {
        if (s["name"] == "running") ++running;
        if (!s["args"].contains("code")) continue;
        ++with_code;
        std::string code = s["args"]["code"];
        CHECK_MESSAGE((code.rfind("work:", 0) == 0 || code.rfind("<module>:", 0) == 0), code);
      }
    CHECK(with_code >= running);
    CHECK(joined(check_trace(doc)) == "");
  }
}
