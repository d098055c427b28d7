// A validation file (../shared/validation format): loaded against the shipped hardware specs;
// every case read has positive GPU counts and a finite measured time where it has one.
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "perfplan/common/input_error.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto hardware = perfplan::hardware::HardwareCatalog::load(perfplan::hardware::default_hardware_directory());
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("perfplan-fuzz-validation-" + std::to_string(getpid()) + ".json");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    for (const auto& c : perfplan::validation::load_validation_cases(file, hardware)) {
      if (!c.skip_reason.empty()) continue;
      if (c.num_gpus <= 0) std::abort();
      if (c.measured_iteration_time_s && !(std::isfinite(*c.measured_iteration_time_s) && *c.measured_iteration_time_s > 0)) {
        std::abort();
      }
    }
  } catch (const perfplan::InputError&) {
  }
  return 0;
}
