#pragma once
// For every job, the best predicted throughput on each GPU type at each GPU count, as
// heterogeneity-aware schedulers (Gavel, Sia, Pollux) need it instead of profiling every job on
// every type: the layout that achieves it, its band, or why the cell is empty.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::api {

struct MatrixCell {
  std::string job, gpu_type;  // gpu_type: the cluster name it was planned on
  int64_t gpus = 0;
  bool feasible = false;
  double tokens_per_s = 0;
  // Likely range of tokens/s from the model's out-of-sample band (tokens/s / high .. / low).
  double tokens_per_s_low = 0, tokens_per_s_high = 0;
  double mfu = 0;
  double iteration_time_s = 0;
  double memory_gib = 0;
  predictor::ParallelConfig layout;
  std::string layout_text;
  std::string empty_reason;  // when not feasible: what did not fit or divide
};

struct ThroughputMatrix {
  std::vector<std::string> jobs, gpu_types;
  std::vector<int64_t> gpu_counts;
  std::vector<MatrixCell> cells;  // job-major, then GPU type, then count
  double seconds = 0;             // wall time of the whole matrix

  // The cell of (job, type, count); std::out_of_range when there is none.
  const MatrixCell& at(const std::string& job, const std::string& gpu_type, int64_t gpus) const;
};

}  // namespace perfplan::api
