// A torch.profiler (Kineto) trace: what the import writes is a kernel database that reads back.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/kerneldb/kineto_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string jsonl;
  try {
    jsonl = perfplan::kerneldb::kineto_trace_to_jsonl(std::string_view(reinterpret_cast<const char*>(data), size),
                                                      {"fuzz.json", ""});
  } catch (const perfplan::InputError&) {
    return 0;
  }
  try {
    const auto db = perfplan::kerneldb::KernelDatabase::parse(jsonl, "fuzz import");
    for (const auto& e : db.entries()) {
      if (!std::isfinite(e.seconds) || e.seconds < 0) std::abort();
    }
  } catch (const perfplan::InputError&) {
    std::abort();  // the import wrote something its own reader refuses
  }
  return 0;
}
