#include "perfplan/report/validation_report.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/version.hpp"

namespace perfplan::report {
namespace {

using json = nlohmann::ordered_json;

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json split_json(const std::optional<validation::MemorySplitGib>& v) {
  if (!v) return nullptr;
  return {{"weights_gradients_optimizer", v->weights_gradients_optimizer}, {"activations", v->activations}};
}

std::string cell(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : std::string("-");
}

}  // namespace

std::string render_validation_text(const std::vector<validation::CaseResult>& results, const validation::ValidationSummary& s) {
  std::string out = fmt::format("{:<58} {:>10} {:>10} {:>8}   {:>9} {:>9} {:>8}\n", "case", "measured s", "predicted",
                                "error %", "mem GiB", "predicted", "error %");
  for (const auto& r : results) {
    if (!r.skipped.empty()) {
      out += fmt::format("{:<58} skipped: {}\n", r.id, r.skipped);
      continue;
    }
    std::optional<double> measured_memory = r.measured_peak_memory_gib;
    std::optional<double> predicted_memory = r.predicted_peak_memory_gib;
    if (!measured_memory && r.measured_memory_breakdown_gib) {
      measured_memory = r.measured_memory_breakdown_gib->weights_gradients_optimizer +
                        r.measured_memory_breakdown_gib->activations;
      predicted_memory = r.predicted_memory_breakdown_gib->weights_gradients_optimizer +
                         r.predicted_memory_breakdown_gib->activations;
    }
    out += fmt::format("{:<58} {:>10} {:>10} {:>8}   {:>9} {:>9} {:>8}\n", r.id, cell(r.measured_iteration_time_s, "{:.3f}"),
                       cell(r.error_pct ? r.predicted_iteration_time_s : std::nullopt, "{:.3f}"), cell(r.error_pct, "{:+.1f}"),
                       cell(r.memory_error_pct ? measured_memory : std::nullopt, "{:.1f}"),
                       cell(r.memory_error_pct ? predicted_memory : std::nullopt, "{:.1f}"), cell(r.memory_error_pct, "{:+.1f}"));
  }
  out += fmt::format("\ncases {}  skipped {}  |error| median {}%  mean {}%  max {}%  memory |error| median {}%\n", s.count,
                     s.skipped, cell(s.median_abs_error_pct, "{:.1f}"), cell(s.mean_abs_error_pct, "{:.1f}"),
                     cell(s.max_abs_error_pct, "{:.1f}"), cell(s.median_abs_memory_error_pct, "{:.1f}"));
  for (const auto& f : s.per_file) {
    out += fmt::format("  {:<34} {:>3} cases, median |error| {}%\n", f.file, f.count, cell(f.median_abs_error_pct, "{:.1f}"));
  }
  if (!s.configuration_pairs.empty()) {
    out += "\nsame workload, different configuration: time ratio first / second\n";
    for (const auto& p : s.configuration_pairs) {
      out += fmt::format("  {} / {}: measured {:.3f}, predicted {:.3f} ({:+.1f}%)\n", p.first, p.second, p.measured_ratio,
                         p.predicted_ratio, p.ratio_error_pct);
    }
  }
  return out;
}

namespace {

json validation_json(const std::vector<validation::CaseResult>& results, const validation::ValidationSummary& s,
                        const std::vector<std::string>& paths) {
  json cases = json::array();
  for (const auto& r : results) {
    cases.push_back({{"id", r.id},
                     {"file", r.file},
                     {"measured_iteration_time_s", optional_json(r.measured_iteration_time_s)},
                     {"predicted_iteration_time_s", optional_json(r.predicted_iteration_time_s)},
                     {"error_pct", optional_json(r.error_pct)},
                     {"measured_peak_memory_gib", optional_json(r.measured_peak_memory_gib)},
                     {"predicted_peak_memory_gib", optional_json(r.predicted_peak_memory_gib)},
                     {"memory_error_pct", optional_json(r.memory_error_pct)},
                     {"measured_memory_breakdown_gib", split_json(r.measured_memory_breakdown_gib)},
                     {"predicted_memory_breakdown_gib", split_json(r.predicted_memory_breakdown_gib)},
                     {"assumed", r.assumed},
                     {"skipped", r.skipped.empty() ? json(nullptr) : json(r.skipped)}});
  }
  json per_file = json::array();
  for (const auto& f : s.per_file) {
    per_file.push_back({{"file", f.file}, {"count", f.count}, {"median_abs_error_pct", optional_json(f.median_abs_error_pct)}});
  }
  json pairs = json::array();
  for (const auto& p : s.configuration_pairs) {
    pairs.push_back({{"first", p.first},
                     {"second", p.second},
                     {"measured_ratio", p.measured_ratio},
                     {"predicted_ratio", p.predicted_ratio},
                     {"ratio_error_pct", p.ratio_error_pct}});
  }
  json doc = {{"context", {{"schema_version", kSchemaVersion}, {"perfplan_version", kPerfplanVersion}, {"command", "validate"}, {"inputs", paths}}},
              {"cases", cases},
              {"summary",
               {{"count", s.count},
                {"skipped", s.skipped},
                {"median_abs_error_pct", optional_json(s.median_abs_error_pct)},
                {"mean_abs_error_pct", optional_json(s.mean_abs_error_pct)},
                {"max_abs_error_pct", optional_json(s.max_abs_error_pct)},
                {"median_abs_memory_error_pct", optional_json(s.median_abs_memory_error_pct)},
                {"per_file", per_file},
                {"configuration_pairs", pairs}}}};
  return doc;
}

json kernel_db_json(const validation::KernelDbComparison& kdb);

}  // namespace

std::string render_validation_json(const std::vector<validation::CaseResult>& results,
                                   const validation::ValidationSummary& summary, const std::vector<std::string>& inputs,
                                   const validation::KernelDbComparison& kernel_db) {
  json doc = validation_json(results, summary, inputs);
  if (!kernel_db.results.empty()) doc["with_kernel_db"] = kernel_db_json(kernel_db);
  return doc.dump(2) + "\n";
}

std::string render_kernel_db_text(const std::vector<validation::CaseResult>& roofline, const validation::KernelDbComparison& kdb) {
  std::string out = "\nwith the measured kernel databases";
  for (const auto& d : kdb.databases) out += " " + d;
  out += fmt::format("\n{:<58} {:>10} {:>10} {:>10}\n", "case", "roofline %", "kernels %", "predicted");
  for (size_t i = 0; i < kdb.results.size(); ++i) {
    const auto& r = kdb.results[i];
    if (!r.skipped.empty() || !r.error_pct) continue;
    out += fmt::format("{:<58} {:>10} {:>10} {:>10.3f}\n", r.id, cell(roofline[i].error_pct, "{:+.1f}"),
                       cell(r.error_pct, "{:+.1f}"), *r.predicted_iteration_time_s);
  }
  const auto s = validation::summarize(kdb.results);
  out += fmt::format("cases {}  |error| with kernels: median {}%  mean {}%  max {}%\n", s.count,
                     cell(s.median_abs_error_pct, "{:.1f}"), cell(s.mean_abs_error_pct, "{:.1f}"),
                     cell(s.max_abs_error_pct, "{:.1f}"));
  return out;
}

namespace {

json kernel_db_json(const validation::KernelDbComparison& kdb) {
  json cases = json::array();
  for (const auto& r : kdb.results) {
    if (!r.skipped.empty()) continue;
    cases.push_back({{"id", r.id},
                     {"predicted_iteration_time_s", optional_json(r.predicted_iteration_time_s)},
                     {"error_pct", optional_json(r.error_pct)}});
  }
  const auto s = validation::summarize(kdb.results);
  return {{"databases", kdb.databases},
          {"cases", cases},
          {"summary",
           {{"count", s.count},
            {"median_abs_error_pct", optional_json(s.median_abs_error_pct)},
            {"mean_abs_error_pct", optional_json(s.mean_abs_error_pct)},
            {"max_abs_error_pct", optional_json(s.max_abs_error_pct)}}}};
}

}  // namespace

std::string render_plan_ranks(const std::vector<validation::PlanRank>& ranks) {
  std::string out = fmt::format("\n{:<58} {:>6} {:>9} {:>10} {:>8}  {}\n", "published layout", "rank", "feasible",
                                "top-1 gain", "search s", "");
  int64_t ranked = 0, top5 = 0, pruned = 0;
  std::vector<double> gains;
  for (const auto& r : ranks) {
    if (r.rank == 0) {
      ++pruned;
      out += fmt::format("{:<58} {}\n", r.id, r.why_not);
      continue;
    }
    ++ranked;
    if (r.rank <= 5) ++top5;
    gains.push_back(r.top_gain);
    out += fmt::format("{:<58} {:>6} {:>9} {:>9.1f}% {:>8.2f}\n", r.id, r.rank, r.feasible, 100.0 * r.top_gain,
                       r.search_seconds);
  }
  std::sort(gains.begin(), gains.end());
  const double median_gain = gains.empty() ? 0.0 : gains[gains.size() / 2];
  out += fmt::format("published layouts ranked {}, pruned {}, in the top 5: {}; median predicted gain of the top plan {:.1f}%\n",
                     ranked, pruned, top5, 100.0 * median_gain);
  return out;
}

}  // namespace perfplan::report
