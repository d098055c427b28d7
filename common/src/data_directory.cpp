#include "perfplan/common/data_directory.hpp"

#include <cstdlib>

#ifndef PERFPLAN_SOURCE_DIR
#define PERFPLAN_SOURCE_DIR "."
#endif

namespace perfplan::common {

std::filesystem::path data_directory() {
  if (const char* env = std::getenv("PERFPLAN_DATA_DIR"); env != nullptr && *env != '\0') return env;
  return PERFPLAN_SOURCE_DIR;
}

}  // namespace perfplan::common
