#include "vm/bytes.h"

#include <fmt/format.h>

#include "vm/errors.h"
#include "vm/memory_budget.h"

namespace gilsim {

std::string bytes_repr(const std::string& data) {
  bool single = data.find('\'') != std::string::npos;
  char quote = single && data.find('"') == std::string::npos ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (char ch : data) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += ch;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

std::optional<Value> bytes_binary(ThreadState& ts, Op op, const Value& a, const Value& b) {
  bool add = op == Op::BINARY_ADD || op == Op::INPLACE_ADD;
  bool mul = op == Op::BINARY_MULTIPLY || op == Op::INPLACE_MULTIPLY;
  if (add && a.is(ObjType::Bytes)) {
    if (!b.is(ObjType::Bytes))
      raise("TypeError", fmt::format("can't concat {} to bytes", type_name(b)));
    const std::string& x = a.as<BytesObj>()->data;
    const std::string& y = b.as<BytesObj>()->data;
    require_memory(ts, x.size() + y.size());
    return make_bytes(x + y);
  }
  if (!mul || !(a.is(ObjType::Bytes) || b.is(ObjType::Bytes))) return std::nullopt;
  const Value& seq = a.is(ObjType::Bytes) ? a : b;
  const Value& count = a.is(ObjType::Bytes) ? b : a;
  if (!count.is_intlike())
    raise("TypeError",
          fmt::format("can't multiply sequence by non-int of type '{}'", type_name(count)));
  const std::string& s = seq.as<BytesObj>()->data;
  std::int64_t n = count.as_int() < 0 ? 0 : count.as_int();
  // As str repetition: the size in 128 bits first, then the memory ceiling.
  unsigned __int128 size = static_cast<unsigned __int128>(s.size()) * static_cast<std::uint64_t>(n);
  if (size > (std::uint64_t{1} << 40)) raise("MemoryError", "bytes repetition result is too large");
  require_memory(ts, static_cast<std::uint64_t>(size));
  std::string out;
  out.reserve(static_cast<size_t>(size));
  for (std::int64_t k = 0; k < n; ++k) out += s;
  return make_bytes(std::move(out));
}

Value bytes_item(const Value& bytes, const Value& index) {
  if (!index.is_intlike())
    raise("TypeError",
          fmt::format("byte indices must be integers or slices, not {}", type_name(index)));
  const std::string& s = bytes.as<BytesObj>()->data;
  std::int64_t i = index.as_int();
  auto n = static_cast<std::int64_t>(s.size());
  if (i < 0) i += n;
  if (i < 0 || i >= n) raise("IndexError", "index out of range");
  return Value::integer(static_cast<unsigned char>(s[static_cast<size_t>(i)]));
}

bool bytes_contains(const Value& bytes, const Value& x) {
  const std::string& s = bytes.as<BytesObj>()->data;
  if (x.is(ObjType::Bytes)) return s.find(x.as<BytesObj>()->data) != std::string::npos;
  if (!x.is_intlike())
    raise("TypeError", fmt::format("a bytes-like object is required, not '{}'", type_name(x)));
  std::int64_t byte = x.as_int();
  if (byte < 0 || byte > 255) raise("ValueError", "byte must be in range(0, 256)");
  return s.find(static_cast<char>(byte)) != std::string::npos;
}

namespace {

// The offset of the first byte that is not well-formed UTF-8, or npos.
size_t invalid_utf8_at(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += len;
  }
  return std::string::npos;
}

}  // namespace

Value m_bytes_decode(ThreadState& ts, Value* args, int nargs) {
  if (nargs > 1) {
    if (!args[1].is(ObjType::Str))
      raise("TypeError",
            fmt::format("decode() argument 'encoding' must be str, not {}", type_name(args[1])));
    std::string enc;
    for (char c : args[1].as<StrObj>()->text) enc += static_cast<char>(c == '_' ? '-' : c | 0x20);
    if (enc != "utf-8" && enc != "utf8")
      raise("LookupError", "only UTF-8 decoding is supported by gilsim");
  }
  const std::string& s = args[0].as<BytesObj>()->data;
  if (size_t at = invalid_utf8_at(s); at != std::string::npos)
    raise("ValueError",  // CPython: UnicodeDecodeError, a ValueError

          fmt::format("'utf-8' codec can't decode byte 0x{:02x} in position {}: invalid start byte",
                      static_cast<unsigned char>(s[at]), at));
  return new_str(ts, s);
}

}  // namespace gilsim
