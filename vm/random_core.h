// RandomCore: CPython's random number generator (Modules/_randommodule.c), bit for bit: the
// Mersenne Twister MT19937, seeded from an int as CPython seeds it (init_by_array over the
// absolute value's 32-bit words, least significant first), random() from two draws with 53
// bits, getrandbits(k) as CPython assembles it. So a program that calls random.seed(42) prints
// under gilsim what it prints under CPython (docs/stdlib.md §6). The core of the `_random` module;
// random.py builds randint, choice, shuffle... on it, as CPython's Lib/random.py does.
//
// Not thread-safe: a RandomCore belongs to one Random object, used with the GIL held (or, under
// the `none` policy, behind that object's own lock), as CPython's is.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace gilsim {

class RandomCore {
 public:
  static constexpr int kN = 624;

  explicit RandomCore(std::int64_t n = 0) { seed(n); }

  // random.seed(n) for an int n (its sign is dropped, as CPython does).
  void seed(std::int64_t n);
  // init_by_array: the seed given as 32-bit words, least significant first.
  void seed_from_words(const std::vector<std::uint32_t>& key);

  std::uint32_t next_u32();
  // MT19937's output transformation of one state word (next_u32 is temper of the next word).
  static std::uint32_t temper(std::uint32_t y);
  // A float in [0, 1) with 53 random bits.
  double random();
  // An int of k random bits, 0 <= k <= 63 (gilsim ints are 64-bit).
  std::uint64_t getrandbits(int k);

  // getstate()/setstate(): the 624 words and the position, as CPython's state tuple holds them.
  std::vector<std::uint32_t> state() const;
  // False when the state is malformed (wrong length, position out of range).
  bool set_state(const std::vector<std::uint64_t>& words);

 private:
  void init_genrand(std::uint32_t s);
  std::array<std::uint32_t, kN> mt_{};
  int index_ = kN + 1;
};

}  // namespace gilsim
