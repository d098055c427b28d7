// `perfplan validate PATH...`: the predictor's error on published training runs.
#include <iostream>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/report/validation_report.hpp"
#include "perfplan/validation/harness.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::cli {

int run_validate_command(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  bool as_json = false;
  bool with_plan = false;
  bool with_kernels = true;
  for (const auto& a : args) {
    if (a == "--json") as_json = true;
    else if (a == "--plan") with_plan = true;
    else if (a == "--no-kernels") with_kernels = false;
    else if (a == "--help" || a == "-h") {
      std::cout << "perfplan validate PATH... [--json] [--plan] [--no-kernels]: predict every published run in the "
                   "validation files (or directories of them) and report the error; --plan also ranks each published "
                   "layout among the planner's; where a case's GPU has a kernel database (hardware_specs/kernels/), "
                   "the error with it is reported beside the roofline's unless --no-kernels\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      throw InputError("perfplan validate: unknown option '" + a + "'; accepted: --json, --plan, --no-kernels");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) throw InputError("perfplan validate needs at least one validation file or directory");
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::vector<validation::ValidationCase> cases;
  std::vector<validation::CaseResult> results;
  for (const auto& path : paths) {
    for (auto& c : validation::load_validation_cases(path)) {
      results.push_back(validation::validate_case(c, hardware));
      cases.push_back(std::move(c));
    }
  }
  const auto summary = validation::summarize(results);
  const validation::KernelDbComparison kdb =
      with_kernels ? validation::compare_with_kernel_db(cases, hardware) : validation::KernelDbComparison{};
  if (as_json) {
    std::cout << report::render_validation_json(results, summary, paths, kdb);
  } else {
    std::cout << report::render_validation_text(results, summary);
    if (!kdb.results.empty()) std::cout << report::render_kernel_db_text(results, kdb);
  }
  if (with_plan && !as_json) std::cout << report::render_plan_ranks(validation::rank_published_layouts(cases, results, hardware.framework()));
  return 0;
}

}  // namespace perfplan::cli
