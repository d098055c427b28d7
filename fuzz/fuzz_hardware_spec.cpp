// A GPU, link, framework or cluster spec file (the first byte picks which): read with the
// loader's own functions; what is accepted with no problems passes the spec's own validate().
#include <cstdint>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "hardware_json.hpp"
#include "perfplan/common/input_error.hpp"

using namespace perfplan::hardware;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto doc = nlohmann::json::parse(data + 1, data + size, nullptr, false);
  if (doc.is_discarded()) return 0;
  try {
    detail::SpecProblems problems("fuzz.json");
    switch (data[0] % 4) {
      case 0: {
        const GpuSpec gpu = detail::gpu_from_json(doc, problems);
        if (problems.lines().empty() && !gpu.problems().empty()) std::abort();
        break;
      }
      case 1: {
        const LinkSpec link = detail::link_from_json(doc, problems);
        if (problems.lines().empty() && !link.problems().empty()) std::abort();
        break;
      }
      case 2: {
        const FrameworkSpec f = detail::framework_from_json(doc, problems);
        if (problems.lines().empty() && !f.problems().empty()) std::abort();
        break;
      }
      default: {
        detail::ClusterReferences references;
        (void)detail::cluster_from_json(doc, problems, references);
      }
    }
  } catch (const perfplan::InputError&) {
  }
  return 0;
}
