#pragma once
// Data-parallel synchronisation of one pipeline stage: gradient reduction and (sharded
// optimizer, FSDP) parameter gathers, and the part of them left exposed (private).
#include <cstdint>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/parallel_config.hpp"
#include "perfplan/predictor/stage_layout.hpp"
#include "process_groups.hpp"

namespace perfplan::predictor::detail {

struct DpSync {
  double grad_sync_s = 0;     // all gradient reductions of the stage, back to back
  double param_gather_s = 0;  // all parameter gathers (sharded optimizer / FSDP)
  double exposed_s = 0;       // on the critical path after overlap with compute
};

// `forward_window_s` / `backward_window_s`: one micro-batch's forward and backward (with
// recompute) compute of the stage, behind which the collectives can hide.
DpSync dp_sync(const StageContent& stage, const model::StepOperators& step, const ParallelConfig& config,
               const Groups& groups,
               const hardware::ClusterSpec& pace, const hardware::FrameworkSpec& framework, double forward_window_s,
               double backward_window_s);

}  // namespace perfplan::predictor::detail
