// The timeline page's template: HTML, CSS and the script that draws the
// lanes, zooms, pans and shows event details, written out as one
// self-contained document around the data rewind-dump aggregated
// (tools/timeline_html.h describes the data).
#pragma once
#include <string>

namespace rwd {

// `data_json` must already be safe inside <script> (no "<" characters).
std::string timeline_page(const std::string& data_json);

}  // namespace rwd
