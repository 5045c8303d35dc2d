// Source: a script's text and name, and the lines error messages quote.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gilsim {

class Source {
 public:
  // Line endings are normalized to "\n" first ("\r\n" and a lone "\r" too), as Python's
  // universal newlines do, so every later stage agrees on line numbers.
  Source(std::string path, std::string text) : path_(std::move(path)), text_(normalize(text)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text_.size(); ++i)
      if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }
  int line_count() const { return static_cast<int>(line_starts_.size()); }

  // Line `n` (1-based) without its newline; empty when out of range.
  std::string_view line(int n) const {
    if (n < 1 || n > line_count()) return {};
    size_t begin = line_starts_[n - 1];
    size_t end = n < line_count() ? line_starts_[n] - 1 : text_.size();
    return std::string_view(text_).substr(begin, end - begin);
  }

 private:
  static std::string normalize(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\r') {
        out += text[i];
      } else {
        out += '\n';
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      }
    }
    return out;
  }

  std::string path_;
  std::string text_;
  std::vector<size_t> line_starts_;
};

}  // namespace gilsim
