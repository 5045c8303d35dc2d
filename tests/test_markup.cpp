#include <doctest/doctest.h>

#include "tools/export/markup.h"

using gilsim::markup_escape;

TEST_CASE("markup_escape: the five special characters, in HTML and XML alike") {
  CHECK(markup_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(markup_escape("plain text") == "plain text");
}

TEST_CASE("markup_escape: drops control characters XML does not allow, keeps tab and newline") {
  CHECK(markup_escape(std::string("x\x01y\tz\n", 6)) == "xy\tz\n");
}
