// `gilsim check`: each broken trace in tests/traces/ is named for what is wrong with it; sound
// traces, made by hand or by real runs, pass.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/engine_support.h"
#include "tests/test_support.h"
#include "tools/export/trace_check.h"
#include "tools/export/trace_export.h"

using namespace gilsim;
using namespace gilsim::test;
using nlohmann::json;

namespace {

json fixture(const std::string& name) {
  auto path = gilsim::testing::tests_dir() / "traces" / name;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  json doc;
  REQUIRE_NOTHROW(doc = json::parse(in));
  return doc;
}

json real_trace(const std::string& policy, const char* script, EngineOptions opt = {}) {
  EngineRun run = run_on_engine(policy, script, opt);
  std::ostringstream os;
  write_chrome_trace(run.record, run.metrics, os);
  return json::parse(os.str());
}

// The one violation a fixture has, or a failure listing all of them.
std::string only_violation(const json& doc) {
  auto v = check_trace(doc);
  REQUIRE_MESSAGE(v.size() == 1, joined(v));
  return v[0];
}

const char* kSwitchy = R"(
def spin(n):
    i = 0
    while i < n:
        i += 1

a = spawn(spin, 500000)
b = spawn(spin, 500000)
a.join()
b.join()
)";

}  // namespace

TEST_CASE("check: each broken fixture is named for what is broken") {
  struct Case {
    const char* file;
    std::vector<std::string> said;  // substrings of the one message
  };
  const std::vector<Case> cases = {
      {"overlap_running.json",
       {"two threads hold the GIL of MainProcess (pid 1) at once",
        "MainThread runs 0.000 µs to 6000.000 µs", "Thread-1 (work) runs 4000.000 µs"}},
      {"overlap_thread.json", {"overlapping slices on MainThread", "io 5000.000 µs"}},
      {"waiting_never_runs.json",
       {"Thread-1 (work) waits for the GIL from 0.000 µs to 4000.000 µs and never runs",
        "until 10000.000 µs"}},
      {"waiting_then_io.json", {"Thread-1 (work) waits for the GIL", "the next slice is io"}},
      {"negative_dur.json", {"negative duration", "io slice of MainThread", "lasts -100.000 µs"}},
      {"out_of_order.json", {"slices out of order on MainThread"}},
      {"missing_thread_name.json", {"tid 2 in MainProcess (pid 1)", "no thread_name"}},
      {"not_gilsim.json", {"not a gilsim trace"}},
      {"not_a_trace.json", {"not a trace", "traceEvents"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    std::string message = only_violation(fixture(c.file));
    for (const std::string& part : c.said) {
      CAPTURE(part);
      CHECK_MESSAGE(message.find(part) != std::string::npos, message);
    }
  }
}

TEST_CASE("check: a thread stopped by --timeout while waiting for the GIL is sound") {
  CHECK(joined(check_trace(fixture("sound_stopped.json"))) == "");
  // Without the "stopped" instant, the same wait is a violation.
  json doc = fixture("sound_stopped.json");
  json kept = json::array();
  for (const json& e : doc["traceEvents"])
    if (!(e["ph"] == "i" && e["tid"] == 2)) kept.push_back(e);
  doc["traceEvents"] = kept;
  CHECK(only_violation(doc).find("never runs") != std::string::npos);
}

TEST_CASE("check: under `none` there is no GIL, so threads may run at once") {
  json doc = fixture("overlap_running.json");
  doc["metadata"]["policy"] = "none";
  doc["metadata"]["gil"]["exclusive"] = false;
  CHECK(joined(check_trace(doc)) == "");
}

TEST_CASE("check: not objects, not arrays, nothing at all") {
  CHECK(only_violation(json()).find("not a trace") == 0);
  CHECK(only_violation(json::array()).find("not a trace") == 0);
  CHECK(only_violation(json{{"traceEvents", 3}}).find("not a trace") == 0);
  CHECK(only_violation(json{{"traceEvents", json::array()}}).find("not a gilsim trace") == 0);
  CHECK(only_violation(json{{"traceEvents", json::array()}, {"metadata", {{"generator", 7}}}})
            .find("not a gilsim trace") == 0);
}

TEST_CASE("check: malformed events are named, not thrown on") {
  json doc = fixture("sound_stopped.json");
  doc["traceEvents"].push_back(17);
  doc["traceEvents"].push_back({{"ph", "X"}, {"name", "running"}, {"pid", 1}, {"tid", 1}});
  doc["traceEvents"].push_back(
      {{"ph", "X"}, {"name", "io"}, {"pid", 1}, {"tid", 1}, {"ts", 9600}, {"dur", "long"}});
  std::vector<std::string> v;
  REQUIRE_NOTHROW(v = check_trace(doc));
  std::string all = joined(v);
  CHECK(v.size() == 3);
  CHECK(all.find("is not an object with a \"ph\"") != std::string::npos);
  CHECK(all.find("lacks a numeric pid, tid or ts") != std::string::npos);
  CHECK(all.find("has no numeric dur") != std::string::npos);
}

TEST_CASE("check: many violations of one kind are counted, not all printed") {
  json doc = fixture("negative_dur.json");
  for (int i = 0; i < 100; ++i)
    doc["traceEvents"].push_back({{"ph", "X"},
                                  {"name", "io"},
                                  {"cat", "state"},
                                  {"pid", 1},
                                  {"tid", 1},
                                  {"ts", 6000 + i},
                                  {"dur", -1}});
  auto v = check_trace(doc);
  REQUIRE(v.size() == 21);
  CHECK(v.back() == "... and 81 more negative durations");
}

TEST_CASE("check: real traces pass on every policy; the same traces, corrupted, do not") {
  for (const auto& policy : all_policies()) {
    CAPTURE(policy);
    EngineOptions opt;
    opt.params.switch_interval = 300'000;
    json doc = real_trace(policy, kSwitchy, opt);
    CHECK(joined(check_trace(doc)) == "");
    if (!starts_with_gil(policy)) continue;

    // Move one thread's second running slice back onto the first running slice of another.
    json& events = doc["traceEvents"];
    std::map<std::int64_t, std::vector<size_t>> running;  // tid -> indices of its running slices
    for (size_t i = 0; i < events.size(); ++i)
      if (events[i]["ph"] == "X" && events[i]["name"] == "running")
        running[events[i]["tid"].get<std::int64_t>()].push_back(i);
    REQUIRE(running.size() >= 2);
    auto a = running.begin()->second, b = std::next(running.begin())->second;
    REQUIRE(b.size() >= 1);
    json corrupted = doc;
    corrupted["traceEvents"][b[0]]["ts"] = events[a[0]]["ts"];
    std::string all = joined(check_trace(corrupted));
    CHECK(all.find("at once") != std::string::npos);

    // Drop a thread's name.
    json unnamed = doc;
    json kept = json::array();
    for (const json& e : events)
      if (!(e["ph"] == "M" && e["name"] == "thread_name" && e["args"]["name"] == "MainThread"))
        kept.push_back(e);
    unnamed["traceEvents"] = kept;
    CHECK(joined(check_trace(unnamed)).find("no thread_name") != std::string::npos);
  }
}
