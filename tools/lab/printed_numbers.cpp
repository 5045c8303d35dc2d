#include "tools/lab/printed_numbers.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>
#include <sstream>

namespace gilsim {

namespace {

// The number starting at or after `pos` (skipping spaces, ':', ',', '='), as text; "" if none.
std::string number_at(const std::string& s, size_t pos) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == ':' || s[pos] == ',' || s[pos] == '='))
    ++pos;
  size_t end = pos;
  if (end < s.size() && (s[end] == '-' || s[end] == '+')) ++end;
  bool digits = false;
  while (end < s.size() && (std::isdigit(static_cast<unsigned char>(s[end])) || s[end] == '.')) {
    digits |= s[end] != '.';
    ++end;
  }
  if (!digits) return "";
  std::string n = s.substr(pos, end - pos);
  while (!n.empty() && n.back() == '.') n.pop_back();  // "1." ending a sentence
  return n;
}

}  // namespace

std::optional<double> number_after(const std::string& text, const std::string& line_start,
                                   const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t first = line.find_first_not_of(' ');
    if (first == std::string::npos || line.compare(first, line_start.size(), line_start) != 0)
      continue;
    size_t k = line.find(key, first);  // the key may be the line start ("slowdown:")
    if (k == std::string::npos) return std::nullopt;
    std::string n = number_at(line, k + key.size());
    if (n.empty()) return std::nullopt;
    return std::strtod(n.c_str(), nullptr);
  }
  return std::nullopt;
}

std::vector<std::string> numbers_after_word(const std::string& text, const std::string& key) {
  std::vector<std::string> out;
  for (size_t k = text.find(key); k != std::string::npos; k = text.find(key, k + key.size())) {
    std::string n = number_at(text, k + key.size());
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

std::string show(std::optional<double> v, int decimals) {
  return v ? fmt::format("{:.{}f}", *v, decimals) : "?";
}

}  // namespace gilsim
