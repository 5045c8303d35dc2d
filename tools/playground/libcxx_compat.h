// Force-included in the playground's build only: what Debian's Emscripten (3.1.6, libc++ 13)
// lacks of the C++20 library that gilsim uses, so vm/, gil/ and tools/ compile unchanged.
#pragma once

#include <version>

#if !defined(__cpp_lib_bit_cast)
namespace std {
template <class To, class From>
constexpr To bit_cast(const From& from) noexcept {
  return __builtin_bit_cast(To, from);
}
}  // namespace std
#endif

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION < 14000
// libc++ 13 has the integer overloads of to_chars/from_chars only. The double ones are made from
// fmt (shortest round-trip digits, Dragonbox, as to_chars gives) and strtod (correctly rounded in
// Emscripten's musl), with to_chars's and from_chars's results.
#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace std {
inline to_chars_result to_chars(char* first, char* last, double value, chars_format fmt) {
  std::string text;
  if (fmt == chars_format::scientific && value != 0.0 && std::isfinite(value)) {
    // Dragonbox's shortest significand and exponent, written d.ddde+X as to_chars writes them.
    auto dec = fmt::detail::dragonbox::to_decimal(std::fabs(value));
    std::string digits = std::to_string(dec.significand);
    while (digits.size() > 1 && digits.back() == '0') {
      digits.pop_back();
      ++dec.exponent;
    }
    int exp10 = dec.exponent + static_cast<int>(digits.size()) - 1;
    text = value < 0 ? "-" : "";
    text += digits.substr(0, 1);
    if (digits.size() > 1) text += "." + digits.substr(1);
    text += fmt::format("e{}{:02}", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
  } else if (fmt == chars_format::scientific && value == 0.0) {
    text = std::signbit(value) ? "-0e+00" : "0e+00";
  } else if (fmt == chars_format::scientific) {
    text = fmt::format("{:e}", value);  // inf, nan
  } else {
    text = fmt::format("{}", value);
  }
  if (text.size() > static_cast<size_t>(last - first)) return {last, errc::value_too_large};
  for (char c : text) *first++ = c;
  return {first, errc()};
}
inline to_chars_result to_chars(char* first, char* last, double value) {
  return to_chars(first, last, value, chars_format::general);
}
inline from_chars_result from_chars(const char* first, const char* last, double& value,
                                    chars_format = chars_format::general) {
  std::string text(first, last);  // strtod needs a terminator
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  const char* ptr = first + (end - text.c_str());
  if (end == text.c_str()) return {first, errc::invalid_argument};
  if (errno == ERANGE && (std::isinf(v) || v == 0.0)) return {ptr, errc::result_out_of_range};
  value = v;
  return {ptr, errc()};
}
}  // namespace std
#endif
