// Durations as the command line reads and prints them: "5ms", "100us", "0.5s", "250ns".
#pragma once

#include <string>

#include "gil/core/event.h"

namespace gilsim {

// "5ms", "100us", "0.5s", "250ns" -> nanoseconds; false with a message when it does not read.
bool parse_duration(const std::string& text, Nanos& out, std::string& error);
std::string format_duration(Nanos ns);  // the shortest exact form: "5ms", "100us", "1.5s"

}  // namespace gilsim
