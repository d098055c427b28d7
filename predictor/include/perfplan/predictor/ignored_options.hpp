#pragma once
// Options a caller set that the layout would ignore: a pipeline schedule without a pipeline, MoE
// communication options on a dense model. Refused rather than silently ignored, by the CLI's
// predict and the library's predict alike.
#include <optional>
#include <string>

#include "perfplan/model/architecture.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::predictor {

// What would be ignored, naming the option as the CLI spells it; nullopt when nothing is.
std::optional<std::string> ignored_option(const model::Architecture& arch, const ParallelConfig& config,
                                          bool schedule_given);

}  // namespace perfplan::predictor
