#pragma once
#include <optional>
// Arguments shared by `perfplan plan` and `perfplan report`.
#include <string>
#include <vector>

#include "perfplan/planner/plan.hpp"
#include "perfplan/report/plan_report.hpp"

namespace perfplan::cli {

struct PlanArguments {
  std::string model, cluster, output, emit;
  int64_t gpus = 0;
  bool json = false;
  bool help = false;
  // --deadline DAYS / --budget USD: --gpus is the most to consider and the planner picks the count.
  std::optional<double> deadline_days, budget_usd;
  planner::PlanRequest request;
  // --cluster a,b,c (no ':'): alternative clusters of --gpus each; `request` holds the first.
  std::vector<planner::PlanRequest> alternatives;
};

PlanArguments parse_plan_arguments(const std::vector<std::string>& args, const char* usage, bool report);
// The best layout as the launch configuration of the framework the plan is for (--emit, or the
// --framework profile's writer); `unavailable` says why when that framework has no writer.
report::LaunchSection best_launch_config(const PlanArguments& a, const planner::PlanResult& r);

}  // namespace perfplan::cli
