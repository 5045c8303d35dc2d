// The timeline's web files (tools/timeline/), embedded at build time by tools/timeline/embed.cmake:
// the page, its style and the renderer, each exactly as it is in the source tree.
#pragma once

#include <string_view>

namespace gilsim::timeline_assets {

extern const std::string_view page;  // tools/timeline/page.html
extern const std::string_view css;   // tools/timeline/timeline.css
extern const std::string_view js;    // tools/timeline/timeline.js

}  // namespace gilsim::timeline_assets
