#include "vm/strformat.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "vm/containers.h"
#include "vm/errors.h"
#include "vm/exceptions.h"
#include "vm/objects.h"
#include "vm/operations.h"
#include "vm/pyformat.h"
#include "vm/thread_state.h"

namespace gilsim {

std::size_t utf8_count(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string ascii_of(std::string_view repr) {
  std::string out;
  for (size_t i = 0; i < repr.size();) {
    auto c = static_cast<unsigned char>(repr[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    int extra = (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : 3;
    std::uint32_t cp = c & (extra == 1 ? 0x1f : extra == 2 ? 0x0f : 0x07);
    for (int k = 1; k <= extra && i + k < repr.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(repr[i + k]) & 0x3f);
    i += static_cast<size_t>(extra) + 1;
    out += cp < 0x100     ? fmt::format("\\x{:02x}", cp)
           : cp < 0x10000 ? fmt::format("\\u{:04x}", cp)
                          : fmt::format("\\U{:08x}", cp);
  }
  return out;
}

namespace {

struct Spec {
  std::string fill = " ";  // one code point
  char align = 0;          // < > = ^, or 0
  char sign = 0;           // + - space, or 0
  bool alt = false;
  bool zero = false;
  int width = -1;
  char grouping = 0;  // , or _
  int precision = -1;
  char type = 0;
};

[[noreturn]] void invalid_spec(std::string_view spec, const Value& v) {
  raise("ValueError",
        fmt::format("Invalid format specifier '{}' for object of type '{}'", spec, type_name(v)));
}

bool is_align(char c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

Spec parse_spec(std::string_view s, const Value& v) {
  Spec sp;
  size_t i = 0;
  // The fill may be any one code point, followed by an alignment.
  size_t first_len = 1;
  if (!s.empty()) {
    auto c = static_cast<unsigned char>(s[0]);
    first_len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
  }
  if (s.size() > first_len && is_align(s[first_len])) {
    sp.fill = std::string(s.substr(0, first_len));
    sp.align = s[first_len];
    i = first_len + 1;
  } else if (!s.empty() && is_align(s[0])) {
    sp.align = s[0];
    i = 1;
  }
  if (i < s.size() && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) sp.sign = s[i++];
  if (i < s.size() && s[i] == '#') {
    sp.alt = true;
    ++i;
  }
  if (i < s.size() && s[i] == '0') {
    sp.zero = true;
    ++i;
  }
  auto number = [&]() {
    int n = -1;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = (n < 0 ? 0 : n) * 10 + (s[i++] - '0');
      if (n > 100000000) raise("ValueError", "Too many decimal digits in format string");
    }
    return n;
  };
  sp.width = number();
  if (i < s.size() && (s[i] == ',' || s[i] == '_')) sp.grouping = s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    sp.precision = number();
    if (sp.precision < 0) raise("ValueError", "Format specifier missing precision");
  }
  if (i < s.size()) sp.type = s[i++];
  if (i < s.size()) invalid_spec(s, v);
  if (sp.zero && !sp.align) {
    sp.fill = "0";
    sp.align = '=';
  }
  return sp;
}

std::string pad(const std::string& body, const Spec& sp, char default_align, size_t sign_len) {
  size_t len = utf8_count(body);
  if (sp.width < 0 || len >= static_cast<size_t>(sp.width)) return body;
  size_t n = static_cast<size_t>(sp.width) - len;
  char align = sp.align ? sp.align : default_align;
  auto fill = [&](size_t k) {
    std::string out;
    for (size_t j = 0; j < k; ++j) out += sp.fill;
    return out;
  };
  switch (align) {
    case '<':
      return body + fill(n);
    case '^':
      return fill(n / 2) + body + fill(n - n / 2);
    case '=':
      return body.substr(0, sign_len) + fill(n) + body.substr(sign_len);
    default:
      return fill(n) + body;
  }
}

std::string group(const std::string& digits, char sep, int every) {
  std::string out;
  int count = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    if (count == every) {
      out += sep;
      count = 0;
    }
    out += digits[i];
    ++count;
  }
  return std::string(out.rbegin(), out.rend());
}

// Sign and prefix, then the digits (grouped); zero padding goes between them, and takes part in
// the grouping, as CPython's: format(1234, '08,d') is '0,001,234'.
std::string layout_number(bool negative, const std::string& prefix, std::string digits,
                          std::string frac, const Spec& sp, int group_every) {
  std::string sign = negative ? "-" : sp.sign == '+' ? "+" : sp.sign == ' ' ? " " : "";
  std::string head = sign + prefix;
  auto grouped = [&]() { return sp.grouping ? group(digits, sp.grouping, group_every) : digits; };
  if (sp.align == '=' && sp.fill == "0" && sp.grouping && sp.width > 0) {
    while (head.size() + grouped().size() + frac.size() < static_cast<size_t>(sp.width))
      digits.insert(digits.begin(), '0');
    return head + grouped() + frac;
  }
  return pad(head + grouped() + frac, sp, '>', head.size());
}

std::string to_base(std::uint64_t mag, int base, bool upper) {
  if (mag == 0) return "0";
  const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  while (mag) {
    out += d[mag % static_cast<unsigned>(base)];
    mag /= static_cast<unsigned>(base);
  }
  return std::string(out.rbegin(), out.rend());
}

std::string format_float_spec(double x, Spec sp, const Value& v);

std::string format_int_spec(std::int64_t x, const Spec& sp, const Value& v) {
  char t = sp.type ? sp.type : 'd';
  if (t == 'e' || t == 'E' || t == 'f' || t == 'F' || t == 'g' || t == 'G' || t == '%')
    return format_float_spec(static_cast<double>(x), sp, v);
  if (sp.precision >= 0) raise("ValueError", "Precision not allowed in integer format specifier");
  if (t == 'c') {
    if (sp.sign) raise("ValueError", "Sign not allowed with integer format specifier 'c'");
    if (x < 0 || x > 0x10ffff) raise("OverflowError", "%c arg not in range(0x110000)");
    std::string ch;
    auto cp = static_cast<std::uint32_t>(x);
    if (cp < 0x80) {
      ch += static_cast<char>(cp);
    } else if (cp < 0x800) {
      ch += static_cast<char>(0xC0 | (cp >> 6));
      ch += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      ch += static_cast<char>(0xE0 | (cp >> 12));
      ch += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      ch += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      ch += static_cast<char>(0xF0 | (cp >> 18));
      ch += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      ch += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      ch += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return pad(ch, sp, '<', 0);
  }
  int base = t == 'd' || t == 'n'   ? 10
             : t == 'x' || t == 'X' ? 16
             : t == 'o'             ? 8
             : t == 'b'             ? 2
                                    : 0;
  if (!base)
    raise("ValueError",
          fmt::format("Unknown format code '{}' for object of type '{}'", t, type_name(v)));
  if (sp.grouping == ',' && base != 10)
    raise("ValueError", fmt::format("Cannot specify ',' with '{}'.", t));
  bool negative = x < 0;
  std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(x) : static_cast<std::uint64_t>(x);
  std::string prefix;
  if (sp.alt && base != 10) prefix = t == 'X' ? "0X" : t == 'x' ? "0x" : t == 'o' ? "0o" : "0b";
  return layout_number(negative, prefix, to_base(mag, base, t == 'X'), "", sp, base == 10 ? 3 : 4);
}

// 'e' and 'f' by the C library (correctly rounded, as CPython's own dtoa); 'g' and the default
// laid out here from the significant digits, with CPython's switch to exponent notation.
std::string float_body(double x, char t, int precision, bool alt, bool add_dot_0) {
  char buf[512];
  if (t == 'f' || t == 'F') {
    std::snprintf(buf, sizeof buf, alt ? "%#.*f" : "%.*f", precision, x);
    return buf;
  }
  if (t == 'e' || t == 'E') {
    std::snprintf(buf, sizeof buf, alt ? "%#.*e" : "%.*e", precision, x);
    std::string s = buf;
    if (t == 'E')
      for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  // 'g' (and the default type with a precision): p significant digits.
  int p = precision == 0 ? 1 : precision;
  std::snprintf(buf, sizeof buf, "%.*e", p - 1, x);
  std::string sci = buf;
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c >= '0' && c <= '9') digits += c;
  int exponent = std::stoi(sci.substr(e_pos + 1));
  if (!alt)
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  int decpt = exponent + 1;
  bool use_exp = decpt <= -4 || decpt > (add_dot_0 ? p - 1 : p);
  std::string out = x < 0 || std::signbit(x) ? "-" : "";
  if (use_exp) {
    out += digits[0];
    if (digits.size() > 1 || alt) out += '.';
    out += digits.substr(1);
    out += t == 'G' ? 'E' : 'e';
    out += exponent < 0 ? '-' : '+';
    int m = std::abs(exponent);
    if (m < 10) out += '0';
    out += std::to_string(m);
    return out;
  }
  if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (static_cast<size_t>(decpt) >= digits.size()) {
    out += digits;
    out.append(static_cast<size_t>(decpt) - digits.size(), '0');
    if (add_dot_0)
      out += ".0";
    else if (alt)
      out += '.';
  } else {
    out += digits.substr(0, static_cast<size_t>(decpt));
    out += '.';
    out += digits.substr(static_cast<size_t>(decpt));
  }
  if (alt && static_cast<int>(digits.size()) < p && !use_exp) out.append(p - digits.size(), '0');
  return out;
}

std::string format_float_spec(double x, Spec sp, const Value& v) {
  char t = sp.type;
  if (t && !std::strchr("eEfFgGn%", t))
    raise("ValueError",
          fmt::format("Unknown format code '{}' for object of type '{}'", t, type_name(v)));
  if (t == 'n') t = 'g';
  bool negative = std::signbit(x) && !std::isnan(x);
  double mag = std::fabs(x);
  std::string body;
  if (std::isinf(mag) || std::isnan(mag)) {
    body = std::isinf(mag) ? "inf" : "nan";
    if (t == 'E' || t == 'F' || t == 'G')
      for (char& c : body) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (t == '%') body += '%';
  } else if (t == 0 && sp.precision < 0) {
    body = format_float(mag);
  } else if (t == '%') {
    body = float_body(mag * 100, 'f', sp.precision < 0 ? 6 : sp.precision, sp.alt, false) + "%";
  } else {
    int precision = sp.precision < 0 ? 6 : sp.precision;
    body = float_body(mag, t ? t : 'g', precision, sp.alt, t == 0);
  }
  if (!body.empty() && body[0] == '-') body.erase(0, 1);
  // Split the integer digits (grouped) from the rest.
  size_t int_end = 0;
  while (int_end < body.size() && body[int_end] >= '0' && body[int_end] <= '9') ++int_end;
  if (int_end == 0)
    return layout_number(negative, "", "", body,
                         Spec{sp.fill, sp.align, sp.sign, false, false, sp.width, 0, -1, 0}, 3);
  return layout_number(negative, "", body.substr(0, int_end), body.substr(int_end), sp, 3);
}

std::string format_str_spec(const std::string& s, const Spec& sp, const Value& v) {
  if (sp.type && sp.type != 's')
    raise("ValueError",
          fmt::format("Unknown format code '{}' for object of type '{}'", sp.type, type_name(v)));
  if (sp.sign) raise("ValueError", "Sign not allowed in string format specifier");
  if (sp.alt) raise("ValueError", "Alternate form (#) not allowed in string format specifier");
  if (sp.align == '=') raise("ValueError", "'=' alignment not allowed in string format specifier");
  if (sp.grouping) raise("ValueError", fmt::format("Cannot specify '{}' with 's'.", sp.grouping));
  std::string body = s;
  if (sp.precision >= 0) {
    size_t keep = 0, count = 0;
    while (keep < body.size() && count < static_cast<size_t>(sp.precision)) {
      ++keep;
      while (keep < body.size() && (static_cast<unsigned char>(body[keep]) & 0xC0) == 0x80) ++keep;
      ++count;
    }
    body.resize(keep);
  }
  return pad(body, sp, '<', 0);
}

}  // namespace

std::string format_value(ThreadState& ts, const Value& v, std::string_view spec) {
  if (spec.empty()) return to_str(ts, v);
  if (v.is_intlike() || v.is_float() || v.is(ObjType::Str)) {
    Spec sp = parse_spec(spec, v);
    if (v.is(ObjType::Str)) return format_str_spec(v.as<StrObj>()->text, sp, v);
    if (v.is_float()) {
      if (sp.grouping && sp.type == 'n')
        raise("ValueError", fmt::format("Cannot specify '{}' with 'n'.", sp.grouping));
      return format_float_spec(v.as_float(), sp, v);
    }
    if (sp.grouping && (sp.type == 's' || sp.type == 'c' || sp.type == 'n'))
      raise("ValueError", fmt::format("Cannot specify '{}' with '{}'.", sp.grouping, sp.type));
    return format_int_spec(v.as_int(), sp, v);
  }
  raise("TypeError",
        fmt::format("unsupported format string passed to {}.__format__", type_name(v)));
}

// ---- printf-style: fmt % args ----

std::string percent_format(ThreadState& ts, std::string_view f, const Value& args) {
  std::vector<Value> items;
  bool is_tuple = args.is(ObjType::Tuple);
  bool is_mapping = args.is(ObjType::Dict);
  if (is_tuple)
    items = args.as<TupleObj>()->items;
  else
    items.push_back(args);
  size_t next = 0;
  bool used_mapping = false;
  auto take = [&]() -> Value {
    if (next >= items.size()) raise("TypeError", "not enough arguments for format string");
    return items[next++];
  };
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    size_t start = i;
    if (++i >= f.size()) raise("ValueError", "incomplete format");
    Value arg;
    bool have_arg = false;
    if (f[i] == '(') {
      if (!is_mapping) raise("TypeError", "format requires a mapping");
      size_t close = f.find(')', i);
      if (close == std::string_view::npos) raise("ValueError", "incomplete format key");
      Value key = make_str(std::string(f.substr(i + 1, close - i - 1)));
      auto found = dict_get(ts, args, key);
      if (!found) raise_key_error(key);
      arg = *found;
      have_arg = true;
      used_mapping = true;
      i = close + 1;
    }
    Spec sp;
    bool left = false;
    for (; i < f.size() && std::strchr("-+ #0", f[i]); ++i) {
      if (f[i] == '-') left = true;
      if (f[i] == '+') sp.sign = '+';
      if (f[i] == ' ' && sp.sign != '+') sp.sign = ' ';
      if (f[i] == '#') sp.alt = true;
      if (f[i] == '0') sp.zero = true;
    }
    auto number = [&](int& into) {
      if (i < f.size() && f[i] == '*') {
        Value n = take();
        if (!n.is_intlike()) raise("TypeError", "* wants int");
        into = static_cast<int>(n.as_int());
        ++i;
        return;
      }
      while (i < f.size() && f[i] >= '0' && f[i] <= '9')
        into = (into < 0 ? 0 : into) * 10 + (f[i++] - '0');
    };
    number(sp.width);
    if (sp.width < -1) {
      left = true;
      sp.width = -sp.width;
    }
    if (i < f.size() && f[i] == '.') {
      ++i;
      sp.precision = 0;
      number(sp.precision);
    }
    while (i < f.size() && (f[i] == 'l' || f[i] == 'h' || f[i] == 'L')) ++i;
    if (i >= f.size()) raise("ValueError", "incomplete format");
    char t = f[i];
    if (t == '%') {
      out += '%';
      continue;
    }
    if (!have_arg) arg = take();
    sp.align = left ? '<' : (sp.zero ? '=' : '>');
    sp.fill.assign(1, sp.zero && !left ? '0' : ' ');
    switch (t) {
      case 'd':
      case 'i':
      case 'u': {
        if (!arg.is_number())
          raise("TypeError",
                fmt::format("%{} format: a real number is required, not {}", t, type_name(arg)));
        std::int64_t n = arg.is_float() ? int_of_float(std::trunc(arg.as_float())) : arg.as_int();
        std::string digits = to_base(
            n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n), 10, false);
        if (sp.precision > static_cast<int>(digits.size()))
          digits.insert(0, static_cast<size_t>(sp.precision) - digits.size(), '0');
        Spec s2 = sp;
        s2.precision = -1;
        out += layout_number(n < 0, "", digits, "", s2, 3);
        break;
      }
      case 'x':
      case 'X':
      case 'o': {
        if (!arg.is_intlike())
          raise("TypeError",
                fmt::format("%{} format: an integer is required, not {}", t, type_name(arg)));
        std::int64_t n = arg.as_int();
        std::string digits =
            to_base(n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n),
                    t == 'o' ? 8 : 16, t == 'X');
        if (sp.precision > static_cast<int>(digits.size()))
          digits.insert(0, static_cast<size_t>(sp.precision) - digits.size(), '0');
        std::string prefix = sp.alt ? (t == 'o' ? "0o" : t == 'x' ? "0x" : "0X") : "";
        out += layout_number(n < 0, prefix, digits, "", sp, 3);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'F':
      case 'g':
      case 'G': {
        if (!arg.is_number())
          raise("TypeError", fmt::format("must be real number, not {}", type_name(arg)));
        Spec s2 = sp;
        s2.type = t;
        if (s2.precision < 0) s2.precision = 6;
        out += format_float_spec(arg.to_double(), s2, arg);
        break;
      }
      case 'c': {
        std::string ch;
        if (arg.is(ObjType::Str) && utf8_count(arg.as<StrObj>()->text) == 1) {
          ch = arg.as<StrObj>()->text;
        } else if (arg.is_intlike()) {
          Spec s3;
          s3.type = 'c';
          ch = format_int_spec(arg.as_int(), s3, arg);
        } else {
          raise("TypeError", "%c requires int or char");
        }
        Spec s2 = sp;
        s2.fill = " ";
        s2.align = left ? '<' : '>';
        out += pad(ch, s2, '>', 0);
        break;
      }
      case 's':
      case 'r':
      case 'a': {
        std::string text = t == 's' ? to_str(ts, arg) : to_repr(ts, arg);
        if (t == 'a') text = ascii_of(text);
        if (sp.precision >= 0) {
          Spec cut;
          cut.precision = sp.precision;
          text = format_str_spec(text, cut, arg);
        }
        Spec s2;
        s2.width = sp.width;
        s2.align = left ? '<' : '>';
        out += pad(text, s2, '>', 0);
        break;
      }
      default:
        raise("ValueError", fmt::format("unsupported format character '{}' (0x{:x}) at index {}", t,
                                        static_cast<unsigned char>(t), i));
    }
    (void)start;
  }
  if (!used_mapping && !is_mapping && next < items.size())
    raise("TypeError", "not all arguments converted during string formatting");
  return out;
}

// ---- str.format ----

namespace {

struct FormatState {
  ThreadState& ts;
  const std::vector<Value>& args;
  const Value& kwargs;
  int auto_index = 0;  // -1 once a field was numbered by hand
  bool manual = false;
};

std::string render(FormatState& st, std::string_view f, int depth);

Value lookup_field(FormatState& st, std::string_view name) {
  size_t end = 0;
  while (end < name.size() && name[end] != '.' && name[end] != '[') ++end;
  std::string_view head = name.substr(0, end);
  Value v;
  if (head.empty()) {
    if (st.manual)
      raise("ValueError",
            "cannot switch from manual field specification to automatic field numbering");
    st.auto_index = st.auto_index < 0 ? 0 : st.auto_index;
    size_t idx = static_cast<size_t>(st.auto_index++);
    if (idx >= st.args.size())
      raise("IndexError",
            fmt::format("Replacement index {} out of range for positional args tuple", idx));
    v = st.args[idx];
  } else if (head.find_first_not_of("0123456789") == std::string_view::npos) {
    if (st.auto_index > 0)
      raise("ValueError",
            "cannot switch from automatic field numbering to manual field specification");
    st.manual = true;
    size_t idx = std::stoul(std::string(head));
    if (idx >= st.args.size())
      raise("IndexError",
            fmt::format("Replacement index {} out of range for positional args tuple", idx));
    v = st.args[idx];
  } else {
    Value key = make_str(std::string(head));
    std::optional<Value> found;
    if (st.kwargs.is(ObjType::Dict)) found = dict_get(st.ts, st.kwargs, key);
    if (!found) raise_key_error(key);
    v = *found;
  }
  size_t i = end;
  while (i < name.size()) {
    if (name[i] == '[') {
      size_t close = name.find(']', i);
      if (close == std::string_view::npos) raise("ValueError", "Missing ']' in format string");
      std::string_view key = name.substr(i + 1, close - i - 1);
      Value k = key.find_first_not_of("0123456789") == std::string_view::npos && !key.empty()
                    ? Value::integer(std::stoll(std::string(key)))
                    : make_str(std::string(key));
      v = subscript(st.ts, v, k);
      i = close + 1;
    } else {
      raise("AttributeError",
            fmt::format("'{}' object has no attribute '{}'", type_name(v), name.substr(i + 1)));
    }
  }
  return v;
}

std::string render(FormatState& st, std::string_view f, int depth) {
  if (depth > 2) raise("ValueError", "Max string recursion exceeded");
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == '}') {
      if (i + 1 < f.size() && f[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      raise("ValueError", "Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < f.size() && f[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    // Find the field's end, allowing nested {} in the spec.
    size_t j = i + 1;
    int nest = 1;
    while (j < f.size()) {
      if (f[j] == '{') ++nest;
      if (f[j] == '}' && --nest == 0) break;
      ++j;
    }
    if (j >= f.size()) {
      if (f.find('}', i) == std::string_view::npos)
        raise("ValueError", "Single '{' encountered in format string");
      raise("ValueError", "expected '}' before end of string");
    }
    std::string_view field = f.substr(i + 1, j - i - 1);
    i = j;
    size_t name_end = 0;
    int bracket = 0;
    while (name_end < field.size()) {
      char d = field[name_end];
      if (d == '[') ++bracket;
      if (d == ']') --bracket;
      if (bracket == 0 && (d == '!' || d == ':')) break;
      ++name_end;
    }
    Value v = lookup_field(st, field.substr(0, name_end));
    size_t k = name_end;
    if (k < field.size() && field[k] == '!') {
      char conv = k + 1 < field.size() ? field[k + 1] : '\0';
      if (k + 2 < field.size() && field[k + 2] != ':')
        raise("ValueError", "expected ':' after conversion specifier");
      if (conv == 'r')
        v = make_str(to_repr(st.ts, v));
      else if (conv == 's')
        v = make_str(to_str(st.ts, v));
      else if (conv == 'a')
        v = make_str(ascii_of(to_repr(st.ts, v)));
      else
        raise("ValueError", fmt::format("Unknown conversion specifier {}",
                                        conv ? std::string(1, conv) : std::string("\\0")));
      k += 2;
    }
    std::string spec;
    if (k < field.size() && field[k] == ':') spec = render(st, field.substr(k + 1), depth + 1);
    out += format_value(st.ts, v, spec);
  }
  return out;
}

}  // namespace

std::string str_format(ThreadState& ts, std::string_view f, const std::vector<Value>& args,
                       const Value& kwargs) {
  FormatState st{ts, args, kwargs};
  return render(st, f, 0);
}

}  // namespace gilsim
