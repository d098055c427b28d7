#pragma once
// Renderers of a plan: the ranked table (text) and its JSON (context, search statistics, top
// layouts in the one layout JSON form).
#include <string>

#include "perfplan/planner/plan.hpp"

namespace perfplan::report {

// The best layout as the launch configuration of the framework the plan was made for (written by
// launch/, passed in so that the renderers do not depend on it): which writer and release, and
// its text, or why there is none.
struct LaunchSection {
  std::string framework;    // the writer: megatron, megatron-bridge, nemo, torchtitan
  std::string target;       // e.g. "Megatron-LM core_v0.14.0"
  std::string text;         // the whole config
  std::string unavailable;  // when there is no writer for the plan's framework, why
};

std::string render_plan_text(const planner::PlanRequest& request, const planner::PlanResult& result);
// With `launch`, the JSON carries it under "launch".
std::string render_plan_json(const planner::PlanRequest& request, const planner::PlanResult& result,
                             const LaunchSection* launch = nullptr);

}  // namespace perfplan::report
