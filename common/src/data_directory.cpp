#include "perfplan/common/data_directory.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <system_error>

#ifndef PERFPLAN_SOURCE_DIR
#define PERFPLAN_SOURCE_DIR "."
#endif

namespace perfplan::common {

std::filesystem::path installed_data_directory() {
  // The executable or shared library this code is part of, <prefix>/bin or <prefix>/lib[64];
  // its data is installed at <prefix>/share/perfplan.
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&installed_data_directory), &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code ec;
  const std::filesystem::path binary = std::filesystem::weakly_canonical(info.dli_fname, ec);
  if (ec) return {};
  const std::filesystem::path data = binary.parent_path().parent_path() / "share" / "perfplan";
  return std::filesystem::is_directory(data / "hardware_specs", ec) ? data : std::filesystem::path();
}

std::filesystem::path data_directory() {
  if (const char* env = std::getenv("PERFPLAN_DATA_DIR"); env != nullptr && *env != '\0') return env;
  if (auto installed = installed_data_directory(); !installed.empty()) return installed;
  return PERFPLAN_SOURCE_DIR;
}

}  // namespace perfplan::common
