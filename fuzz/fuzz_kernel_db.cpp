// A kernel database (JSON Lines): what is accepted has finite, non-negative times and positive
// sample counts.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto db = perfplan::kerneldb::KernelDatabase::parse(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    for (const auto& e : db.entries()) {
      if (!std::isfinite(e.seconds) || e.seconds < 0 || e.samples <= 0) std::abort();
    }
  } catch (const perfplan::InputError&) {
  }
  return 0;
}
