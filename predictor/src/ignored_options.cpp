#include "perfplan/predictor/ignored_options.hpp"

namespace perfplan::predictor {

std::optional<std::string> ignored_option(const model::Architecture& arch, const ParallelConfig& config,
                                          bool schedule_given) {
  if (schedule_given && config.pp == 1) {
    return "schedule " + to_string(config.schedule) + ": a pipeline schedule needs pp > 1 (got pp 1)";
  }
  if (!arch.moe && (config.overlap_moe_comm || config.moe_dispatcher != MoeDispatcher::kAllToAll)) {
    return "moe-comm-overlap / moe-dispatcher: " + arch.name + " has no experts (a dense model)";
  }
  return std::nullopt;
}

}  // namespace perfplan::predictor
