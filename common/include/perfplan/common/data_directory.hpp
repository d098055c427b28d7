#pragma once
// Where perfplan's data files (model/catalog, hardware_specs) live.
#include <filesystem>

namespace perfplan::common {

// $PERFPLAN_DATA_DIR if set; else the data installed beside the binary or library this code runs
// in (<prefix>/share/perfplan, by `cmake --install`); else the source tree it was built from.
std::filesystem::path data_directory();
// <prefix>/share/perfplan for the installed binary or library holding this code; empty when
// there is none (a build tree).
std::filesystem::path installed_data_directory();

}  // namespace perfplan::common
