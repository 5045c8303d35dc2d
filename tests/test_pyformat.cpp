#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "vm/pyformat.h"

// Every expected value below was produced by CPython 3.11.7.

namespace {

using gilsim::float_floordiv;
using gilsim::float_mod;
using gilsim::format_float;
using gilsim::int_floordiv;
using gilsim::int_mod;
using gilsim::int_pow;
using gilsim::parse_float;
using gilsim::parse_int;
using gilsim::repr_string;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// == cannot tell 0.0 from -0.0 and never holds for nan, and both distinctions matter here.
bool same_double(double got, double want) {
  if (std::isnan(want)) return std::isnan(got);
  return got == want && std::signbit(got) == std::signbit(want);
}

bool same_double(std::optional<double> got, double want) {
  return got.has_value() && same_double(*got, want);
}

}  // namespace

TEST_CASE("format_float: fixed notation inside [1e-4, 1e16)") {
  CHECK(format_float(0.0) == "0.0");
  CHECK(format_float(-0.0) == "-0.0");
  CHECK(format_float(1.0) == "1.0");
  CHECK(format_float(0.1) == "0.1");
  CHECK(format_float(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_float(1e15) == "1000000000000000.0");
  CHECK(format_float(9999999999999998.0) == "9999999999999998.0");
  CHECK(format_float(1e-4) == "0.0001");
  CHECK(format_float(0.00012345) == "0.00012345");
  CHECK(format_float(2.5) == "2.5");
  CHECK(format_float(100.0) == "100.0");
  CHECK(format_float(1.0 / 3.0) == "0.3333333333333333");
  CHECK(format_float(0.5) == "0.5");
  CHECK(format_float(12345678.9) == "12345678.9");
}

TEST_CASE("format_float: scientific notation outside [1e-4, 1e16)") {
  CHECK(format_float(1e16) == "1e+16");
  CHECK(format_float(1.5e16) == "1.5e+16");
  CHECK(format_float(123456789012345678.0) == "1.2345678901234568e+17");
  CHECK(format_float(1e-5) == "1e-05");
  CHECK(format_float(-1.5e-5) == "-1.5e-05");
  CHECK(format_float(1.5e-7) == "1.5e-07");
  CHECK(format_float(1e22) == "1e+22");
  CHECK(format_float(1e100) == "1e+100");
  CHECK(format_float(1e300 * 10) == "1e+301");
  CHECK(format_float(0x1p60) == "1.152921504606847e+18");
  CHECK(format_float(-2.5e-300) == "-2.5e-300");
  CHECK(format_float(1e-310) == "1e-310");
  CHECK(format_float(5e-324) == "5e-324");
  CHECK(format_float(1.7976931348623157e308) == "1.7976931348623157e+308");
}

TEST_CASE("format_float: non-finite values") {
  volatile double big = 1e308;  // keep the overflow a run-time computation
  CHECK(format_float(big * 10) == "inf");
  CHECK(format_float(-big * 10) == "-inf");
  CHECK(format_float(-kInf) == "-inf");
  CHECK(format_float(kNan) == "nan");
  CHECK(format_float(-kNan) == "nan");
}

TEST_CASE("repr_string: quote choice") {
  CHECK(repr_string("a") == "'a'");
  CHECK(repr_string("") == "''");
  CHECK(repr_string("it's") == "\"it's\"");
  CHECK(repr_string("a\"b") == "'a\"b'");
  CHECK(repr_string("\"") == "'\"'");
  CHECK(repr_string("'") == "\"'\"");
  CHECK(repr_string("say \"hi\" it's") == "'say \"hi\" it\\'s'");
  CHECK(repr_string("\"'") == "'\"\\''");
}

TEST_CASE("repr_string: escapes") {
  CHECK(repr_string("\n\t\\") == "'\\n\\t\\\\'");
  CHECK(repr_string("tab\there") == "'tab\\there'");
  CHECK(repr_string(std::string_view("\0", 1)) == "'\\x00'");
  CHECK(repr_string("\x7f") == "'\\x7f'");
  CHECK(repr_string("\r\x01\x1f\x1b") == "'\\r\\x01\\x1f\\x1b'");
  CHECK(repr_string("\v\f\b") == "'\\x0b\\x0c\\x08'");
}

TEST_CASE("repr_string: UTF-8 is copied unchanged") {
  CHECK(repr_string("\xc3\xa9") == "'\xc3\xa9'");                                  // 'é'
  CHECK(repr_string("\xe6\x97\xa5\xe6\x9c\xac") == "'\xe6\x97\xa5\xe6\x9c\xac'");  // '日本'
}

TEST_CASE("int_floordiv and int_mod: sign rules") {
  struct Case {
    std::int64_t a, b, quotient, remainder;
  };
  const Case cases[] = {
      {7, 2, 3, 1},
      {-7, 2, -4, 1},
      {7, -2, -4, -1},
      {-7, -2, 3, -1},
      {6, 3, 2, 0},
      {-6, 3, -2, 0},
      {6, -3, -2, 0},
      {0, 5, 0, 0},
      {0, -5, 0, 0},
      {1, -1, -1, 0},
      {kMin, 1, kMin, 0},
      {kMin, kMax, -2, 9223372036854775806},
      {kMax, kMin, -1, -1},
      {-1, kMax, -1, 9223372036854775806},
      {5, kMin, -1, -9223372036854775803},
  };
  for (const Case& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(int_floordiv(c.a, c.b) == c.quotient);
    CHECK(int_mod(c.a, c.b) == c.remainder);
  }
}

TEST_CASE("int_floordiv: INT64_MIN // -1 overflows, INT64_MIN % -1 is 0") {
  CHECK_FALSE(int_floordiv(kMin, -1).has_value());
  CHECK(int_mod(kMin, -1) == 0);
}

TEST_CASE("int_floordiv and int_mod: zero divisor is defined, not UB") {
  CHECK_FALSE(int_floordiv(1, 0).has_value());
  CHECK(int_mod(1, 0) == 0);
}

TEST_CASE("float_floordiv and float_mod: sign rules") {
  struct Case {
    double a, b, quotient, remainder;
  };
  const Case cases[] = {
      {7.0, 2.0, 3.0, 1.0},    {-7.0, 2.0, -4.0, 1.0},   {7.0, -2.0, -4.0, -1.0},
      {-7.0, -2.0, 3.0, -1.0}, {7.5, 2.0, 3.0, 1.5},     {-7.5, 2.0, -4.0, 0.5},
      {6.0, 3.0, 2.0, 0.0},    {-6.0, 3.0, -2.0, 0.0},   {6.0, -3.0, -2.0, -0.0},
      {-6.0, -3.0, 2.0, -0.0}, {5.5, -0.5, -11.0, -0.0}, {0.1, 0.01, 10.0, 3.469446951953614e-18},
  };
  for (const Case& c : cases) {
    CAPTURE(c.a);
    CAPTURE(c.b);
    CHECK(same_double(float_floordiv(c.a, c.b), c.quotient));
    CHECK(same_double(float_mod(c.a, c.b), c.remainder));
  }
}

TEST_CASE("float_floordiv and float_mod: signed zeros") {
  CHECK(same_double(float_floordiv(0.0, 5.0), 0.0));
  CHECK(same_double(float_mod(0.0, 5.0), 0.0));
  CHECK(same_double(float_floordiv(-0.0, 5.0), -0.0));
  CHECK(same_double(float_mod(-0.0, 5.0), 0.0));
  CHECK(same_double(float_floordiv(0.0, -5.0), -0.0));
  CHECK(same_double(float_mod(0.0, -5.0), -0.0));
  CHECK(same_double(float_floordiv(-0.0, -5.0), 0.0));
  CHECK(same_double(float_mod(-0.0, -5.0), -0.0));
  CHECK(same_double(float_floordiv(0.0, -1.0), -0.0));
  CHECK(same_double(float_floordiv(-0.0, 1.0), -0.0));
  CHECK(same_double(float_mod(-0.0, 1.0), 0.0));
}

TEST_CASE("float_floordiv and float_mod: extremes and non-finite operands") {
  CHECK(same_double(float_floordiv(1.0, -1e300), -1.0));
  CHECK(same_double(float_mod(1.0, -1e300), -1e300));
  CHECK(same_double(float_floordiv(-1e-300, 1e300), -1.0));
  CHECK(same_double(float_mod(-1e-300, 1e300), 1e300));
  CHECK(same_double(float_floordiv(1e308, 1e-308), kInf));
  CHECK(same_double(float_mod(1e308, 1e-308), 3.498445546245627e-309));
  CHECK(same_double(float_floordiv(1.0, kInf), 0.0));
  CHECK(same_double(float_mod(1.0, kInf), 1.0));
  CHECK(same_double(float_floordiv(-1.0, kInf), -1.0));
  CHECK(same_double(float_mod(-1.0, kInf), kInf));
  CHECK(same_double(float_floordiv(1.0, -kInf), -1.0));
  CHECK(same_double(float_mod(1.0, -kInf), -kInf));
  // CPython computes inf // 2.0 through fmod, so it is nan rather than inf.
  CHECK(same_double(float_floordiv(kInf, 2.0), kNan));
  CHECK(same_double(float_mod(kInf, 2.0), kNan));
  CHECK(same_double(float_floordiv(kNan, 2.0), kNan));
  CHECK(same_double(float_mod(kNan, 2.0), kNan));
  CHECK(same_double(float_floordiv(3.0, kNan), kNan));
  CHECK(same_double(float_mod(3.0, kNan), kNan));
}

TEST_CASE("int_pow: overflow boundaries") {
  CHECK(int_pow(2, 62) == std::int64_t{4611686018427387904});
  CHECK_FALSE(int_pow(2, 63).has_value());
  CHECK(int_pow(-2, 63) == kMin);
  CHECK_FALSE(int_pow(-2, 64).has_value());
  CHECK(int_pow(3, 39) == std::int64_t{4052555153018976267});
  CHECK_FALSE(int_pow(3, 40).has_value());
  CHECK(int_pow(-3, 39) == std::int64_t{-4052555153018976267});
  CHECK_FALSE(int_pow(-3, 40).has_value());
  CHECK(int_pow(10, 18) == std::int64_t{1000000000000000000});
  CHECK_FALSE(int_pow(10, 19).has_value());
  CHECK(int_pow(3037000499, 2) == std::int64_t{9223372030926249001});
  CHECK_FALSE(int_pow(3037000500, 2).has_value());
  CHECK_FALSE(int_pow(-3037000500, 2).has_value());
  CHECK(int_pow(2147483648, 2) == std::int64_t{4611686018427387904});
  CHECK(int_pow(-2147483648, 2) == std::int64_t{4611686018427387904});
  CHECK_FALSE(int_pow(4294967296, 2).has_value());
  CHECK(int_pow(kMin, 1) == kMin);
  CHECK_FALSE(int_pow(kMin, 2).has_value());
}

TEST_CASE("int_pow: trivial bases and exponents") {
  CHECK(int_pow(0, 0) == 1);
  CHECK(int_pow(7, 0) == 1);
  CHECK(int_pow(0, 5) == 0);
  CHECK(int_pow(1, 1000000000000000000) == 1);
  CHECK(int_pow(-1, 1000000000000000001) == -1);
  CHECK(int_pow(4611686018427387904, 1) == std::int64_t{4611686018427387904});
  CHECK_FALSE(int_pow(2, -1).has_value());  // a float in Python
}

TEST_CASE("parse_int: accepted forms") {
  CHECK(parse_int("  42 ") == 42);
  CHECK(parse_int("-7") == -7);
  CHECK(parse_int("+3") == 3);
  CHECK(parse_int("1_000") == 1000);
  CHECK(parse_int("0_1") == 1);
  CHECK(parse_int("00") == 0);
  CHECK(parse_int("0") == 0);
  CHECK(parse_int("-0") == 0);
  CHECK(parse_int("\t\n\v\f\r7\r") == 7);
  CHECK(parse_int(" 42\v") == 42);
  CHECK(parse_int("-9223372036854775808") == kMin);
  CHECK(parse_int("9223372036854775807") == kMax);
}

TEST_CASE("parse_int: Unicode whitespace is stripped, \\x1c-\\x1f is not") {
  CHECK(parse_int("\xe3\x80\x80"
                  "42\xe2\x80\xa8") == 42);  // U+3000, U+2028
  CHECK(parse_int("\xc2\xa0"
                  "42") == 42);  // U+00A0
  CHECK(parse_int("\xc2\x85"
                  "42") == 42);  // U+0085
  CHECK(parse_int("\xe2\x80\x89"
                  "42") == 42);  // U+2009
  CHECK_FALSE(parse_int("\xe2\x80\x8b"
                        "42")
                  .has_value());  // U+200B is not a space
  CHECK_FALSE(parse_int("\x1c"
                        "42\x1f")
                  .has_value());
  CHECK_FALSE(parse_int("42\x1c").has_value());
}

TEST_CASE("parse_int: rejected forms") {
  CHECK_FALSE(parse_int("_1").has_value());
  CHECK_FALSE(parse_int("1_").has_value());
  CHECK_FALSE(parse_int("1__0").has_value());
  CHECK_FALSE(parse_int("-_1").has_value());
  CHECK_FALSE(parse_int("").has_value());
  CHECK_FALSE(parse_int("  ").has_value());
  CHECK_FALSE(parse_int("+").has_value());
  CHECK_FALSE(parse_int("-").has_value());
  CHECK_FALSE(parse_int("- 1").has_value());
  CHECK_FALSE(parse_int("+-1").has_value());
  CHECK_FALSE(parse_int("0x10").has_value());
  CHECK_FALSE(parse_int(std::string_view("1\0", 2)).has_value());
}

TEST_CASE("parse_int: 64-bit range and CPython's 4300-digit limit") {
  CHECK_FALSE(parse_int("9223372036854775808").has_value());
  CHECK_FALSE(parse_int("-9223372036854775809").has_value());
  CHECK_FALSE(parse_int("18446744073709551616").has_value());
  CHECK(parse_int(std::string(4299, '0') + "1") == 1);
  CHECK(parse_int("-" + std::string(4299, '0') + "1") == -1);
  CHECK_FALSE(parse_int(std::string(4300, '0') + "1").has_value());
  std::string underscored;  // underscores do not count toward the limit
  for (int i = 0; i < 2200; ++i) underscored += "0_";
  CHECK(parse_int(underscored + "1") == 1);
}

TEST_CASE("parse_float: accepted forms") {
  CHECK(same_double(parse_float("1.5"), 1.5));
  CHECK(same_double(parse_float(" -2e3 "), -2000.0));
  CHECK(same_double(parse_float("1_0.5"), 10.5));
  CHECK(same_double(parse_float("1.5_0"), 1.5));
  CHECK(same_double(parse_float("1_0e1_0"), 100000000000.0));
  CHECK(same_double(parse_float(".5"), 0.5));
  CHECK(same_double(parse_float("5."), 5.0));
  CHECK(same_double(parse_float("+.5e-3"), 0.0005));
  CHECK(same_double(parse_float("1e+5"), 100000.0));
  CHECK(same_double(parse_float("1E-5"), 1e-05));
  CHECK(same_double(parse_float("-0"), -0.0));
  CHECK(same_double(parse_float("-0.0"), -0.0));
  CHECK(same_double(parse_float("\xc2\xa0"
                                "1.5\xe3\x80\x80"),
                    1.5));
  CHECK(same_double(parse_float(std::string(5000, '0') + "1"), 1.0));
}

TEST_CASE("parse_float: infinity and nan spellings") {
  CHECK(same_double(parse_float("inf"), kInf));
  CHECK(same_double(parse_float("+inf"), kInf));
  CHECK(same_double(parse_float("-inf "), -kInf));
  CHECK(same_double(parse_float("-Infinity"), -kInf));
  CHECK(same_double(parse_float("iNfInItY"), kInf));
  CHECK(same_double(parse_float("nan"), kNan));
  CHECK(same_double(parse_float("NaN"), kNan));
  CHECK(same_double(parse_float("  nan\n"), kNan));
  const std::optional<double> negative_nan = parse_float("-nan");
  REQUIRE(negative_nan.has_value());
  CHECK(std::isnan(*negative_nan));
  CHECK(std::signbit(*negative_nan));  // math.copysign(1, float("-nan")) == -1.0
  CHECK_FALSE(parse_float("infinit").has_value());
  CHECK_FALSE(parse_float("infinityy").has_value());
  CHECK_FALSE(parse_float("nan(1)").has_value());
  CHECK_FALSE(parse_float("infe1").has_value());
  CHECK_FALSE(parse_float("in f").has_value());
}

TEST_CASE("parse_float: overflow gives inf and underflow gives zero, not an error") {
  CHECK(same_double(parse_float("1e400"), kInf));
  CHECK(same_double(parse_float("-1e400"), -kInf));
  CHECK(same_double(parse_float("1e-400"), 0.0));
  CHECK(same_double(parse_float("-1e-400"), -0.0));
  CHECK(same_double(parse_float("1e99999999999999999999999"), kInf));
  CHECK(same_double(parse_float("1e-99999999999999999999"), 0.0));
  CHECK(same_double(parse_float("0e99999999999"), 0.0));
  CHECK(same_double(parse_float("1" + std::string(400, '0')), kInf));
  CHECK(same_double(parse_float("1" + std::string(400, '0') + "e-400"), 1.0));
  CHECK(same_double(parse_float("0." + std::string(400, '0') + "1e400"), 0.1));
  CHECK(same_double(parse_float("1e-320"), 1e-320));
  CHECK(same_double(parse_float("2.4703282292062328e-324"), 5e-324));
  CHECK(same_double(parse_float("2.4703282292062327e-324"), 0.0));
  CHECK(same_double(parse_float("1.7976931348623158e308"), 1.7976931348623157e308));
  CHECK(same_double(parse_float("1.7976931348623159e308"), kInf));
}

TEST_CASE("parse_float: rejected forms") {
  const char* const rejected[] = {"abc",  "",     " . ",   ".",     "1e",   "e5",    "1._5",
                                  "1_.5", "1e_5", "1_e5",  "_1.0",  "1.0_", "0x1p3", "1,5",
                                  "- 1",  "+-1",  "1e5.0", "1.2.3", "1d5",  "+",     "1e+"};
  for (const char* text : rejected) {
    CAPTURE(text);
    CHECK_FALSE(parse_float(text).has_value());
  }
  // \x1c is a space to str.isspace() but not to float().
  CHECK_FALSE(parse_float(std::string("\x1c") + "1.5").has_value());
}
