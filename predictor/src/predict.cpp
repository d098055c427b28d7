// Step composition: placement -> per-operator costs -> the slowest stage -> pipeline schedule ->
// data-parallel synchronisation and optimizer -> metrics, memory and timeline.
#include "perfplan/predictor/predict.hpp"

#include "perfplan/common/limits.hpp"

#include <algorithm>

#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/collectives.hpp"
#include "perfplan/predictor/gpu_support.hpp"
#include "perfplan/predictor/metrics.hpp"
#include "perfplan/predictor/stage_layout.hpp"
#include "dp_sync.hpp"
#include "operator_cost.hpp"
#include "process_groups.hpp"

namespace perfplan::predictor {
namespace {

using detail::Cost;
using detail::Groups;

// On a mixed cluster each stage runs on one homogeneous part, and a part's GPUs are exactly its
// stages x tp x cp x dp.
std::optional<Infeasible> check_placement(const model::Architecture& arch, const hardware::ClusterSpec& cluster,
                                          const ParallelConfig& config) {
  const bool mixed = !config.stage_part.empty();
  std::string problem;
  if (!mixed) {
    if (!cluster.parts.empty()) problem = "a heterogeneous cluster needs a stage placement (ParallelConfig::stage_part)";
  } else if (cluster.parts.empty()) {
    problem = "stage parts are given but the cluster is homogeneous";
  } else if (static_cast<int64_t>(config.stage_part.size()) != config.pp || config.vp != 1) {
    problem = "stage parts must name one part per pipeline stage (pp = " + std::to_string(config.pp) + ", vp = 1)";
  } else {
    std::vector<int64_t> stages_on(cluster.parts.size(), 0);
    for (int64_t part : config.stage_part) {
      if (part < 0 || part >= static_cast<int64_t>(cluster.parts.size())) problem = "stage part index out of range";
      else stages_on[static_cast<size_t>(part)] += 1;
    }
    for (size_t k = 0; problem.empty() && k < cluster.parts.size(); ++k) {
      if (stages_on[k] * config.tp * config.cp * config.dp != cluster.parts[k].num_gpus) {
        problem = "part " + cluster.parts[k].name + " has " + std::to_string(cluster.parts[k].num_gpus) +
                  " GPUs but holds " + std::to_string(stages_on[k]) + " stages of tp x cp x dp = " +
                  std::to_string(config.tp * config.cp * config.dp);
      }
    }
  }
  if (problem.empty()) return std::nullopt;
  return Infeasible{InfeasibleKind::kPlacement, "invalid heterogeneous placement for " + arch.name + ": " + problem};
}

// Per-micro-batch costs of every layer kind, embedding and head on one kind of GPU.
struct PartCosts {
  std::vector<Cost> kinds;
  Cost embedding, head;
  Groups groups;
};

PartCosts part_costs(const model::StepOperators& step, const ParallelConfig& config, const hardware::ClusterSpec& on,
                     const ComputeModel& compute, const model::Architecture& arch,
                     const hardware::FrameworkSpec& framework) {
  PartCosts pc;
  pc.groups = detail::place_groups(config, on);
  for (const auto& kind : step.layer_kinds) {
    pc.kinds.push_back(detail::ops_cost(kind.ops, config, on, pc.groups, compute, arch, framework));
  }
  pc.embedding = detail::ops_cost(step.embedding, config, on, pc.groups, compute, arch, framework);
  pc.head = detail::ops_cost(step.head, config, on, pc.groups, compute, arch, framework);
  return pc;
}

// Stage-to-stage send of one micro-batch's activations (b * s/cp * h, sharded by SP).
double p2p_time(const model::Architecture& arch, const ParallelConfig& config, const Groups& groups,
                const hardware::ClusterSpec& cluster, const hardware::ClusterSpec& pace, bool mixed) {
  double bytes = static_cast<double>(config.micro_batch_size * config.seq_len / config.cp) *
                 static_cast<double>(arch.hidden_size) * model::activation_bytes_per_element(config.dtype);
  if (config.sequence_parallel) bytes /= static_cast<double>(config.tp);
  GroupPlacement pair = groups.pp;
  pair.size = 2;
  pair.ranks_per_node = std::min<int64_t>(groups.pp.ranks_per_node, 2);
  if (mixed) pair.ranks_per_node = 1;  // stage boundaries between parts cross the scale-out network
  return collective_time(model::CommKind::kRingExchange, bytes, pair, mixed ? cluster : pace);
}

// The optimizer step streams the framework's bytes per local parameter through HBM.
double optimizer_time(const StageContent& stage, const ParallelConfig& config, const hardware::GpuSpec& gpu,
                      const hardware::FrameworkSpec& framework) {
  const bool sharded = config.shards_optimizer();
  const double dense_shards = sharded ? static_cast<double>(config.dense_shard_size()) : 1.0;
  const double expert_shards = sharded ? static_cast<double>(config.expert_shard_size()) : 1.0;
  const double local_params = stage.dense_parameters / dense_shards + stage.expert_parameters / expert_shards;
  return memory_time(local_params * framework.optimizer_step_bytes_per_parameter, gpu);
}

std::vector<TimelineEvent> timeline(const ParallelConfig& config, int64_t m, const StageTimes& per_chunk,
                                    double pipeline_s, double dp_exposed_s, double optimizer_s) {
  std::vector<TimelineEvent> out;
  for (const auto& e : pipeline_events(config.schedule, config.pp, m, config.vp, per_chunk)) {
    TimelineEvent event;
    event.stage = e.stage;
    event.name = std::string(1, e.kind) + std::to_string(e.micro_batch) +
                 (config.vp > 1 ? "." + std::to_string(e.chunk) : std::string());
    event.category = e.kind == 'F' ? "forward" : e.kind == 'B' ? "backward" : "weight_grad";
    event.start_s = e.start_s;
    event.end_s = e.end_s;
    out.push_back(std::move(event));
  }
  for (int64_t s = 0; s < config.pp; ++s) {
    if (dp_exposed_s > 0) out.push_back({s, "dp_sync", "dp_comm", pipeline_s, pipeline_s + dp_exposed_s});
    out.push_back({s, "optimizer", "optimizer", pipeline_s + dp_exposed_s, pipeline_s + dp_exposed_s + optimizer_s});
  }
  return out;
}

}  // namespace

TimeBand band_of(double iteration_time_s, const hardware::PredictionBand& band) {
  return {iteration_time_s * band.low_ratio, iteration_time_s * band.high_ratio, band};
}

Outcome<Prediction> predict(const model::Architecture& arch, const hardware::ClusterSpec& cluster,
                            const hardware::FrameworkSpec& framework, const ParallelConfig& config,
                            const PredictOptions& options) {
  if (auto why = check_layout(arch, config, cluster.num_gpus)) return *why;
  if (auto why = check_placement(arch, cluster, config)) return *why;
  if (auto why = check_gpu_support(cluster, config.dtype, config.attention)) return *why;
  const bool mixed = !config.stage_part.empty();
  std::optional<model::StepOperators> built;
  if (!options.step) built = model::build_step_operators(arch, config.step_config());
  const model::StepOperators& step = options.step ? *options.step : *built;
  const RooflineModel roofline(framework.fp8_casts_fused);
  const ComputeModel& compute = options.compute ? *options.compute : roofline;
  // The cluster each stage runs on: its part of a mixed cluster, else the cluster.
  auto stage_cluster = [&](size_t s) -> const hardware::ClusterSpec& {
    return mixed ? cluster.parts[static_cast<size_t>(config.stage_part[s])] : cluster;
  };

  // Per-operator costs on each kind of GPU in use.
  std::vector<PartCosts> costs(mixed ? cluster.parts.size() : 1);
  std::vector<bool> used(costs.size(), !mixed);
  for (int64_t part : config.stage_part) used[static_cast<size_t>(part)] = true;
  for (size_t k = 0; k < costs.size(); ++k) {
    if (used[k]) costs[k] = part_costs(step, config, mixed ? cluster.parts[k] : cluster, compute, arch, framework);
  }
  auto costs_of = [&](size_t s) -> const PartCosts& {
    return costs[mixed ? static_cast<size_t>(config.stage_part[s]) : 0];
  };

  // The slowest stage sets the pace of the pipeline.
  const auto stages = stage_contents(step, config, arch.tie_word_embeddings);
  Cost slowest;
  size_t slowest_index = 0;
  for (size_t s = 0; s < stages.size(); ++s) {
    const PartCosts& pc = costs_of(s);
    Cost stage;
    for (size_t k = 0; k < pc.kinds.size(); ++k) {
      stage.add(pc.kinds[k], static_cast<double>(stages[s].layers_of_kind[k]));
    }
    if (stages[s].has_embedding) stage.add(pc.embedding, 1.0);
    if (stages[s].has_head) stage.add(pc.head, 1.0);
    if (s == 0 || stage.total() > slowest.total()) {
      slowest = stage;
      slowest_index = s;
    }
  }
  const hardware::ClusterSpec& pace = stage_cluster(slowest_index);
  const Groups& groups = costs_of(slowest_index).groups;
  const hardware::GpuSpec& gpu = pace.gpu;

  // Pipeline composition.
  const int64_t m = config.micro_batches();
  const double v = static_cast<double>(config.vp);
  StageTimes per_chunk;
  per_chunk.forward_s = (slowest.forward_s + slowest.forward_comm_s + slowest.forward_host_s) / v;
  per_chunk.backward_s =
      (slowest.backward_s + slowest.recompute_s + slowest.backward_comm_s + slowest.backward_host_s) / v;
  per_chunk.weight_grad_s = slowest.weight_grad_s / v;
  if (config.pp > 1) per_chunk.p2p_s = p2p_time(arch, config, groups, cluster, pace, mixed);
  const PipelineTiming pipeline = pipeline_time(config.schedule, config.pp, m, config.vp, per_chunk, config.optimizer_post_validation);

  // Data-parallel synchronisation and the optimizer step of the slowest stage.
  const StageContent& stage = stages[slowest_index];
  const detail::DpSync sync =
      detail::dp_sync(stage, step, config, groups, pace, framework, slowest.forward_s,
                      slowest.backward_s + slowest.recompute_s);
  const double optimizer_s = optimizer_time(stage, config, gpu, framework);

  Prediction p;
  p.framework = framework.release.empty() ? framework.name : framework.name + " " + framework.release;
  p.micro_batches = m;
  p.iteration_time_s = pipeline.total_s + sync.exposed_s + optimizer_s;
  const double md = static_cast<double>(m);
  p.time.compute_s = md * (slowest.forward_s + slowest.backward_s);
  p.time.recompute_s = md * slowest.recompute_s;
  p.time.tp_comm_s = md * slowest.tp_s;
  p.time.cp_comm_s = md * slowest.cp_s;
  p.time.ep_comm_s = md * slowest.ep_s;
  p.time.pp_bubble_s = pipeline.bubble_s;
  p.time.pp_p2p_s = pipeline.p2p_exposed_s;
  p.time.dp_comm_s = sync.exposed_s;
  p.time.optimizer_s = optimizer_s;
  p.time.host_s = md * (slowest.forward_host_s + slowest.backward_host_s);
  p.bubble_fraction = pipeline.bubble_fraction;

  const model::OperatorTotals totals = model::step_totals(step);
  const double replicas = static_cast<double>(config.tp * config.cp);
  const double micro_batches_per_step = static_cast<double>(config.global_batch_size / config.micro_batch_size);
  p.model_flops_per_step = totals.model_flops() * replicas * micro_batches_per_step;
  // HFU counts what the kernels execute (causal attention skips its masked half, recompute
  // included), so it can never pass the peak; MFU keeps Megatron's dense convention.
  p.hardware_flops_per_step = totals.executed_flops * replicas * micro_batches_per_step;
  const double gpus = static_cast<double>(config.num_gpus());
  // MFU against the GPUs actually used: on a mixed cluster, the GPU-weighted mean peak.
  finish_metrics(p, static_cast<double>(config.global_batch_size * config.seq_len), gpus,
                 peak_flops_per_gpu(mixed ? cluster : pace, config.dtype, gpus));

  std::vector<double> stage_hbm;
  for (size_t s = 0; s < stages.size(); ++s) stage_hbm.push_back(stage_cluster(s).gpu.hbm_bytes);
  p.memory = memory_per_gpu(arch, step, config, gpu, framework, stage_hbm);
  if (options.band) p.band = band_of(p.iteration_time_s, *options.band);
  // Saturating: pp, vp and m are each bounded, their product need not be.
  const bool weight_grad = config.schedule == PipelineSchedule::kZeroBubbleH1 ||
                           config.schedule == PipelineSchedule::kZeroBubbleH2;
  const double events = static_cast<double>(config.pp) * static_cast<double>(config.vp) * static_cast<double>(m) *
                            (weight_grad ? 3.0 : 2.0) + 2.0 * static_cast<double>(config.pp);
  p.timeline_events = events > 9e18 ? INT64_MAX : static_cast<int64_t>(events);
  if (options.timeline && p.timeline_events <= limits::kMaxTimelineEvents) {
    p.timeline = timeline(config, m, per_chunk, pipeline.total_s, sync.exposed_s, optimizer_s);
  }
  return p;
}

}  // namespace perfplan::predictor
