// Text made safe inside HTML and XML (SVG) elements and attributes.
#pragma once

#include <string>

namespace gilsim {

// Escapes & < > " ' (as &#39;, which both HTML and XML read) and drops the control characters
// XML 1.0 does not allow (all but tab and newline).
std::string markup_escape(const std::string& text);

}  // namespace gilsim
