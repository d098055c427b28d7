#pragma once
// Renderers of `perfplan validate`: the per-case table and summary (text, JSON), the comparison
// with measured kernel databases, and the planner ranks of published layouts.
#include <string>
#include <vector>

#include "perfplan/validation/harness.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::report {

std::string render_validation_text(const std::vector<validation::CaseResult>& results,
                                   const validation::ValidationSummary& summary);
// The JSON document; `kernel_db` adds "with_kernel_db" when it holds results.
std::string render_validation_json(const std::vector<validation::CaseResult>& results,
                                   const validation::ValidationSummary& summary, const std::vector<std::string>& inputs,
                                   const validation::KernelDbComparison& kernel_db);
std::string render_kernel_db_text(const std::vector<validation::CaseResult>& roofline,
                                  const validation::KernelDbComparison& kernel_db);
std::string render_plan_ranks(const std::vector<validation::PlanRank>& ranks);

}  // namespace perfplan::report
