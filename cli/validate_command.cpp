// `perfplan validate PATH...`: the predictor's error on published training runs.
#include <algorithm>
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/version.hpp"
#include "commands.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/planner/plan.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"
#include "perfplan/validation/validation.hpp"

namespace perfplan::cli {
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

std::string render_text(const std::vector<validation::CaseResult>& results, const validation::ValidationSummary& s) {
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

std::string render_json(const std::vector<validation::CaseResult>& results, const validation::ValidationSummary& s,
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
  json doc = {{"context", {{"schema_version", 1}, {"perfplan_version", kPerfplanVersion}, {"command", "validate"}, {"inputs", paths}}},
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
  return doc.dump(2) + "\n";
}

}  // namespace

namespace {

// Cases predicted again with their GPU's measured kernel database (hardware_specs/kernels/),
// beside the roofline's error. Empty when no case's GPU has a database.
struct KernelDbComparison {
  std::vector<std::string> databases;
  std::vector<validation::CaseResult> results;  // one per case; skipped "no kernel database" without one
};

KernelDbComparison compare_with_kernel_db(const std::vector<validation::ValidationCase>& cases,
                                          const hardware::HardwareCatalog& hardware) {
  KernelDbComparison out;
  std::map<std::string, std::optional<predictor::KernelDbModel>> models;  // by case GPU name
  const auto kernels_dir = hardware::default_hardware_directory() / "kernels";
  for (const auto& c : cases) {
    if (!models.count(c.gpu)) {
      std::optional<predictor::KernelDbModel> model;
      try {
        if (auto db = kerneldb::load_kernel_db_for_gpu(kernels_dir, hardware.gpu(c.gpu).name)) {
          out.databases.push_back(db->origin());
          model.emplace(std::move(*db));
        }
      } catch (const InputError&) {
        // An unknown GPU is reported by the roofline pass; a malformed database by `predict`.
      }
      models.emplace(c.gpu, std::move(model));
    }
    const auto& model = models.at(c.gpu);
    if (model) {
      predictor::PredictOptions options;
      options.compute = &*model;
      out.results.push_back(validation::validate_case(c, hardware, options));
    } else {
      validation::CaseResult r;
      r.id = c.id;
      r.skipped = "no kernel database for " + c.gpu;
      out.results.push_back(std::move(r));
    }
  }
  if (out.databases.empty()) out.results.clear();
  return out;
}

std::string render_kernel_db_text(const std::vector<validation::CaseResult>& roofline, const KernelDbComparison& kdb) {
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

json render_kernel_db_json(const KernelDbComparison& kdb) {
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

// `--plan`: where the planner ranks each published layout among every layout it finds for the
// same model, GPUs and global batch, and what the best plan would gain over it.
std::string render_plan_ranks(const std::vector<validation::ValidationCase>& cases,
                              const std::vector<validation::CaseResult>& results) {
  std::string out = fmt::format("\n{:<58} {:>6} {:>9} {:>10} {:>8}  {}\n", "published layout", "rank", "feasible",
                                "top-1 gain", "search s", "");
  int64_t ranked = 0, top5 = 0, pruned = 0;
  std::vector<double> gains;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& r = results[i];
    // Memory-only cases (a setting shown for what it would need) did not run: nothing to rank.
    if (!r.config || !r.cluster || !r.measured_iteration_time_s) continue;
    planner::PlanRequest request;
    request.architecture = cases[i].architecture;
    request.cluster = *r.cluster;
    request.global_batch_size = r.config->global_batch_size;
    request.seq_len = r.config->seq_len;
    request.dtype = r.config->dtype;
    request.attention = r.config->attention;
    request.top_k = 1;
    try {
      const planner::PlanResult plan = planner::plan(request);
      // Published runs did fit: accept them within the memory model's 5% uncertainty.
      const planner::LayoutRank rank = planner::rank_of(request, plan, *r.config, 0.05);
      if (rank.rank == 0) {
        ++pruned;
        out += fmt::format("{:<58} pruned: {}\n", r.id, rank.why_pruned);
        continue;
      }
      ++ranked;
      if (rank.rank <= 5) ++top5;
      const double gain = plan.top.front().prediction.tokens_per_s / rank.tokens_per_s - 1.0;
      gains.push_back(gain);
      out += fmt::format("{:<58} {:>6} {:>9} {:>9.1f}% {:>8.2f}\n", r.id, rank.rank, rank.feasible, 100.0 * gain,
                         plan.search_seconds);
    } catch (const InputError& e) {
      ++pruned;
      out += fmt::format("{:<58} no plan: {}\n", r.id, e.what());
    }
  }
  std::sort(gains.begin(), gains.end());
  const double median_gain = gains.empty() ? 0.0 : gains[gains.size() / 2];
  out += fmt::format("published layouts ranked {}, pruned {}, in the top 5: {}; median predicted gain of the top plan {:.1f}%\n",
                     ranked, pruned, top5, 100.0 * median_gain);
  return out;
}

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
  const KernelDbComparison kdb = with_kernels ? compare_with_kernel_db(cases, hardware) : KernelDbComparison{};
  if (as_json && !kdb.results.empty()) {
    json doc = json::parse(render_json(results, summary, paths));
    doc["with_kernel_db"] = render_kernel_db_json(kdb);
    std::cout << doc.dump(2) << "\n";
  } else {
    std::cout << (as_json ? render_json(results, summary, paths) : render_text(results, summary));
    if (!kdb.results.empty()) std::cout << render_kernel_db_text(results, kdb);
  }
  if (with_plan && !as_json) std::cout << render_plan_ranks(cases, results);
  return 0;
}

}  // namespace perfplan::cli
