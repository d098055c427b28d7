#include "perfplan/report/accuracy_report.hpp"

#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/version.hpp"

namespace perfplan::report {
namespace {

using json = nlohmann::ordered_json;

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string pct(const std::optional<double>& v) { return v ? fmt::format("{:.1f}%", *v) : std::string("-"); }
std::string num(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

std::string summary_line(const validation::ErrorSummary& s) {
  return fmt::format("{:>4} cases  median {:>6}  p90 {:>6}  max {:>6}", s.count, pct(s.median_pct), pct(s.p90_pct),
                     pct(s.max_pct));
}

json summary_json(const validation::ErrorSummary& s) {
  return {{"count", s.count},
          {"median_abs_error_pct", optional_json(s.median_pct)},
          {"p90_abs_error_pct", optional_json(s.p90_pct)},
          {"max_abs_error_pct", optional_json(s.max_pct)}};
}

json ranking_json(const validation::RankingSummary& r) {
  json groups = json::array();
  for (const auto& g : r.groups) {
    groups.push_back({{"workload", g.workload},
                      {"layouts", g.layouts},
                      {"spearman", optional_json(g.spearman)},
                      {"regret", g.regret},
                      {"predicted_best", g.predicted_best},
                      {"measured_best", g.measured_best}});
  }
  return {{"groups", r.groups.size()},
          {"median_spearman", optional_json(r.median_spearman)},
          {"median_regret", optional_json(r.median_regret)},
          {"worst_regret", optional_json(r.worst_regret)},
          {"per_group", groups}};
}

std::string ranking_line(const validation::RankingSummary& r) {
  return fmt::format("{} workload groups of 2+ measured layouts: median Spearman {}, regret of the predicted best: "
                     "median {}, worst {}",
                     r.groups.size(), num(r.median_spearman, "{:.2f}"),
                     r.median_regret ? pct(*r.median_regret * 100.0) : "-",
                     r.worst_regret ? pct(*r.worst_regret * 100.0) : "-");
}

}  // namespace

std::string render_calibration_text(const validation::CalibrationFit& fit, double seconds) {
  std::string out = fmt::format("calibrated on {} cases from {} files in {:.1f} s\nobjective: {}\n  at the priors {:.4f}, "
                                "fitted {:.4f}\n\n",
                                fit.cases, fit.fitted_on.size(), seconds, validation::kCalibrationObjective,
                                fit.prior_objective, fit.objective);
  out += fmt::format("{:<42} {:>8} {:>17} {:>8} {:>6}  {}\n", "constant", "prior", "bounds", "fitted", "cases", "note");
  for (const auto& c : fit.constants) {
    out += fmt::format("{:<42} {:>8.4g} {:>17} {:>8} {:>6}  {}\n", c.constant.key, c.constant.prior,
                       fmt::format("[{:g}, {:g}]", c.constant.low, c.constant.high),
                       c.fitted ? fmt::format("{:.4g}", c.value) : std::string("-"), c.cases, c.note);
  }
  out += "\nbounds:\n";
  std::string last;
  for (const auto& c : fit.constants) {
    if (c.constant.bound_source == last) continue;
    last = c.constant.bound_source;
    out += "  " + c.constant.key.substr(0, c.constant.key.find('.')) + ": " + last + "\n";
  }
  return out;
}

std::string render_calibration_json(const validation::CalibrationFit& fit, double seconds) {
  json constants = json::array();
  for (const auto& c : fit.constants) {
    constants.push_back({{"key", c.constant.key},
                         {"prior", c.constant.prior},
                         {"low", c.constant.low},
                         {"high", c.constant.high},
                         {"bound_source", c.constant.bound_source},
                         {"fitted", c.fitted ? json(c.value) : json(nullptr)},
                         {"cases", c.cases},
                         {"note", c.note}});
  }
  json doc = {{"perfplan_version", kPerfplanVersion},
              {"objective", validation::kCalibrationObjective},
              {"fitted_on", fit.fitted_on},
              {"cases", fit.cases},
              {"prior_objective", fit.prior_objective},
              {"objective_value", fit.objective},
              {"seconds", seconds},
              {"constants", constants}};
  return doc.dump(2) + "\n";
}

std::string render_cross_validation_text(const validation::CrossValidation& cv,
                                         const validation::ValidationSummary& in_sample) {
  std::string out = fmt::format("{:<58} {:<36} {:>10} {:>9} {:>9}\n", "case", cv.by == validation::FoldBy::kFile ? "file" : "framework",
                                "measured s", "in-sample", "held out");
  for (size_t i = 0; i < cv.in_sample.size(); ++i) {
    const auto& in = cv.in_sample[i];
    const auto& out_r = cv.out_of_sample[i];
    if (!in.skipped.empty()) {
      out += fmt::format("{:<58} skipped: {}\n", in.id, in.skipped);
      continue;
    }
    if (!in.error_pct) continue;  // memory-only
    out += fmt::format("{:<58} {:<36} {:>10.3f} {:>8}% {:>8}%\n", in.id, cv.fold_of[i], *in.measured_iteration_time_s,
                       num(in.error_pct, "{:+.1f}"), num(out_r.error_pct, "{:+.1f}"));
  }
  out += fmt::format("\n|error| of the iteration time ({} folds by {}, each calibrated on the others; {:.1f} s)\n",
                     cv.folds.size(), to_string(cv.by), cv.seconds);
  out += "  in sample      " + summary_line(cv.in_sample_summary) + "\n";
  out += "  out of sample  " + summary_line(cv.out_of_sample_summary) + "\n";
  for (const auto& f : cv.folds) {
    if (f.in_sample.count == 0) continue;
    out += fmt::format("  {:<36} in {}\n  {:<36} out{}\n", f.fold, summary_line(f.in_sample), "",
                       summary_line(f.out_of_sample).substr(0));
  }
  out += "\nranking (in sample):      " + ranking_line(cv.in_sample_ranking) + "\n";
  out += "ranking (out of sample):  " + ranking_line(cv.out_of_sample_ranking) + "\n";
  for (const auto& g : cv.out_of_sample_ranking.groups) {
    out += fmt::format("  {:<70} {:>2} layouts  rho {:>5}  regret {:>6}\n", g.workload, g.layouts,
                       num(g.spearman, "{:+.2f}"), pct(g.regret * 100.0));
  }
  out += "\nprediction bands (measured / predicted, 10th-90th percentile, out of sample):\n";
  for (const auto& b : cv.bands) {
    out += fmt::format("  {:<60} {:.3f} - {:.3f}\n", b.band.basis, b.band.low_ratio, b.band.high_ratio);
  }
  if (!in_sample.configuration_pairs.empty()) {
    out += "\nsame workload, different configuration (in sample): time ratio first / second\n";
    for (const auto& p : in_sample.configuration_pairs) {
      out += fmt::format("  {} / {}: measured {:.3f}, predicted {:.3f} ({:+.1f}%)\n", p.first, p.second, p.measured_ratio,
                         p.predicted_ratio, p.ratio_error_pct);
    }
  }
  return out;
}

std::string render_cross_validation_json(const validation::CrossValidation& cv,
                                         const validation::ValidationSummary& in_sample,
                                         const std::vector<std::string>& inputs) {
  json cases = json::array();
  for (size_t i = 0; i < cv.in_sample.size(); ++i) {
    const auto& r = cv.in_sample[i];
    cases.push_back({{"id", r.id},
                     {"file", r.file},
                     {"fold", cv.fold_of[i]},
                     {"measured_iteration_time_s", optional_json(r.measured_iteration_time_s)},
                     {"predicted_iteration_time_s", optional_json(r.predicted_iteration_time_s)},
                     {"error_pct", optional_json(r.error_pct)},
                     {"loso_predicted_iteration_time_s", optional_json(cv.out_of_sample[i].predicted_iteration_time_s)},
                     {"loso_error_pct", optional_json(cv.out_of_sample[i].error_pct)},
                     {"assumed", r.assumed},
                     {"skipped", r.skipped.empty() ? json(nullptr) : json(r.skipped)}});
  }
  json folds = json::array();
  for (const auto& f : cv.folds) {
    folds.push_back({{"fold", f.fold}, {"in_sample", summary_json(f.in_sample)}, {"loso", summary_json(f.out_of_sample)}});
  }
  json pairs = json::array();
  for (const auto& p : in_sample.configuration_pairs) {
    pairs.push_back({{"first", p.first},
                     {"second", p.second},
                     {"measured_ratio", p.measured_ratio},
                     {"predicted_ratio", p.predicted_ratio},
                     {"ratio_error_pct", p.ratio_error_pct}});
  }
  json bands = json::array();
  for (const auto& b : cv.bands) {
    bands.push_back({{"gpu_family", b.gpu_family},
                     {"framework_family", b.framework_family},
                     {"low_ratio", b.band.low_ratio},
                     {"high_ratio", b.band.high_ratio},
                     {"cases", b.band.cases}});
  }
  json doc = {{"context", {{"perfplan_version", kPerfplanVersion}, {"inputs", inputs}, {"folds_by", to_string(cv.by)},
                           {"seconds", cv.seconds}}},
              {"cases", cases},
              {"summary", {{"in_sample", summary_json(cv.in_sample_summary)},
                           {"loso", summary_json(cv.out_of_sample_summary)},
                           {"skipped", in_sample.skipped},
                           {"per_fold", folds},
                           {"ranking_in_sample", ranking_json(cv.in_sample_ranking)},
                           {"loso_ranking", ranking_json(cv.out_of_sample_ranking)},
                           {"bands", bands},
                           {"configuration_pairs", pairs}}}};
  return doc.dump(2) + "\n";
}

std::string render_accuracy_markdown(const validation::CrossValidation& cv, const std::string& command) {
  std::string out = fmt::format(
      "Measured by `{}` (perfplan {}): each {} left out in turn, the constants calibrated on the rest, its cases "
      "predicted. Out of sample is the figure to expect on a run nobody tuned for.\n\n",
      command, kPerfplanVersion, to_string(cv.by));
  out += "| | cases | median \\|error\\| | p90 | max |\n|---|---:|---:|---:|---:|\n";
  const auto row = [](const std::string& name, const validation::ErrorSummary& s) {
    return fmt::format("| {} | {} | {} | {} | {} |\n", name, s.count, pct(s.median_pct), pct(s.p90_pct), pct(s.max_pct));
  };
  out += row("**out of sample (leave one " + to_string(cv.by) + " out)**", cv.out_of_sample_summary);
  out += row("in sample (committed constants)", cv.in_sample_summary);
  for (const auto& f : cv.folds) {
    if (f.out_of_sample.count > 0) out += row("`" + f.fold + "` out of sample", f.out_of_sample);
  }
  out += "\nOrder of layouts (out of sample): " + ranking_line(cv.out_of_sample_ranking) + ".\n";
  return out;
}

}  // namespace perfplan::report
