#include "tools/cli/machine_profile.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

namespace gilsim {

namespace {

struct DurationKey {
  const char* key;
  Nanos SimParams::*field;
};
constexpr DurationKey kDurations[] = {
    {"wake_latency_ns", &SimParams::wake_latency},
    {"same_core_wake_ns", &SimParams::same_core_wake},
    {"signal_cost_ns", &SimParams::signal_cost},
    {"mutex_hold_ns", &SimParams::mutex_hold},
    {"time_slice_ns", &SimParams::time_slice},
    {"wakeup_granularity_ns", &SimParams::wakeup_granularity},
    {"timer_slack_ns", &SimParams::timer_slack},
};
constexpr Nanos kLongestDuration = 10'000'000'000;  // 10 s: no latency of a real machine is longer

}  // namespace

bool read_machine_profile(const std::string& path, SimParams& sim, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = fmt::format("cannot read the profile '{}'", path);
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = fmt::format("the profile '{}' is not a JSON object", path);
    return false;
  }
  if (doc.value("format", std::string()) != "gilsim-profile") {
    error = fmt::format(
        "'{}' is not a gilsim profile (its \"format\" must be \"gilsim-profile\"; "
        "gilsim calibrate writes one)",
        path);
    return false;
  }
  SimParams out = sim;
  for (const auto& [key, value] : doc.items()) {
    if (key == "format" || key == "machine" || key == "notes") continue;
    bool known = false;
    for (const DurationKey& d : kDurations) {
      if (key != d.key) continue;
      known = true;
      if (!value.is_number() || value.get<double>() < 0 ||
          value.get<double>() > static_cast<double>(kLongestDuration)) {
        error = fmt::format("profile '{}': {} must be a number of nanoseconds from 0 to {}", path,
                            key, kLongestDuration);
        return false;
      }
      out.*d.field = static_cast<Nanos>(value.get<double>());
    }
    if (key == "jitter" || key == "cost_scale") {
      known = true;
      double lo = key == "jitter" ? 0.0 : 0.01, hi = key == "jitter" ? 0.9 : 100.0;
      if (!value.is_number() || !(value.get<double>() >= lo && value.get<double>() <= hi)) {
        error = fmt::format("profile '{}': {} must be a number from {} to {}", path, key, lo, hi);
        return false;
      }
      (key == "jitter" ? out.jitter : out.cost_scale) = value.get<double>();
    }
    if (!known) {
      std::string keys = "jitter, cost_scale";
      for (const DurationKey& d : kDurations) keys += std::string(", ") + d.key;
      error = fmt::format("profile '{}': unknown key '{}' (known: {})", path, key, keys);
      return false;
    }
  }
  sim = out;
  return true;
}

nlohmann::json machine_profile_json(const SimParams& sim, const std::string& machine,
                                    const nlohmann::json& notes) {
  nlohmann::json doc = {{"format", "gilsim-profile"}, {"machine", machine}};
  for (const DurationKey& d : kDurations) doc[d.key] = sim.*d.field;
  doc["jitter"] = sim.jitter;
  doc["cost_scale"] = sim.cost_scale;
  doc["notes"] = notes;
  return doc;
}

}  // namespace gilsim
