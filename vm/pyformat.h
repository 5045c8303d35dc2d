// pyformat: Python's number and string semantics that the VM must copy exactly.
//
// gilsim's language is a strict subset of Python 3, and CPython is the oracle of its meaning, so
// every rule here (float repr, floor division, modulo signs, string repr quoting) follows
// CPython 3.11 to the character. Pure functions, no state: safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gilsim {

// repr(float) as CPython prints it: shortest round-trip digits; fixed notation when the decimal
// exponent is in [-4, 16), else scientific with at least two exponent digits ("1e+16", "1e-05");
// always a ".0" on integral values in fixed notation ("3.0"); "inf", "-inf", "nan"; "-0.0".
std::string format_float(double value);

// repr(str): single quotes unless the text holds a ' and no ", escapes \\ \n \r \t, the chosen
// quote, and other control characters as \xhh. Bytes >= 0x80 (UTF-8) are copied unchanged, so
// unlike CPython, non-printable non-ASCII code points (U+0085, U+00A0, ...) are not escaped.
std::string repr_string(std::string_view text);

// Python's // and % on 64-bit ints: the quotient rounds toward minus infinity and the remainder
// takes the divisor's sign. Divisor must be non-zero (the caller raises ZeroDivisionError); a zero
// divisor still has no undefined behaviour: floordiv gives nullopt and mod gives 0. Otherwise
// floordiv returns nullopt only on INT64_MIN // -1 (overflow).
std::optional<std::int64_t> int_floordiv(std::int64_t a, std::int64_t b);
std::int64_t int_mod(std::int64_t a, std::int64_t b);  // b != 0; INT64_MIN % -1 == 0

// Python's // and % on floats (divisor non-zero): floor of the quotient; remainder has the
// divisor's sign, "-0.0"/"0.0" signs as CPython's float_rem/float_floor_div give them. Also
// CPython's edge results: inf // 2.0 is nan, -1.0 % inf is inf, 1.0 // -inf is -1.0.
double float_floordiv(double a, double b);
double float_mod(double a, double b);

// a ** b for ints with b >= 0 (0 ** 0 == 1); nullopt on 64-bit overflow, and for b < 0, where
// Python's result is a float.
std::optional<std::int64_t> int_pow(std::int64_t base, std::int64_t exponent);

// int("...") and float("...") on a string as Python accepts it (surrounding whitespace, sign,
// underscores between digits for int; "inf"/"nan"/exponents for float). nullopt when Python would
// raise ValueError (or, for int, when the value does not fit in 64 bits). Whitespace is what
// CPython strips: ASCII " \t\n\v\f\r" (not \x1c-\x1f) and the UTF-8 encoded Unicode spaces.
// int() also enforces CPython's default 4300-digit limit. Deviation: non-ASCII decimal digits
// ("\u0663") are rejected, although CPython accepts them.
std::optional<std::int64_t> parse_int(std::string_view text);

// '0'..'9' only: std::isdigit depends on the locale and is undefined for a negative char.
inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
std::optional<double> parse_float(std::string_view text);

}  // namespace gilsim
