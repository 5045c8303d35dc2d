// Reading the numbers a workload printed ("threads 2: elapsed 0.61 s, speedup 1.02"), so compare
// and demo can put them side by side and quote them. Workload output is for people; these
// helpers are deliberately forgiving and say "not found" rather than guess.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace gilsim {

// The first number after `key` on the first line of `text` that starts with `line_start`
// (leading spaces ignored; the key may be part of the line start). Punctuation and spaces between
// key and number are skipped.
std::optional<double> number_after(const std::string& text, const std::string& line_start,
                                   const std::string& key);

// Every number that follows the word `key` anywhere in `text`, in order, as printed ("1.04").
std::vector<std::string> numbers_after_word(const std::string& text, const std::string& key);

// "1.02" or "?" when missing: for sentences quoting a number that may not have been printed.
std::string show(std::optional<double> v, int decimals = 2);

}  // namespace gilsim
