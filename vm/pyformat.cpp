// pyformat: CPython 3.11 number and string semantics. See pyformat.h for the contract.
#include "vm/pyformat.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace gilsim {
namespace {

// CPython refuses to convert decimal strings with more digits than sys.get_int_max_str_digits()
// (4300 by default); leading zeros count, so "0" * 4301 + "1" is a ValueError, not 1.
constexpr std::size_t kIntMaxStrDigits = 4300;

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignore_case(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

// Byte length of the whitespace code point that starts `text`, or 0. int() and float() strip
// what str.isspace() accepts outside ASCII, but inside ASCII only C's isspace set: CPython maps
// non-ASCII spaces to ' ' and then skips Py_ISSPACE, so "\x1c42" is a ValueError while
// "\u300042" is 42.
std::size_t space_length_at(std::string_view text) {
  if (text.empty()) return 0;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  switch (byte(0)) {
    case ' ':
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
      return 1;
    case 0xC2:  // U+0085, U+00A0
      return text.size() >= 2 && (byte(1) == 0x85 || byte(1) == 0xA0) ? 2 : 0;
    case 0xE1:  // U+1680
      return text.size() >= 3 && byte(1) == 0x9A && byte(2) == 0x80 ? 3 : 0;
    case 0xE2: {  // U+2000..U+200A, U+2028, U+2029, U+202F, U+205F
      if (text.size() < 3) return 0;
      if (byte(1) == 0x80) {
        const unsigned char c = byte(2);
        return (c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF ? 3 : 0;
      }
      return byte(1) == 0x81 && byte(2) == 0x9F ? 3 : 0;
    }
    case 0xE3:  // U+3000
      return text.size() >= 3 && byte(1) == 0x80 && byte(2) == 0x80 ? 3 : 0;
    default:
      return 0;
  }
}

std::string_view strip_python_space(std::string_view text) {
  while (std::size_t n = space_length_at(text)) text.remove_prefix(n);
  bool stripped = true;
  while (stripped && !text.empty()) {
    stripped = false;
    // A whitespace code point is at most three UTF-8 bytes; try each possible start.
    for (std::size_t n = 1; n <= 3 && n <= text.size(); ++n) {
      if (space_length_at(text.substr(text.size() - n)) == n) {
        text.remove_suffix(n);
        stripped = true;
        break;
      }
    }
  }
  return text;
}

// Consumes a leading '+' or '-'; returns true when the number is negative.
bool take_sign(std::string_view& text) {
  if (text.empty() || (text[0] != '+' && text[0] != '-')) return false;
  const bool negative = text[0] == '-';
  text.remove_prefix(1);
  return negative;
}

// CPython only allows '_' with a digit on each side, in int() and float() alike.
bool underscore_well_placed(std::string_view text, std::size_t i) {
  return i > 0 && i + 1 < text.size() && is_ascii_digit(text[i - 1]) && is_ascii_digit(text[i + 1]);
}

void append_exponent(std::string& out, int exponent) {
  out += exponent < 0 ? '-' : '+';
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) out += '0';
  out += std::to_string(magnitude);
}

// Lays out shortest round-trip digits d1 d2 ... (value = 0.d1d2... * 10**decpt) the way CPython's
// format_float_short does for repr: mode 'r', Py_DTSF_ADD_DOT_0.
std::string layout_repr(bool negative, std::string_view digits, int decpt) {
  std::string out = negative ? "-" : "";
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    append_exponent(out, decpt - 1);
    return out;
  }
  const auto ndigits = static_cast<int>(digits.size());
  if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out += digits.substr(0, static_cast<std::size_t>(decpt));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(decpt));
  }
  return out;
}

// When from_chars reports result_out_of_range the value is either beyond DBL_MAX or below half
// the smallest subnormal; which one follows from the decimal exponent of the leading non-zero
// digit. Python gives inf or 0.0 there instead of an error. `number` is already validated and
// unsigned, with underscores removed.
bool magnitude_at_least_one(std::string_view number) {
  constexpr std::int64_t kClamp = std::int64_t{1} << 40;  // far past any double's exponent
  std::int64_t int_digits = 0;  // digits before the point, counting from the first non-zero
  std::int64_t frac_zeros = 0;  // zeros after the point before the first non-zero
  bool seen_point = false;
  bool seen_nonzero = false;
  std::size_t i = 0;
  for (; i < number.size() && number[i] != 'e' && number[i] != 'E'; ++i) {
    const char c = number[i];
    if (c == '.') {
      seen_point = true;
    } else if (!seen_point) {
      seen_nonzero = seen_nonzero || c != '0';
      if (seen_nonzero && int_digits < kClamp) ++int_digits;
    } else if (!seen_nonzero) {
      if (c != '0') {
        seen_nonzero = true;
      } else if (frac_zeros < kClamp) {
        ++frac_zeros;
      }
    }
  }
  // Decimal exponent of the first non-zero mantissa digit.
  const std::int64_t lead = int_digits > 0 ? int_digits - 1 : -(frac_zeros + 1);
  std::int64_t exponent = 0;
  if (i < number.size()) {
    std::string_view exp_text = number.substr(i + 1);
    const bool negative = take_sign(exp_text);
    for (const char c : exp_text) {
      if (exponent < kClamp) exponent = exponent * 10 + (c - '0');
    }
    if (negative) exponent = -exponent;
  }
  return lead + exponent >= 0;
}

// Validates CPython's float() grammar (after sign and whitespace are gone) and returns the text
// without underscores, or nullopt. Infinity and nan are handled by the caller.
std::optional<std::string> clean_float_literal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t mantissa_digits = 0;
  bool seen_point = false;
  std::size_t i = 0;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    const char c = text[i];
    if (is_ascii_digit(c)) {
      ++mantissa_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (!(c == '_' && underscore_well_placed(text, i))) {
      return std::nullopt;
    }
    if (c != '_') out += c;
  }
  if (mantissa_digits == 0) return std::nullopt;
  if (i == text.size()) return out;
  out += 'e';
  std::string_view exp_text = text.substr(i + 1);
  if (take_sign(exp_text)) out += '-';
  if (exp_text.empty()) return std::nullopt;
  for (std::size_t j = 0; j < exp_text.size(); ++j) {
    const char c = exp_text[j];
    if (is_ascii_digit(c)) {
      out += c;
    } else if (!(c == '_' && underscore_well_placed(exp_text, j))) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::string format_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest round-trip digits are what both CPython's dtoa mode 0 and to_chars produce.
  std::array<char, 64> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(value),
                                    std::chars_format::scientific);
  const std::string_view sci(buf.data(), static_cast<std::size_t>(result.ptr - buf.data()));
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (const char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  std::string_view exp_text = sci.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  return layout_repr(std::signbit(value), digits, exponent + 1);
}

std::string repr_string(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::optional<std::int64_t> int_floordiv(std::int64_t a, std::int64_t b) {
  if (b == 0) return std::nullopt;  // the caller raises ZeroDivisionError before getting here
  if (a == std::numeric_limits<std::int64_t>::min() && b == -1) return std::nullopt;
  std::int64_t quotient = a / b;
  // C++ truncates toward zero; step down when the exact quotient was negative and inexact.
  if (a % b != 0 && ((a < 0) != (b < 0))) --quotient;
  return quotient;
}

std::int64_t int_mod(std::int64_t a, std::int64_t b) {
  // b == -1 sidesteps INT64_MIN % -1, which traps; b == 0 is a caller bug and must not be UB.
  if (b == 0 || b == -1) return 0;
  std::int64_t remainder = a % b;
  if (remainder != 0 && ((remainder < 0) != (b < 0))) remainder += b;
  return remainder;
}

// Transcribes CPython 3.11 _float_div_mod so that signed zeros, infinities and nans agree too
// (e.g. inf // 2.0 is nan in CPython, not inf).
double float_floordiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && ((b < 0) != (mod < 0))) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double floordiv = std::floor(div);
  if (div - floordiv > 0.5) floordiv += 1.0;
  return floordiv;
}

double float_mod(double a, double b) {
  double mod = std::fmod(a, b);
  if (mod == 0.0) return std::copysign(0.0, b);
  if ((b < 0) != (mod < 0)) mod += b;
  return mod;
}

std::optional<std::int64_t> int_pow(std::int64_t base, std::int64_t exponent) {
  if (exponent < 0) return std::nullopt;  // Python returns a float; not this function's job
  std::int64_t result = 1;
  while (true) {
    if ((exponent & 1) != 0 && __builtin_mul_overflow(result, base, &result)) return std::nullopt;
    exponent >>= 1;
    if (exponent == 0) return result;
    // Squaring may only overflow when more factors remain, and then the result overflows too:
    // |result| >= 1, and 2**63 is not a perfect square, so INT64_MIN can't be reached this way.
    if (__builtin_mul_overflow(base, base, &base)) return std::nullopt;
  }
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = strip_python_space(text);
  const bool negative = take_sign(text);
  if (text.empty()) return std::nullopt;
  // Accumulate the magnitude unsigned so that INT64_MIN's magnitude fits.
  const std::uint64_t limit =
      negative ? std::uint64_t{1} << 63
               : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t magnitude = 0;
  std::size_t digits = 0;
  bool overflow = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_' && underscore_well_placed(text, i)) continue;
    if (!is_ascii_digit(c)) return std::nullopt;
    if (++digits > kIntMaxStrDigits) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (limit - digit) / 10) overflow = true;
    if (!overflow) magnitude = magnitude * 10 + digit;
  }
  if (overflow) return std::nullopt;
  if (!negative) return static_cast<std::int64_t>(magnitude);
  // Negate in unsigned arithmetic: 0 - 2**63 wraps to the INT64_MIN bit pattern.
  return static_cast<std::int64_t>(std::uint64_t{0} - magnitude);
}

std::optional<double> parse_float(std::string_view text) {
  text = strip_python_space(text);
  const bool negative = take_sign(text);
  const double sign = negative ? -1.0 : 1.0;
  if (equals_ignore_case(text, "inf") || equals_ignore_case(text, "infinity")) {
    return std::copysign(std::numeric_limits<double>::infinity(), sign);
  }
  if (equals_ignore_case(text, "nan")) {
    return std::copysign(std::numeric_limits<double>::quiet_NaN(), sign);
  }
  const std::optional<std::string> cleaned = clean_float_literal(text);
  if (!cleaned) return std::nullopt;
  double value = 0.0;
  const char* begin = cleaned->data();
  const char* end = begin + cleaned->size();
  const auto [ptr, ec] = std::from_chars(begin, end, value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    value = magnitude_at_least_one(*cleaned) ? std::numeric_limits<double>::infinity() : 0.0;
  } else if (ec != std::errc() || ptr != end) {
    return std::nullopt;
  }
  return std::copysign(value, sign);
}

}  // namespace gilsim
