#pragma once
// The harness behind `perfplan validate`: every published case predicted with the roofline, again
// with its GPU's measured kernel database where one exists, and (--plan) ranked among the
// planner's layouts for the same workload.
#include <string>
#include <vector>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::validation {

// Cases predicted again with their GPU's measured kernel database (hardware_specs/kernels/),
// beside the roofline's error. Empty when no case's GPU has a database.
struct KernelDbComparison {
  std::vector<std::string> databases;
  std::vector<CaseResult> results;  // one per case; skipped "no kernel database" without one
};
KernelDbComparison compare_with_kernel_db(const std::vector<ValidationCase>& cases,
                                          const hardware::HardwareCatalog& hardware);

// Where the planner ranks one published layout among every layout it finds for the same model,
// GPUs and global batch, and what the best plan would gain over it.
struct PlanRank {
  std::string id;
  int64_t rank = 0;        // 1 = best; 0 when pruned or nothing could be planned
  int64_t feasible = 0;
  double top_gain = 0;     // best plan's tokens/s over the published layout's, minus 1
  double search_seconds = 0;
  std::string why_not;     // "pruned: ..." or "no plan: ..." when rank is 0
};
// One row per case that ran (memory-only cases did not and are left out).
std::vector<PlanRank> rank_published_layouts(const std::vector<ValidationCase>& cases,
                                             const std::vector<CaseResult>& results,
                                             const hardware::FrameworkSpec& framework);

}  // namespace perfplan::validation
