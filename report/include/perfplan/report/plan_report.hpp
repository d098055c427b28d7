#pragma once
// Renderers of a plan: the ranked table (text) and its JSON (context, search statistics, top
// layouts in the one layout JSON form).
#include <string>

#include "perfplan/planner/plan.hpp"

namespace perfplan::report {

std::string render_plan_text(const planner::PlanRequest& request, const planner::PlanResult& result);
std::string render_plan_json(const planner::PlanRequest& request, const planner::PlanResult& result);

}  // namespace perfplan::report
