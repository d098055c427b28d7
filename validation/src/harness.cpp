#include "perfplan/validation/harness.hpp"

#include <map>
#include <optional>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/planner/plan.hpp"
#include "perfplan/predictor/kernel_db_check.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"

namespace perfplan::validation {

KernelDbComparison compare_with_kernel_db(const std::vector<ValidationCase>& cases,
                                          const hardware::HardwareCatalog& hardware) {
  KernelDbComparison out;
  std::map<std::string, std::optional<predictor::KernelDbModel>> models;  // by case GPU name
  const auto kernels_dir = hardware::default_hardware_directory() / "kernels";
  for (const auto& c : cases) {
    if (!models.count(c.gpu)) {
      std::optional<predictor::KernelDbModel> model;
      std::optional<hardware::GpuSpec> gpu;
      try {
        gpu = hardware.gpu(c.gpu);
      } catch (const InputError&) {
        // An unknown GPU is reported by the roofline pass.
      }
      // A malformed database, or one beating the GPU's physics, is an error of the run, never a
      // silent "no kernel database".
      if (gpu) {
        if (auto db = kerneldb::load_kernel_db_for_gpu(kernels_dir, gpu->name)) {
          predictor::check_kernel_db_for_gpu(*db, *gpu);
          out.databases.push_back(db->origin());
          model.emplace(std::move(*db));
        }
      }
      models.emplace(c.gpu, std::move(model));
    }
    const auto& model = models.at(c.gpu);
    if (model) {
      predictor::PredictOptions options;
      options.compute = &*model;
      out.results.push_back(validate_case(c, hardware, options));
    } else {
      CaseResult r;
      r.id = c.id;
      r.skipped = "no kernel database for " + c.gpu;
      out.results.push_back(std::move(r));
    }
  }
  if (out.databases.empty()) out.results.clear();
  return out;
}

std::vector<PlanRank> rank_published_layouts(const std::vector<ValidationCase>& cases,
                                             const std::vector<CaseResult>& results,
                                             const hardware::FrameworkSpec& framework) {
  std::vector<PlanRank> out;
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& r = results[i];
    // Memory-only cases (a setting shown for what it would need) did not run: nothing to rank.
    if (!r.config || !r.cluster || !r.measured_iteration_time_s) continue;
    planner::PlanRequest request;
    request.architecture = cases[i].architecture;
    request.cluster = *r.cluster;
    request.framework = framework;
    request.global_batch_size = r.config->global_batch_size;
    request.seq_len = r.config->seq_len;
    request.dtype = r.config->dtype;
    request.attention = r.config->attention;
    request.top_k = 1;
    PlanRank row;
    row.id = r.id;
    try {
      const planner::PlanResult plan = planner::plan(request);
      if (plan.top.empty()) throw InputError(plan.stats.nothing_fits);
      // Published runs did fit: accept them within the memory model's 5% uncertainty.
      const planner::LayoutRank rank = planner::rank_of(request, plan, *r.config, 0.05);
      row.feasible = rank.feasible;
      row.search_seconds = plan.search_seconds;
      if (rank.rank == 0) {
        row.why_not = "pruned: " + rank.why_pruned;
      } else {
        row.rank = rank.rank;
        row.top_gain = plan.top.front().prediction.tokens_per_s / rank.tokens_per_s - 1.0;
      }
    } catch (const InputError& e) {
      row.why_not = std::string("no plan: ") + e.what();
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace perfplan::validation
