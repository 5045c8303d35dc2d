#include <doctest/doctest.h>

#include <string>

#include "vm/stdlib_sources.h"

using namespace gilsim;

TEST_CASE("stdlib sources: every vm/stdlib module is embedded, named as Python imports it") {
  const auto* threading = find_stdlib_source("threading");
  REQUIRE(threading != nullptr);
  CHECK(threading->file == "<gilsim>/threading.py");
  CHECK(threading->text.find("class Thread:") != std::string_view::npos);
  CHECK(threading->text.ends_with("_main_thread = _MainThread()\n"));  // all of it, not a prefix

  const auto* futures = find_stdlib_source("concurrent.futures");
  REQUIRE(futures != nullptr);
  CHECK(futures->file == "<gilsim>/concurrent/futures.py");
  CHECK(futures->text.find("class ThreadPoolExecutor(Executor):") != std::string_view::npos);

  CHECK(find_stdlib_source("queue") != nullptr);
  CHECK(find_stdlib_source("socket") == nullptr);
  CHECK(find_stdlib_source("futures") == nullptr);
  CHECK(find_stdlib_source("") == nullptr);
}

TEST_CASE("stdlib sources: sorted by file, each module once") {
  const auto& all = stdlib_sources();
  REQUIRE(all.size() >= 3);
  for (std::size_t i = 1; i < all.size(); ++i) {
    CHECK(all[i - 1].file < all[i].file);
    CHECK(all[i - 1].module != all[i].module);
  }
}
