#include "gil/engines/system_exit.h"

#include <charconv>

namespace gilsim {

std::optional<int> system_exit_status(const ScriptFailure& f, std::string& message) {
  message.clear();
  if (f.type != "SystemExit") return std::nullopt;
  // The failure keeps str(code): "" for no argument, "None", the int's digits, or a message.
  if (f.message.empty() || f.message == "None" || f.message == "False") return 0;
  if (f.message == "True") return 1;
  long long code = 0;
  const char* end = f.message.data() + f.message.size();
  auto [ptr, ec] = std::from_chars(f.message.data(), end, code);
  if (ec == std::errc() && ptr == end) return static_cast<int>(code & 0xff);  // as the OS keeps it
  message = f.message + "\n";
  return 1;
}

}  // namespace gilsim
