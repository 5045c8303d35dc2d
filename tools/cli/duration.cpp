#include "tools/cli/duration.h"

#include <fmt/format.h>

#include <cmath>

namespace gilsim {

bool parse_duration(const std::string& text, Nanos& out, std::string& error) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (...) {
    error = fmt::format("'{}' is not a duration (try 5ms, 100us or 0.5s)", text);
    return false;
  }
  std::string unit = text.substr(pos);
  double scale = 0;
  if (unit == "ns")
    scale = 1;
  else if (unit == "us" || unit == "\u00b5s")
    scale = 1e3;
  else if (unit == "ms")
    scale = 1e6;
  else if (unit == "s")
    scale = 1e9;
  if (scale == 0) {
    error = unit.empty()
                ? fmt::format("'{}' needs a unit: {}ms, {}us or {}s", text, text, text, text)
                : fmt::format("'{}': unknown unit '{}' (use ns, us, ms or s)", text, unit);
    return false;
  }
  if (!(value >= 0) || value * scale > 1e18) {
    error = fmt::format("'{}' is out of range", text);
    return false;
  }
  out = static_cast<Nanos>(std::llround(value * scale));
  return true;
}

std::string format_duration(Nanos ns) {
  if (ns % 1'000'000'000 == 0 && ns > 0) return fmt::format("{}s", ns / 1'000'000'000);
  if (ns >= 1'000'000'000) return fmt::format("{}s", static_cast<double>(ns) / 1e9);
  if (ns % 1'000'000 == 0 && ns > 0) return fmt::format("{}ms", ns / 1'000'000);
  if (ns >= 1'000'000) return fmt::format("{}ms", static_cast<double>(ns) / 1e6);
  if (ns % 1000 == 0 && ns > 0) return fmt::format("{}us", ns / 1000);
  return fmt::format("{}ns", ns);
}

}  // namespace gilsim
