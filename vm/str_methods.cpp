// The str methods (split, join, strip, replace, find, format, ...), with CPython's results and
// messages. Case mapping and the is*() tests know ASCII only (docs/language.md).
#include <fmt/format.h>

#include <algorithm>

#include "vm/containers.h"
#include "vm/data_builtins.h"
#include "vm/errors.h"
#include "vm/iterators.h"
#include "vm/operations.h"
#include "vm/strformat.h"
#include "vm/thread_state.h"

namespace gilsim {

namespace {

const std::string& self_text(const Value* args) { return args[0].as<StrObj>()->text; }

const std::string& arg_text(const Value& v, const char* what) {
  if (!v.is(ObjType::Str))
    raise("TypeError", fmt::format("{} must be str, not {}", what, type_name(v)));
  return v.as<StrObj>()->text;
}

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

std::int64_t as_int_arg(const Value& v) {
  if (!v.is_intlike())
    raise("TypeError",
          fmt::format("'{}' object cannot be interpreted as an integer", type_name(v)));
  return v.as_int();
}

// Byte offsets of [start, end) given Python code-point indices (may be None or negative).
std::pair<size_t, size_t> byte_range(const std::string& s, Value* args, int n, int first) {
  std::int64_t len = static_cast<std::int64_t>(utf8_count(s));
  auto idx = [&](int k, std::int64_t dflt) {
    if (k >= n || args[k].is_none()) return dflt;
    std::int64_t i = as_int_arg(args[k]);
    if (i < 0) i = std::max<std::int64_t>(0, i + len);
    return std::min(i, len);
  };
  std::int64_t a = idx(first, 0), b = idx(first + 1, len);
  auto to_byte = [&](std::int64_t cp) {
    size_t pos = 0;
    for (std::int64_t k = 0; k < cp && pos < s.size(); ++k) {
      ++pos;
      while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
    }
    return pos;
  };
  if (b < a) return {to_byte(a), to_byte(a)};
  return {to_byte(a), to_byte(b)};
}

std::int64_t cp_index(const std::string& s, size_t byte) {
  return static_cast<std::int64_t>(utf8_count(std::string_view(s).substr(0, byte)));
}

Value str_list(std::vector<std::string> parts) {
  std::vector<Value> items;
  items.reserve(parts.size());
  for (auto& p : parts) items.push_back(make_str(std::move(p)));
  return make_list(std::move(items));
}

std::vector<std::string> split_whitespace(const std::string& s, std::int64_t maxsplit) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    if (maxsplit >= 0 && static_cast<std::int64_t>(out.size()) >= maxsplit) {
      out.push_back(s.substr(i));  // the rest keeps its trailing whitespace, as CPython's
      break;
    }
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string strip_chars(const std::string& s, Value* args, int n, bool left, bool right) {
  bool ws = n < 2 || args[1].is_none();
  std::string chars = ws ? "" : arg_text(args[1], "strip arg");
  auto strip_it = [&](char c) { return ws ? is_space(c) : chars.find(c) != std::string::npos; };
  size_t a = 0, b = s.size();
  if (left)
    while (a < b && strip_it(s[a])) ++a;
  if (right)
    while (b > a && strip_it(s[b - 1])) --b;
  return s.substr(a, b - a);
}

}  // namespace

Value m_str_split(ThreadState&, Value* args, int n) {
  const std::string& s = self_text(args);
  std::int64_t maxsplit = n > 2 ? as_int_arg(args[2]) : -1;
  if (n < 2 || args[1].is_none()) return str_list(split_whitespace(s, maxsplit));
  const std::string& sep = arg_text(args[1], "must be str or None, not");
  if (sep.empty()) raise("ValueError", "empty separator");
  std::vector<std::string> out;
  size_t i = 0;
  while (maxsplit < 0 || static_cast<std::int64_t>(out.size()) < maxsplit) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) break;
    out.push_back(s.substr(i, j - i));
    i = j + sep.size();
  }
  out.push_back(s.substr(i));
  return str_list(std::move(out));
}

Value m_str_rsplit(ThreadState&, Value* args, int n) {
  const std::string& s = self_text(args);
  std::int64_t maxsplit = n > 2 ? as_int_arg(args[2]) : -1;
  std::vector<std::string> out;
  if (n < 2 || args[1].is_none()) {
    std::string r(s.rbegin(), s.rend());
    for (auto& part : split_whitespace(r, maxsplit)) out.emplace_back(part.rbegin(), part.rend());
    std::reverse(out.begin(), out.end());
    return str_list(std::move(out));
  }
  const std::string& sep = arg_text(args[1], "must be str or None, not");
  if (sep.empty()) raise("ValueError", "empty separator");
  size_t end = s.size();
  while (maxsplit < 0 || static_cast<std::int64_t>(out.size()) < maxsplit) {
    if (end < sep.size()) break;
    size_t j = s.rfind(sep, end - sep.size());
    if (j == std::string::npos) break;
    out.push_back(s.substr(j + sep.size(), end - j - sep.size()));
    end = j;
  }
  out.push_back(s.substr(0, end));
  std::reverse(out.begin(), out.end());
  return str_list(std::move(out));
}

Value m_str_splitlines(ThreadState&, Value* args, int n) {
  const std::string& s = self_text(args);
  bool keep = n > 1 && args[1].as_int() != 0;
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && s[j] != '\n' && s[j] != '\r' && s[j] != '\v' && s[j] != '\f' &&
           s[j] != '\x1c' && s[j] != '\x1d' && s[j] != '\x1e')
      ++j;
    size_t eol = j;
    if (j < s.size()) j += (s[j] == '\r' && j + 1 < s.size() && s[j + 1] == '\n') ? 2 : 1;
    out.push_back(s.substr(i, (keep ? j : eol) - i));
    i = j;
  }
  return str_list(std::move(out));
}

Value m_str_join(ThreadState& ts, Value* args, int) {
  std::string sep = self_text(args);
  Value src = args[1];
  std::vector<Value> items = collect(ts, src);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is(ObjType::Str))
      raise("TypeError", fmt::format("sequence item {}: expected str instance, {} found", i,
                                     type_name(items[i])));
    if (i) out += sep;
    out += items[i].as<StrObj>()->text;
  }
  return make_str(std::move(out));
}

Value m_str_strip(ThreadState&, Value* args, int n) {
  return make_str(strip_chars(self_text(args), args, n, true, true));
}
Value m_str_lstrip(ThreadState&, Value* args, int n) {
  return make_str(strip_chars(self_text(args), args, n, true, false));
}
Value m_str_rstrip(ThreadState&, Value* args, int n) {
  return make_str(strip_chars(self_text(args), args, n, false, true));
}

Value m_str_replace(ThreadState&, Value* args, int n) {
  const std::string& s = self_text(args);
  const std::string& old = arg_text(args[1], "replace() argument 1");
  const std::string& rep = arg_text(args[2], "replace() argument 2");
  std::int64_t count = n > 3 ? as_int_arg(args[3]) : -1;
  std::string out;
  if (old.empty()) {
    // Between every code point, as CPython.
    std::int64_t done = 0;
    size_t i = 0;
    while (true) {
      if (count < 0 || done < count) {
        out += rep;
        ++done;
      }
      if (i >= s.size()) break;
      size_t j = i + 1;
      while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
      out.append(s, i, j - i);
      i = j;
    }
    return make_str(std::move(out));
  }
  size_t i = 0;
  std::int64_t done = 0;
  while (count < 0 || done < count) {
    size_t j = s.find(old, i);
    if (j == std::string::npos) break;
    out.append(s, i, j - i);
    out += rep;
    i = j + old.size();
    ++done;
  }
  out.append(s, i, std::string::npos);
  return make_str(std::move(out));
}

Value starts_or_ends(ThreadState& ts, Value* args, int n, bool starts, const char* name) {
  const std::string& s = self_text(args);
  auto [a, b] = byte_range(s, args, n, 2);
  std::string_view view = std::string_view(s).substr(a, b - a);
  auto test = [&](const Value& v) {
    if (!v.is(ObjType::Str))
      raise("TypeError",
            fmt::format("tuple for {} must only contain str, not {}", name, type_name(v)));
    const std::string& p = v.as<StrObj>()->text;
    if (p.size() > view.size()) return false;
    return starts ? view.substr(0, p.size()) == p : view.substr(view.size() - p.size()) == p;
  };
  if (args[1].is(ObjType::Tuple)) {
    for (const Value& v : args[1].as<TupleObj>()->items)
      if (test(v)) return Value::boolean(true);
    return Value::boolean(false);
  }
  if (!args[1].is(ObjType::Str))
    raise("TypeError", fmt::format("{} first arg must be str or a tuple of str, not {}", name,
                                   type_name(args[1])));
  (void)ts;
  return Value::boolean(test(args[1]));
}
Value m_str_startswith(ThreadState& ts, Value* args, int n) {
  return starts_or_ends(ts, args, n, true, "startswith");
}
Value m_str_endswith(ThreadState& ts, Value* args, int n) {
  return starts_or_ends(ts, args, n, false, "endswith");
}

Value m_str_upper(ThreadState&, Value* args, int) {
  std::string s = self_text(args);
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return make_str(std::move(s));
}
Value m_str_lower(ThreadState&, Value* args, int) {
  std::string s = self_text(args);
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return make_str(std::move(s));
}
Value m_str_title(ThreadState&, Value* args, int) {
  std::string s = self_text(args);
  bool prev_cased = false;
  for (char& c : s) {
    bool lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
    if (lower && !prev_cased) c = static_cast<char>(c - 32);
    if (upper && prev_cased) c = static_cast<char>(c + 32);
    prev_cased = lower || upper;
  }
  return make_str(std::move(s));
}
Value m_str_capitalize(ThreadState&, Value* args, int) {
  std::string s = self_text(args);
  for (size_t i = 0; i < s.size(); ++i) {
    char& c = s[i];
    if (i == 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (i > 0 && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return make_str(std::move(s));
}

Value find_impl(Value* args, int n, bool reverse, bool raise_missing) {
  const std::string& s = self_text(args);
  const std::string& sub = arg_text(args[1], "must be str, not");
  auto [a, b] = byte_range(s, args, n, 2);
  std::string_view view = std::string_view(s).substr(a, b - a);
  size_t at = reverse ? view.rfind(sub) : view.find(sub);
  if (at == std::string_view::npos) {
    if (raise_missing) raise("ValueError", "substring not found");
    return Value::integer(-1);
  }
  return Value::integer(cp_index(s, a + at));
}
Value m_str_find(ThreadState&, Value* args, int n) { return find_impl(args, n, false, false); }
Value m_str_rfind(ThreadState&, Value* args, int n) { return find_impl(args, n, true, false); }
Value m_str_index(ThreadState&, Value* args, int n) { return find_impl(args, n, false, true); }
Value m_str_rindex(ThreadState&, Value* args, int n) { return find_impl(args, n, true, true); }

Value m_str_count(ThreadState&, Value* args, int n) {
  const std::string& s = self_text(args);
  const std::string& sub = arg_text(args[1], "must be str, not");
  auto [a, b] = byte_range(s, args, n, 2);
  std::string_view view = std::string_view(s).substr(a, b - a);
  if (sub.empty()) return Value::integer(static_cast<std::int64_t>(utf8_count(view)) + 1);
  std::int64_t count = 0;
  for (size_t i = view.find(sub); i != std::string_view::npos; i = view.find(sub, i + sub.size()))
    ++count;
  return Value::integer(count);
}

Value m_str_zfill(ThreadState&, Value* args, int) {
  std::string s = self_text(args);
  std::int64_t width = as_int_arg(args[1]);
  auto len = static_cast<std::int64_t>(utf8_count(s));
  if (len >= width) return args[0];
  size_t at = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
  s.insert(at, static_cast<size_t>(width - len), '0');
  return make_str(std::move(s));
}

Value justify(Value* args, int n, char how) {
  const std::string& s = self_text(args);
  std::int64_t width = as_int_arg(args[1]);
  std::string fill = " ";
  if (n > 2) {
    fill = arg_text(args[2], "The fill character");
    if (utf8_count(fill) != 1)
      raise("TypeError", "The fill character must be exactly one character long");
  }
  auto len = static_cast<std::int64_t>(utf8_count(s));
  if (len >= width) return args[0];
  auto total = static_cast<size_t>(width - len);
  size_t left = how == '<'   ? 0
                : how == '>' ? total
                             : total / 2 + (total & static_cast<size_t>(width) & 1);
  std::string out;
  for (size_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (size_t i = left; i < total; ++i) out += fill;
  return make_str(std::move(out));
}
Value m_str_ljust(ThreadState&, Value* args, int n) { return justify(args, n, '<'); }
Value m_str_rjust(ThreadState&, Value* args, int n) { return justify(args, n, '>'); }
Value m_str_center(ThreadState&, Value* args, int n) { return justify(args, n, '^'); }

Value str_test(Value* args, bool (*ok)(char)) {
  const std::string& s = self_text(args);
  if (s.empty()) return Value::boolean(false);
  for (char c : s)
    if (!ok(c)) return Value::boolean(false);
  return Value::boolean(true);
}
Value m_str_isdigit(ThreadState&, Value* args, int) {
  return str_test(args, [](char c) { return c >= '0' && c <= '9'; });
}
Value m_str_isalpha(ThreadState&, Value* args, int) {
  return str_test(args, [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}
Value m_str_isalnum(ThreadState&, Value* args, int) {
  return str_test(args, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}
Value m_str_isspace(ThreadState&, Value* args, int) { return str_test(args, is_space); }
Value m_str_isupper(ThreadState&, Value* args, int) {
  const std::string& s = self_text(args);
  bool cased = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return Value::boolean(false);
    cased |= c >= 'A' && c <= 'Z';
  }
  return Value::boolean(cased);
}
Value m_str_islower(ThreadState&, Value* args, int) {
  const std::string& s = self_text(args);
  bool cased = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return Value::boolean(false);
    cased |= c >= 'a' && c <= 'z';
  }
  return Value::boolean(cased);
}

Value partition_impl(Value* args, bool reverse) {
  const std::string& s = self_text(args);
  const std::string& sep = arg_text(args[1], "must be str, not");
  if (sep.empty()) raise("ValueError", "empty separator");
  size_t at = reverse ? s.rfind(sep) : s.find(sep);
  if (at == std::string::npos)
    return reverse ? make_tuple({make_str(""), make_str(""), args[0]})
                   : make_tuple({args[0], make_str(""), make_str("")});
  return make_tuple({make_str(s.substr(0, at)), args[1], make_str(s.substr(at + sep.size()))});
}
Value m_str_partition(ThreadState&, Value* args, int) { return partition_impl(args, false); }
Value m_str_rpartition(ThreadState&, Value* args, int) { return partition_impl(args, true); }

Value m_str_format(ThreadState& ts, Value* args, int n) {
  return make_str(str_format(ts, self_text(args), std::vector<Value>(args + 1, args + n), Value()));
}

}  // namespace gilsim
