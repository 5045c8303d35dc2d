#include "vm/random_core.h"

namespace gilsim {

namespace {
constexpr int kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperMask = 0x80000000U;
constexpr std::uint32_t kLowerMask = 0x7fffffffU;
}  // namespace

void RandomCore::seed(std::int64_t n) {
  // The magnitude of INT64_MIN does not fit in an int64_t; it does in a uint64_t.
  std::uint64_t magnitude =
      n < 0 ? ~static_cast<std::uint64_t>(n) + 1 : static_cast<std::uint64_t>(n);
  // CPython's key: the magnitude's 32-bit words, least significant first; 0 is the key [0].
  std::vector<std::uint32_t> key;
  do {
    key.push_back(static_cast<std::uint32_t>(magnitude & 0xffffffffU));
    magnitude >>= 32;
  } while (magnitude != 0);
  seed_from_words(key);
}

void RandomCore::init_genrand(std::uint32_t s) {
  mt_[0] = s;
  for (int i = 1; i < kN; ++i)
    mt_[i] = 1812433253U * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
  index_ = kN;
}

void RandomCore::seed_from_words(const std::vector<std::uint32_t>& key) {
  init_genrand(19650218U);
  int i = 1;
  std::size_t j = 0;
  const std::size_t key_length = key.empty() ? 1 : key.size();
  for (std::size_t k = (kN > key_length ? kN : key_length); k; --k) {
    std::uint32_t word = key.empty() ? 0 : key[j];
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525U)) + word +
             static_cast<std::uint32_t>(j);
    ++i;
    ++j;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
    if (j >= key_length) j = 0;
  }
  for (int k = kN - 1; k; --k) {
    mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941U)) -
             static_cast<std::uint32_t>(i);
    ++i;
    if (i >= kN) {
      mt_[0] = mt_[kN - 1];
      i = 1;
    }
  }
  mt_[0] = 0x80000000U;  // the most significant bit is 1: a non-zero initial array
  index_ = kN;
}

std::uint32_t RandomCore::next_u32() {
  if (index_ >= kN) {
    int kk = 0;
    for (; kk < kN - kM; ++kk) {
      std::uint32_t y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
      mt_[kk] = mt_[kk + kM] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    for (; kk < kN - 1; ++kk) {
      std::uint32_t y = (mt_[kk] & kUpperMask) | (mt_[kk + 1] & kLowerMask);
      mt_[kk] = mt_[kk + (kM - kN)] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    std::uint32_t y = (mt_[kN - 1] & kUpperMask) | (mt_[0] & kLowerMask);
    mt_[kN - 1] = mt_[kM - 1] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    index_ = 0;
  }
  return temper(mt_[index_++]);
}

std::uint32_t RandomCore::temper(std::uint32_t y) {
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

double RandomCore::random() {
  std::uint32_t a = next_u32() >> 5;
  std::uint32_t b = next_u32() >> 6;
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

std::uint64_t RandomCore::getrandbits(int k) {
  if (k <= 0) return 0;
  if (k <= 32) return next_u32() >> (32 - k);
  // Words least significant first; the last one keeps its k % 32 most significant bits.
  std::uint64_t low = next_u32();
  std::uint64_t high = next_u32() >> (64 - k);
  return low | (high << 32);
}

std::vector<std::uint32_t> RandomCore::state() const {
  std::vector<std::uint32_t> s(mt_.begin(), mt_.end());
  s.push_back(static_cast<std::uint32_t>(index_));
  return s;
}

bool RandomCore::set_state(const std::vector<std::uint64_t>& words) {
  if (words.size() != kN + 1) return false;
  if (words[kN] > static_cast<std::uint64_t>(kN)) return false;
  for (int i = 0; i < kN; ++i) {
    if (words[i] > 0xffffffffU) return false;
    mt_[i] = static_cast<std::uint32_t>(words[i]);
  }
  index_ = static_cast<int>(words[kN]);
  return true;
}

}  // namespace gilsim
