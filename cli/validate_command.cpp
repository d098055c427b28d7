// `perfplan validate PATH...`: the predictor's error on published training runs.
#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/report/accuracy_report.hpp"
#include "perfplan/report/validation_report.hpp"
#include "perfplan/validation/cross_validation.hpp"
#include "perfplan/validation/harness.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::cli {

int run_validate_command(const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  bool as_json = false;
  bool with_plan = false;
  bool with_kernels = true;
  bool cross = false;
  bool markdown = false;
  std::string by = "file";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") as_json = true;
    else if (a == "--cross-validate") cross = true;
    else if (a == "--markdown") markdown = true;
    else if (a == "--by") {
      if (i + 1 >= args.size()) throw InputError("perfplan validate: --by needs a value: file or framework");
      by = args[++i];
    }
    else if (a == "--plan") with_plan = true;
    else if (a == "--no-kernels") with_kernels = false;
    else if (a == "--help" || a == "-h") {
      std::cout << "perfplan validate PATH... [--json] [--plan] [--no-kernels]: predict every published run in the "
                   "validation files (or directories of them) and report the error; --plan also ranks each published "
                   "layout among the planner's; where a case's GPU has a kernel database (hardware_specs/kernels/), "
                   "the error with it is reported beside the roofline's unless --no-kernels; --cross-validate calibrates "
                   "on all but one file (--by framework: one framework) in turn and reports the held-out errors, "
                   "the ranking of layouts and the prediction bands (--markdown: the README's accuracy section)\n";
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      throw InputError("perfplan validate: unknown option '" + a + "'; accepted: --json, --plan, --no-kernels, --cross-validate, --by, --markdown");
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) throw InputError("perfplan validate needs at least one validation file or directory");
  const validation::FoldBy fold_by = validation::parse_fold_by(by);
  if (!cross && (markdown || by != "file")) {
    throw InputError("perfplan validate: --by and --markdown go with --cross-validate");
  }
  if (cross && with_plan) throw InputError("perfplan validate: --plan does not combine with --cross-validate");
  if (markdown && as_json) throw InputError("perfplan validate: give --markdown or --json, not both");
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  std::vector<validation::ValidationCase> cases;
  for (auto& c : validation::load_validation_cases(std::vector<std::filesystem::path>(paths.begin(), paths.end()), hardware))
    cases.push_back(std::move(c));
  if (cases.empty()) throw InputError("perfplan validate: the validation files hold no cases");
  if (cross) {
    const auto priors =
        hardware::HardwareCatalog::load(hardware::default_hardware_directory(), hardware::CalibrationUse::kPriors);
    // The in-sample results are the cross-validation's (validated once, with the committed constants).
    const validation::CrossValidation cv = validation::cross_validate(cases, priors, hardware, fold_by);
    const auto summary = validation::summarize(cv.in_sample);
    if (markdown) {
      std::string command = "perfplan validate";
      for (const auto& a : args) command += " " + a;
      std::cout << report::render_accuracy_markdown(cv, command);
    } else if (as_json) {
      std::cout << report::render_cross_validation_json(cv, summary, paths);
    } else {
      std::cout << report::render_cross_validation_text(cv, summary);
    }
    return 0;
  }
  std::vector<validation::CaseResult> results;
  for (const auto& c : cases) results.push_back(validation::validate_case(c, hardware));
  // Every case skipped is no validation: an error naming the first reason, not exit 0.
  if (std::all_of(results.begin(), results.end(), [](const auto& r) { return !r.skipped.empty(); })) {
    throw InputError("perfplan validate: all " + std::to_string(results.size()) + " cases were skipped (case " +
                     results.front().id + ": " + results.front().skipped + ")");
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
