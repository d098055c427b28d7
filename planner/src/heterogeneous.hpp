#pragma once
// Layouts for a cluster of mixed GPU types (hardware::ClusterSpec::parts): pipeline stages placed on the
// parts with layers in proportion to each GPU's speed (and shifted for memory), or data-parallel
// replicas on each part with the global batch split in proportion to their speed (as Metis and
// AMP do).
#include <vector>

#include "perfplan/planner/plan.hpp"

namespace perfplan::planner::detail {

// A layout to evaluate: one ParallelConfig, or (split data parallelism) one per part.
struct HeteroLayout {
  predictor::ParallelConfig config;                 // pipeline across parts, or the first part's
  std::vector<predictor::ParallelConfig> per_part;  // split DP: each part's own replicas
  std::string placement;                            // human-readable placement
};

std::vector<HeteroLayout> enumerate_heterogeneous(const PlanRequest& request, std::map<std::string, int64_t>& pruned,
                                                  int64_t& enumerated);

// Predicts a split-DP layout: each part's pipeline on its share of the batch, the slowest sets
// the pace, plus the gradient all-reduce between the parts over the slower scale-out network.
predictor::Outcome<predictor::Prediction> predict_split_dp(const PlanRequest& request, const HeteroLayout& layout);

// Effective training speed of one GPU type (FLOP/s of its GEMMs in the training dtype).
double gpu_speed(const hardware::GpuSpec& gpu, model::DType dtype);

}  // namespace perfplan::planner::detail
