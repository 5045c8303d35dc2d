// A machine profile (`gilsim calibrate`, `--profile F`): the sim engine's latencies and costs as
// measured on one machine, so the sim engine can stand for that machine rather than for the
// default calibration (docs/fidelity.md "Machine profiles").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gil/engines/sim_params.h"

namespace gilsim {

// The profile's keys, each a SimParams field: wake_latency_ns, same_core_wake_ns, signal_cost_ns,
// mutex_hold_ns, time_slice_ns, wakeup_granularity_ns, timer_slack_ns, jitter, cost_scale. A key
// the file leaves out keeps the built-in default; an unknown key or a value out of range is an
// error, so a typo never passes silently. "format" must be "gilsim-profile"; "machine" and
// "notes" are free text.
bool read_machine_profile(const std::string& path, SimParams& sim, std::string& error);
// The profile document for `sim` (every key), with the machine's description and notes.
nlohmann::json machine_profile_json(const SimParams& sim, const std::string& machine,
                                    const nlohmann::json& notes);

}  // namespace gilsim
