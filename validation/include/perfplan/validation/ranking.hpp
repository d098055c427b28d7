#pragma once
// Is the order of layouts right? Cases of one workload (model, GPU type and count, sequence,
// global batch, dtype) that differ only in their layout form a group; per group of two or more
// measured layouts: Spearman's rho of predicted against measured time, and the regret of the
// predicted-best layout (its measured time over the measured best, minus 1).
#include <optional>
#include <string>
#include <vector>

#include "perfplan/validation/validation.hpp"

namespace perfplan::validation {

struct WorkloadRanking {
  std::string workload;
  int64_t layouts = 0;
  std::optional<double> spearman;  // nullopt when the measured (or predicted) times are all equal
  double regret = 0;
  std::string predicted_best;
  std::string measured_best;
};

struct RankingSummary {
  std::vector<WorkloadRanking> groups;
  std::optional<double> median_spearman;
  std::optional<double> median_regret;
  std::optional<double> worst_regret;
};

RankingSummary rank_workloads(const std::vector<CaseResult>& results);

}  // namespace perfplan::validation
