#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "vm/random_core.h"

using namespace gilsim;

// The expected values are CPython 3.11's: python3 -c "import random; r = random.Random(42); ..."
TEST_CASE("random core: CPython's numbers for the same seed") {
  RandomCore r(42);
  CHECK(r.random() == 0.6394267984578837);
  CHECK(r.getrandbits(32) == 107420369u);
  CHECK(r.getrandbits(7) == 94u);
  CHECK(r.getrandbits(40) == 267469214295u);

  CHECK(RandomCore(0).random() == 0.8444218515250481);
  CHECK(RandomCore((std::int64_t{1} << 40) + 5).random() == 0.5043802970418443);  // a 2-word key
  CHECK(RandomCore(-7).random() == 0.32383276483316237);  // the sign is dropped
  CHECK(RandomCore(-7).random() == RandomCore(7).random());
  CHECK(RandomCore(INT64_MIN).random() >= 0.0);  // its magnitude does not fit in an int64
}

TEST_CASE("random core: seed() restarts the stream; state round-trips") {
  RandomCore r(1);
  r.seed(42);
  auto s = r.state();
  REQUIRE(s.size() == RandomCore::kN + 1);
  CHECK(s[0] == 2147483648u);  // CPython's getstate()[1][:3] and [-1]
  CHECK(s[1] == 3564348608u);
  CHECK(s[2] == 1266698288u);
  CHECK(s[RandomCore::kN] == 624u);

  double first = r.random();
  r.next_u32();
  std::vector<std::uint64_t> back(s.begin(), s.end());
  REQUIRE(r.set_state(back));
  CHECK(r.random() == first);

  back.pop_back();
  CHECK_FALSE(r.set_state(back));  // wrong length
  back.push_back(625);
  CHECK_FALSE(r.set_state(back));  // position out of range
}

TEST_CASE("random core: random() in [0, 1), getrandbits(k) below 2**k") {
  RandomCore r(7);
  for (int i = 0; i < 10000; ++i) {
    double x = r.random();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
  }
  for (int k = 1; k <= 63; ++k) CHECK(r.getrandbits(k) < (std::uint64_t{1} << k));
  CHECK(r.getrandbits(0) == 0u);
}
