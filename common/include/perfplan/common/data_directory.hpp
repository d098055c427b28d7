#pragma once
// Where perfplan's data files (model/catalog, hardware_specs) live.
#include <filesystem>

namespace perfplan::common {

// $PERFPLAN_DATA_DIR if set, else the source tree this was built from.
std::filesystem::path data_directory();

}  // namespace perfplan::common
