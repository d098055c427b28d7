// Step composition: per-operator kernel and communication times -> per-stage micro-batch times
// -> pipeline schedule -> data-parallel synchronisation and optimizer -> iteration time.
#include "perfplan/predictor/predict.hpp"

#include <algorithm>
#include <cmath>

#include "perfplan/common/input_error.hpp"
#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/collectives.hpp"
#include "perfplan/predictor/stage_layout.hpp"

namespace perfplan::predictor {
namespace {

using model::CommGroup;
using model::Operator;
using model::Pass;

// Process groups of one layout, placed on the cluster's NVLink domains.
struct Groups {
  GroupPlacement tp, cp, ep, etp, dense_dp, expert_dp, pp;
};

Groups place_groups(const ParallelConfig& c, const hardware::ClusterSpec& cluster) {
  const int64_t domain = std::max<int64_t>(1, cluster.nvlink_domain_size);
  // Dense layers: the rank order without EP (EP is folded into the ranks of MoE layers).
  int64_t stride = 1;
  int64_t stride_of[5] = {1, 1, 1, 1, 1};
  for (Dim d : c.rank_order) {
    if (d == Dim::kEp) continue;
    stride_of[static_cast<int>(d)] = stride;
    const int64_t size = d == Dim::kTp ? c.tp : d == Dim::kCp ? c.cp : d == Dim::kDp ? c.dp : c.pp;
    stride *= size;
  }
  Groups g;
  g.tp = place_group(c.tp, stride_of[static_cast<int>(Dim::kTp)], domain);
  g.cp = place_group(c.cp, stride_of[static_cast<int>(Dim::kCp)], domain);
  g.pp = place_group(c.pp, stride_of[static_cast<int>(Dim::kPp)], domain);
  // Gradients of dense weights are reduced over DP x CP.
  const int64_t dp_stride = std::min(stride_of[static_cast<int>(Dim::kDp)],
                                     c.cp > 1 ? stride_of[static_cast<int>(Dim::kCp)] : stride_of[static_cast<int>(Dim::kDp)]);
  g.dense_dp = place_group(c.dense_dp_size(), dp_stride, domain);
  // Experts: ETP innermost, then EP, then expert data parallelism (Megatron-Core MoE folding).
  g.etp = place_group(c.etp, 1, domain);
  g.ep = place_group(c.ep, c.etp, domain);
  g.expert_dp = place_group(c.expert_dp_size(), c.ep * c.etp, domain);
  return g;
}

const GroupPlacement& group_of(const Groups& g, CommGroup group) {
  switch (group) {
    case CommGroup::kTp: return g.tp;
    case CommGroup::kCp: return g.cp;
    case CommGroup::kEp: return g.ep;
    case CommGroup::kEtp: return g.etp;
  }
  return g.tp;
}

// Per micro-batch costs of an operator list on one GPU.
struct Cost {
  double forward_s = 0;
  double backward_s = 0;
  double weight_grad_s = 0;
  double recompute_s = 0;
  double tp_s = 0;
  double cp_s = 0;
  double ep_s = 0;
  double forward_comm_s = 0;   // exposed collectives in the forward pass
  double backward_comm_s = 0;  // exposed collectives in backward (and the recomputed forward)
  double forward_host_s = 0;   // GPU idle waiting for the host's kernel launches
  double backward_host_s = 0;

  void add(const Cost& o, double times) {
    forward_host_s += times * o.forward_host_s;
    backward_host_s += times * o.backward_host_s;
    forward_comm_s += times * o.forward_comm_s;
    backward_comm_s += times * o.backward_comm_s;
    forward_s += times * o.forward_s;
    backward_s += times * o.backward_s;
    weight_grad_s += times * o.weight_grad_s;
    recompute_s += times * o.recompute_s;
    tp_s += times * o.tp_s;
    cp_s += times * o.cp_s;
    ep_s += times * o.ep_s;
  }
  double total() const {
    return forward_s + backward_s + recompute_s + forward_comm_s + backward_comm_s + forward_host_s + backward_host_s;
  }
};

// Node-aware dispatch sends a token once per destination node instead of once per expert:
// with k experts spread uniformly over N nodes, (N-1)(1 - (1 - 1/N)^k) remote nodes instead of
// k (N-1)/N remote copies.
double flex_dispatch_factor(int64_t experts_per_token, int64_t nodes) {
  if (nodes <= 1) return 1.0;
  const double n = static_cast<double>(nodes), k = static_cast<double>(experts_per_token);
  return n * (1.0 - std::pow(1.0 - 1.0 / n, k)) / k;
}

// Eager execution: the host enqueues kernels while the GPU runs earlier ones, so a stretch of
// work takes max(GPU time, host time); a host synchronisation ends a stretch.
struct LaunchStream {
  double gpu_s = 0;
  double host_s = 0;
  double stall_s = 0;  // accumulated max(0, host - gpu) of closed stretches
  void close(double sync_s) {
    stall_s += std::max(0.0, host_s - gpu_s) + sync_s;
    gpu_s = host_s = 0;
  }
};

Cost ops_cost(const std::vector<Operator>& ops, const ParallelConfig& c, const hardware::ClusterSpec& cluster,
              const Groups& groups, const ComputeModel& compute, const model::Architecture& arch,
              const PredictOptions& options) {
  Cost cost;
  const bool full_recompute = c.recompute == model::Recompute::kFull;
  const bool fp8 = c.dtype == model::DType::kFp8;
  LaunchStream forward_stream, backward_stream;
  double overlapped_forward_ep = 0, overlapped_backward_ep = 0;
  double compute_s = 0;
  for (const Operator& op : ops) {
    const OperatorTime t = compute.time(op, c.dtype, cluster.gpu);
    // FP8 GEMMs quantise their input first: an amax reduction and a cast per GEMM (per expert
    // for grouped GEMMs), in backward for the output gradient too.
    const int gemms = op.gemm ? static_cast<int>(op.gemm->count) : 0;
    const int cast_kernels = (fp8 && op.fp8_capable) ? 2 * gemms : 0;
    forward_stream.host_s += options.host_launch_s * (op.forward_kernels + cast_kernels);
    backward_stream.host_s += options.host_launch_s * (op.backward_kernels + 2 * cast_kernels);
    forward_stream.gpu_s += t.forward_s;
    backward_stream.gpu_s += t.backward_s + (op.recomputed ? t.forward_s : 0.0);
    compute_s += t.forward_s + t.backward_s + (op.recomputed ? t.forward_s : 0.0);
    cost.forward_s += t.forward_s;
    cost.backward_s += t.backward_s;
    cost.weight_grad_s += t.weight_grad_s;
    if (op.recomputed) cost.recompute_s += t.forward_s;
    for (const auto& comm : op.communication) {
      const GroupPlacement& group = group_of(groups, comm.group);
      double bytes = comm.bytes;
      if (comm.group == CommGroup::kEp && c.moe_dispatcher == MoeDispatcher::kFlex && arch.moe) {
        bytes *= flex_dispatch_factor(arch.moe->experts_per_token, group.nodes());
        // FP8 training dispatches FP8 tokens (combine stays in bf16).
        if (fp8 && op.kind == model::OpKind::kPermute && op.name == "token_dispatch" && comm.pass == Pass::kForward) {
          bytes *= 0.5;
        }
      }
      const double seconds = collective_time(comm.kind, bytes, group, cluster);
      const double own_compute = comm.pass == Pass::kForward ? t.forward_s : t.backward_s;
      // A forward collective of a recomputed layer runs again during backward.
      const bool rerun = comm.pass == Pass::kForward && op.recomputed && full_recompute;
      double exposed = seconds;
      switch (comm.group) {
        case CommGroup::kTp:
        case CommGroup::kEtp:
          // With --tp-comm-overlap the collective is pipelined with its own GEMM.
          if (c.overlap_tp_comm) exposed = std::max(0.0, seconds - own_compute);
          cost.tp_s += rerun ? 2.0 * exposed : exposed;
          break;
        case CommGroup::kCp:
          // The ring exchange runs beside the attention kernel of the previous chunk.
          exposed = std::max(0.0, seconds - own_compute);
          cost.cp_s += rerun ? 2.0 * exposed : exposed;
          break;
        case CommGroup::kEp:
          if (c.overlap_moe_comm) {
            // Hidden behind another micro-batch's computation; settled for the whole list below.
            (comm.pass == Pass::kForward ? overlapped_forward_ep : overlapped_backward_ep) += seconds;
            if (rerun) overlapped_backward_ep += seconds;
            continue;
          }
          cost.ep_s += rerun ? 2.0 * exposed : exposed;
          break;
      }
      (comm.pass == Pass::kForward ? cost.forward_comm_s : cost.backward_comm_s) += exposed;
      (comm.pass == Pass::kForward ? forward_stream.gpu_s : backward_stream.gpu_s) += exposed;
      if (rerun) {
        cost.backward_comm_s += exposed;
        backward_stream.gpu_s += exposed;
      }
    }
    if (op.host_sync) forward_stream.close(options.host_sync_s);
  }
  const double overlapped_ep = overlapped_forward_ep + overlapped_backward_ep;
  if (overlapped_ep > 0) {
    // Megatron-Core's EP overlap runs one micro-batch's all-to-all while another micro-batch's
    // forward or backward computes (merged 1F1B), so up to the layer's computation is hidden.
    // While they overlap, NCCL's ~16 SMs are taken from the GEMMs.
    const double hidden = std::min(overlapped_ep, compute_s);
    const double sm_share = 16.0 / static_cast<double>(std::max<int64_t>(16, cluster.gpu.sm_count));
    const double exposed = overlapped_ep - hidden + hidden * sm_share;
    const double forward_share = overlapped_forward_ep / overlapped_ep;
    cost.ep_s += exposed;
    cost.forward_comm_s += exposed * forward_share;
    cost.backward_comm_s += exposed * (1.0 - forward_share);
    forward_stream.gpu_s += exposed * forward_share;
    backward_stream.gpu_s += exposed * (1.0 - forward_share);
  }
  forward_stream.close(0.0);
  backward_stream.close(0.0);
  cost.forward_host_s = forward_stream.stall_s;
  cost.backward_host_s = backward_stream.stall_s;
  return cost;
}

}  // namespace

Prediction predict(const model::Architecture& arch, const hardware::ClusterSpec& cluster, const ParallelConfig& config,
                   const PredictOptions& options) {
  validate_layout(arch, config, cluster.num_gpus);
  const bool mixed = !config.stage_part.empty();
  if (mixed) {
    // Each stage runs on one homogeneous part; a part's GPUs are exactly its stages x tp x cp x dp.
    std::string problem;
    if (cluster.parts.empty()) problem = "stage parts are given but the cluster is homogeneous";
    else if (static_cast<int64_t>(config.stage_part.size()) != config.pp || config.vp != 1) {
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
    if (!problem.empty()) throw InputError("invalid heterogeneous placement for " + arch.name + ": " + problem);
  } else if (!cluster.parts.empty()) {
    throw InputError("a heterogeneous cluster needs a stage placement (ParallelConfig::stage_part)");
  }
  const model::StepOperators step = model::build_step_operators(arch, config.step_config());
  const RooflineModel roofline;
  const ComputeModel& compute = options.compute ? *options.compute : roofline;
  // The cluster each stage runs on: its part of a mixed cluster, else the cluster.
  auto stage_cluster = [&](size_t s) -> const hardware::ClusterSpec& {
    return mixed ? cluster.parts[static_cast<size_t>(config.stage_part[s])] : cluster;
  };

  // Per-micro-batch costs of every layer kind, embedding and head, on each kind of GPU in use.
  struct PartCosts {
    std::vector<Cost> kinds;
    Cost embedding, head;
    Groups groups;
  };
  std::vector<PartCosts> part_costs(mixed ? cluster.parts.size() : 1);
  std::vector<bool> used(part_costs.size(), !mixed);
  if (mixed) {
    for (int64_t part : config.stage_part) used[static_cast<size_t>(part)] = true;
  }
  for (size_t k = 0; k < part_costs.size(); ++k) {
    if (!used[k]) continue;
    const hardware::ClusterSpec& on = mixed ? cluster.parts[k] : cluster;
    PartCosts& pc = part_costs[k];
    pc.groups = place_groups(config, on);
    for (const auto& kind : step.layer_kinds) {
      pc.kinds.push_back(ops_cost(kind.ops, config, on, pc.groups, compute, arch, options));
    }
    pc.embedding = ops_cost(step.embedding, config, on, pc.groups, compute, arch, options);
    pc.head = ops_cost(step.head, config, on, pc.groups, compute, arch, options);
  }
  auto costs_of = [&](size_t s) -> const PartCosts& {
    return part_costs[mixed ? static_cast<size_t>(config.stage_part[s]) : 0];
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

  const int64_t m = config.micro_batches();
  const double v = static_cast<double>(config.vp);
  StageTimes per_chunk;
  per_chunk.forward_s = (slowest.forward_s + slowest.forward_comm_s + slowest.forward_host_s) / v;
  per_chunk.backward_s =
      (slowest.backward_s + slowest.recompute_s + slowest.backward_comm_s + slowest.backward_host_s) / v;
  per_chunk.weight_grad_s = slowest.weight_grad_s / v;
  if (config.pp > 1) {
    // One micro-batch's activations (b * s/cp * h, sharded by SP) cross each stage boundary.
    double bytes = static_cast<double>(config.micro_batch_size * config.seq_len / config.cp) *
                   static_cast<double>(arch.hidden_size) * model::activation_bytes_per_element(config.dtype);
    if (config.sequence_parallel) bytes /= static_cast<double>(config.tp);
    GroupPlacement pair = groups.pp;
    pair.size = 2;
    pair.ranks_per_node = std::min<int64_t>(groups.pp.ranks_per_node, 2);
    if (mixed) pair.ranks_per_node = 1;  // stage boundaries between parts cross the scale-out network
    per_chunk.p2p_s = collective_time(model::CommKind::kRingExchange, bytes, pair, mixed ? cluster : pace);
  }
  const PipelineTiming pipeline = pipeline_time(config.schedule, config.pp, m, config.vp, per_chunk);

  // Data-parallel synchronisation of the slowest stage's gradients (and parameters).
  const StageContent& stage = stages[slowest_index];
  const double g_bytes = gradient_bytes_per_parameter(config.dtype);
  const double w_bytes = weight_bytes_per_parameter(config.dtype);
  const bool sharded_optimizer = config.shards_optimizer();
  double grad_sync_s = 0;
  double param_gather_s = 0;
  // Megatron DDP reduces gradients in buckets of max(40M, 1M x DP) parameters; the bucket that
  // holds the last gradients computed can only start after backward ends (and the first
  // bucket's parameters must be gathered before forward starts).
  double last_bucket_grad_s = 0;
  double first_bucket_param_s = 0;
  auto sync = [&](double params, const GroupPlacement& group) {
    if (params <= 0 || group.size <= 1) return;
    const double bucket = std::min(params, std::max(40e6, 1e6 * static_cast<double>(group.size)));
    if (sharded_optimizer || config.zero_stage >= 2) {
      grad_sync_s += collective_time(model::CommKind::kReduceScatter, params * g_bytes, group, pace);
      param_gather_s += collective_time(model::CommKind::kAllGather, params * w_bytes, group, pace);
      last_bucket_grad_s = std::max(last_bucket_grad_s,
                                    collective_time(model::CommKind::kReduceScatter, bucket * g_bytes, group, pace));
      first_bucket_param_s = std::max(first_bucket_param_s,
                                      collective_time(model::CommKind::kAllGather, bucket * w_bytes, group, pace));
    } else {
      grad_sync_s += collective_time(model::CommKind::kAllReduce, params * g_bytes, group, pace);
      last_bucket_grad_s = std::max(last_bucket_grad_s,
                                    collective_time(model::CommKind::kAllReduce, bucket * g_bytes, group, pace));
    }
  };
  sync(stage.dense_parameters, groups.dense_dp);
  sync(stage.expert_parameters, groups.expert_dp);
  double dp_exposed = 0;
  const double backward_window = (slowest.backward_s + slowest.recompute_s);
  const double forward_window = slowest.forward_s;
  if (config.zero_stage >= 3) {
    // FSDP gathers every layer's weights in forward and again in backward of each micro-batch,
    // prefetched behind the previous layer's compute.
    const double per_micro_batch = 2.0 * param_gather_s + grad_sync_s;
    dp_exposed = static_cast<double>(m) * std::max(0.0, per_micro_batch - (forward_window + backward_window));
  } else {
    dp_exposed += config.overlap_grad_reduce ? std::max(last_bucket_grad_s, grad_sync_s - backward_window) : grad_sync_s;
    dp_exposed +=
        config.overlap_param_gather ? std::max(first_bucket_param_s, param_gather_s - forward_window) : param_gather_s;
  }

  // Adam: read fp32 gradient, master weight and two moments, write them back and the low-precision
  // copy; the gradient-norm clip reads the gradients once more: 34 bytes per local parameter.
  const double dense_shards = sharded_optimizer ? static_cast<double>(config.dense_dp_size()) : 1.0;
  const double expert_shards =
      sharded_optimizer ? static_cast<double>(config.expert_dp_size()) : 1.0;
  const double local_params = stage.dense_parameters / dense_shards + stage.expert_parameters / expert_shards;
  const double optimizer_s = memory_time(local_params * 34.0, gpu);

  Prediction p;
  p.micro_batches = m;
  p.iteration_time_s = pipeline.total_s + dp_exposed + optimizer_s;
  const double md = static_cast<double>(m);
  p.time.compute_s = md * (slowest.forward_s + slowest.backward_s);
  p.time.recompute_s = md * slowest.recompute_s;
  p.time.tp_comm_s = md * slowest.tp_s;
  p.time.cp_comm_s = md * slowest.cp_s;
  p.time.ep_comm_s = md * slowest.ep_s;
  p.time.pp_bubble_s = pipeline.bubble_s;
  p.time.pp_p2p_s = pipeline.p2p_exposed_s;
  p.time.dp_comm_s = dp_exposed;
  p.time.optimizer_s = optimizer_s;
  p.time.host_s = md * (slowest.forward_host_s + slowest.backward_host_s);
  p.bubble_fraction = pipeline.bubble_fraction;

  const model::OperatorTotals totals = model::step_totals(step);
  const double replicas = static_cast<double>(config.tp * config.cp);
  const double micro_batches_per_step = static_cast<double>(config.global_batch_size / config.micro_batch_size);
  p.model_flops_per_step = totals.model_flops() * replicas * micro_batches_per_step;
  p.hardware_flops_per_step = totals.hardware_flops() * replicas * micro_batches_per_step;
  const double gpus = static_cast<double>(config.num_gpus());
  const double tokens = static_cast<double>(config.global_batch_size * config.seq_len);
  p.tokens_per_s = tokens / p.iteration_time_s;
  p.tokens_per_s_per_gpu = p.tokens_per_s / gpus;
  p.model_tflops_per_gpu = p.model_flops_per_step / p.iteration_time_s / gpus / 1e12;
  // MFU against the GPUs actually used: on a mixed cluster, the GPU-weighted mean peak.
  double peak = gpu.peak_flops_per_s(config.dtype);
  if (mixed) {
    peak = 0;
    for (const auto& part : cluster.parts) {
      peak += part.gpu.peak_flops_per_s(config.dtype) * static_cast<double>(part.num_gpus) / gpus;
    }
  }
  p.mfu = p.model_flops_per_step / p.iteration_time_s / gpus / peak;
  p.hfu = p.hardware_flops_per_step / p.iteration_time_s / gpus / peak;
  std::vector<double> stage_hbm;
  for (size_t s = 0; s < stages.size(); ++s) stage_hbm.push_back(stage_cluster(s).gpu.hbm_bytes);
  p.memory = memory_per_gpu(arch, step, config, gpu, options.runtime_bytes, stage_hbm);

  if (options.timeline) {
    for (const auto& e : pipeline_events(config.schedule, config.pp, m, config.vp, per_chunk)) {
      TimelineEvent event;
      event.stage = e.stage;
      event.name = std::string(1, e.kind) + std::to_string(e.micro_batch) +
                   (config.vp > 1 ? "." + std::to_string(e.chunk) : std::string());
      event.category = e.kind == 'F' ? "forward" : e.kind == 'B' ? "backward" : "weight_grad";
      event.start_s = e.start_s;
      event.end_s = e.end_s;
      p.timeline.push_back(std::move(event));
    }
    const double end = pipeline.total_s;
    for (int64_t s = 0; s < config.pp; ++s) {
      if (dp_exposed > 0) p.timeline.push_back({s, "dp_sync", "dp_comm", end, end + dp_exposed});
      p.timeline.push_back({s, "optimizer", "optimizer", end + dp_exposed, end + dp_exposed + optimizer_s});
    }
  }
  return p;
}

}  // namespace perfplan::predictor
