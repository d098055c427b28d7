#include "perfplan/predictor/infeasible.hpp"

#include "perfplan/common/input_error.hpp"

namespace perfplan::predictor {

std::string to_string(InfeasibleKind kind) {
  switch (kind) {
    case InfeasibleKind::kInvalidDegree: return "invalid degree";
    case InfeasibleKind::kGpuCount: return "GPU count";
    case InfeasibleKind::kDivisibility: return "divisibility";
    case InfeasibleKind::kUnsupported: return "unsupported combination";
    case InfeasibleKind::kPlacement: return "placement";
    case InfeasibleKind::kMemory: return "memory";
  }
  return "?";
}

void throw_infeasible(const Infeasible& why) { throw InputError(why.detail); }

}  // namespace perfplan::predictor
