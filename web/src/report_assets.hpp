#pragma once
// The report's inline CSS and JavaScript, embedded at build time from web/assets/ (see
// web/CMakeLists.txt), so that the files stay editable as CSS and JS.
#include <string_view>

namespace perfplan::web {

extern const std::string_view kReportCss;             // web/assets/report.css
extern const std::string_view kReportErrorHandlerJs;  // web/assets/error_handler.js
extern const std::string_view kReportJs;              // web/assets/report.js

}  // namespace perfplan::web
