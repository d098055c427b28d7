#include "perfplan/common/units.hpp"
#include "perfplan/predictor/memory.hpp"

#include <fmt/format.h>

#include "perfplan/predictor/stage_layout.hpp"

namespace perfplan::predictor {
namespace {

using units::kGiB;

double activation_bytes(const std::vector<model::Operator>& ops) { return model::totals(ops).activation_bytes; }

}  // namespace

double weight_bytes_per_parameter(model::DType dtype) { return dtype == model::DType::kFp32 ? 4.0 : 2.0; }

// Megatron keeps fp32 main gradients for mixed precision (its grad buffer); Korthikanti et al.
// 2022, Fig. 1 model-state figures are 18 bytes per parameter = 2 + 4 + 12.
double gradient_bytes_per_parameter(model::DType) { return 4.0; }

ModelState model_state(double params, double shards, const ParallelConfig& config,
                       double optimizer_state_bytes_per_parameter) {
  const bool shard_optimizer = config.shards_optimizer();
  ModelState s;
  s.weights = params * weight_bytes_per_parameter(config.dtype) / (config.zero_stage >= 3 ? shards : 1.0);
  s.gradients = params * gradient_bytes_per_parameter(config.dtype) / (config.zero_stage >= 2 ? shards : 1.0);
  s.optimizer = params * optimizer_state_bytes_per_parameter / (shard_optimizer ? shards : 1.0);
  return s;
}

MemoryFit memory_per_gpu(const model::Architecture& arch, const model::StepOperators& step,
                         const ParallelConfig& config, const hardware::GpuSpec& gpu,
                         const hardware::FrameworkSpec& framework, const std::vector<double>& stage_hbm_bytes) {
  const auto stages = stage_contents(step, config, arch.tie_word_embeddings);
  const double dense_shards = static_cast<double>(config.dense_shard_size());
  const double expert_shards = static_cast<double>(config.expert_shard_size());
  const double in_flight = in_flight_micro_batches(config.schedule, config.pp, config.micro_batches(), config.vp);

  // Transient: during a fully recomputed layer's backward, that layer's activations exist once.
  double recompute_peak = 0;
  if (config.recompute == model::Recompute::kFull) {
    model::StepConfig none = config.step_config();
    none.recompute = model::Recompute::kNone;
    const auto plain = model::build_step_operators(arch, none);
    for (const auto& kind : plain.layer_kinds) recompute_peak = std::max(recompute_peak, activation_bytes(kind.ops));
  }

  MemoryFit fit;
  double worst = -1;
  for (size_t s = 0; s < stages.size(); ++s) {
    const StageContent& stage = stages[s];
    MemoryBreakdown m;
    m.stage = static_cast<int64_t>(s);
    auto state = [&](double params, double shards) {
      const ModelState part = model_state(params, shards, config, framework.optimizer_state_bytes_per_parameter);
      m.weights_bytes += part.weights;
      m.gradients_bytes += part.gradients;
      m.optimizer_bytes += part.optimizer;
    };
    state(stage.dense_parameters, dense_shards);
    state(stage.expert_parameters, expert_shards);

    // Stage s of a 1F1B-like schedule holds (p - s) micro-batches in flight; interleaving adds
    // Korthikanti et al. 2022's (1 + (p-1)/(p*v)) on the first stage.
    double layers_bytes = 0;
    for (size_t k = 0; k < stage.layers_of_kind.size(); ++k) {
      layers_bytes += static_cast<double>(stage.layers_of_kind[k]) * activation_bytes(step.layer_kinds[k].ops);
    }
    const double stage_in_flight =
        config.schedule == PipelineSchedule::kGpipe
            ? in_flight
            : in_flight * static_cast<double>(config.pp - static_cast<int64_t>(s)) / static_cast<double>(config.pp);
    m.activations_bytes = layers_bytes * std::max(1.0, stage_in_flight) + recompute_peak;
    if (stage.has_embedding) m.activations_bytes += activation_bytes(step.embedding) * std::max(1.0, stage_in_flight);
    if (stage.has_head) m.activations_bytes += activation_bytes(step.head);
    m.runtime_bytes = framework.runtime_reserve_bytes;
    m.capacity_bytes = s < stage_hbm_bytes.size() ? stage_hbm_bytes[s] : gpu.hbm_bytes;
    if (m.total_bytes() / m.capacity_bytes > worst) {
      worst = m.total_bytes() / m.capacity_bytes;
      fit.peak = m;
    }
  }
  fit.fits = fit.peak.total_bytes() <= fit.peak.capacity_bytes;
  if (!fit.fits) {
    fit.reason = fmt::format(
        "needs {:.1f} GiB per GPU on stage {} (weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, activations "
        "{:.1f}, runtime {:.1f}) but {} has {:.1f} GiB",
        fit.peak.total_bytes() / kGiB, fit.peak.stage, fit.peak.weights_bytes / kGiB, fit.peak.gradients_bytes / kGiB,
        fit.peak.optimizer_bytes / kGiB, fit.peak.activations_bytes / kGiB, fit.peak.runtime_bytes / kGiB,
        fit.peak.capacity_bytes == gpu.hbm_bytes ? gpu.name : std::string("its GPU"), fit.peak.capacity_bytes / kGiB);
  }
  return fit;
}

}  // namespace perfplan::predictor
