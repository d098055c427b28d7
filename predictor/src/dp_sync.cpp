#include "dp_sync.hpp"

#include <algorithm>

#include "perfplan/predictor/memory.hpp"

namespace perfplan::predictor::detail {

namespace {

// DeepSpeed ZeRO-3 before 0.6 (framework zero3.granularity "tensor"): every parameter tensor of
// the stage is gathered on its own in forward and again in backward (those below the
// persistence threshold stay resident) and its gradient reduce-scattered on its own, each
// collective after a torch.cuda.synchronize(), so none overlaps compute (DeepSpeed v0.3.13-v0.5.x
// runtime/zero/partition_parameters.py _allgather_param and _reduce_scatter_gradients; PR #1188).
// Each collective is a flat NCCL ring over the whole group, (n-1) latencies, and PyTorch's
// list-style all_gather / reduce_scatter copies one buffer per rank, a kernel each.
double per_tensor_zero3_s(const StageContent& stage, const model::StepOperators& step, const GroupPlacement& group,
                          const hardware::ClusterSpec& pace, const hardware::FrameworkSpec& framework,
                          double param_gather_s, double grad_sync_s) {
  double gathers = 0, reductions = 0;
  const auto count = [&](const std::vector<model::Operator>& ops, double n) {
    for (const auto& op : ops) {
      if (op.parameters <= 0) continue;
      reductions += n;
      if (static_cast<double>(op.parameters) >= framework.zero3.persistence_threshold) gathers += n;
    }
  };
  for (size_t k = 0; k < step.layer_kinds.size() && k < stage.layers_of_kind.size(); ++k) {
    count(step.layer_kinds[k].ops, static_cast<double>(stage.layers_of_kind[k]));
  }
  if (stage.has_embedding) count(step.embedding, 1.0);
  if (stage.has_head) count(step.head, 1.0);
  const double ranks = static_cast<double>(group.size);
  const double latency = group.nodes() > 1 ? pace.inter_node.latency_s : pace.intra_node.latency_s;
  const double per_collective = (ranks - 1.0) * latency + (framework.zero3.list_copies ? ranks * pace.gpu.kernel_launch_s : 0.0);
  return 2.0 * param_gather_s + grad_sync_s + (2.0 * gathers + reductions) * per_collective;
}

}  // namespace

DpSync dp_sync(const StageContent& stage, const model::StepOperators& step, const ParallelConfig& config,
               const Groups& groups,
               const hardware::ClusterSpec& pace, const hardware::FrameworkSpec& framework, double forward_window_s,
               double backward_window_s) {
  const double g_bytes = gradient_bytes_per_parameter(config.dtype);
  const double w_bytes = weight_bytes_per_parameter(config.dtype);
  const bool sharded_optimizer = config.shards_optimizer();
  double grad_sync_s = 0;
  double param_gather_s = 0;
  // The framework reduces gradients in buckets (Megatron DDP: max(40M, 1M x DP) parameters); the bucket that
  // holds the last gradients computed can only start after backward ends (and the first
  // bucket's parameters must be gathered before forward starts).
  double last_bucket_grad_s = 0;
  double first_bucket_param_s = 0;
  auto sync = [&](double params, const GroupPlacement& whole, const GroupPlacement& group,
                  const GroupPlacement& replicas) {
    if (params <= 0 || whole.size <= 1) return;
    const double bucket = std::min(params, framework.dp_bucket_params(whole.size));
    if (sharded_optimizer && replicas.size > 1) {
      // HSDP: reduce-scatter and gather within the copy, then the copies all-reduce their shards.
      const double shard = 1.0 / static_cast<double>(std::max<int64_t>(1, group.size));
      const double across = collective_time(model::CommKind::kAllReduce, params * shard * g_bytes, replicas, pace);
      grad_sync_s += collective_time(model::CommKind::kReduceScatter, params * g_bytes, group, pace) + across;
      param_gather_s += collective_time(model::CommKind::kAllGather, params * w_bytes, group, pace);
      last_bucket_grad_s = std::max(
          last_bucket_grad_s, collective_time(model::CommKind::kReduceScatter, bucket * g_bytes, group, pace) +
                                  collective_time(model::CommKind::kAllReduce, bucket * shard * g_bytes, replicas, pace));
      first_bucket_param_s = std::max(first_bucket_param_s,
                                      collective_time(model::CommKind::kAllGather, bucket * w_bytes, group, pace));
    } else if (sharded_optimizer || config.zero_stage >= 2) {
      grad_sync_s += collective_time(model::CommKind::kReduceScatter, params * g_bytes, whole, pace);
      param_gather_s += collective_time(model::CommKind::kAllGather, params * w_bytes, whole, pace);
      last_bucket_grad_s = std::max(last_bucket_grad_s,
                                    collective_time(model::CommKind::kReduceScatter, bucket * g_bytes, whole, pace));
      first_bucket_param_s = std::max(first_bucket_param_s,
                                      collective_time(model::CommKind::kAllGather, bucket * w_bytes, whole, pace));
    } else {
      grad_sync_s += collective_time(model::CommKind::kAllReduce, params * g_bytes, whole, pace);
      last_bucket_grad_s = std::max(last_bucket_grad_s,
                                    collective_time(model::CommKind::kAllReduce, bucket * g_bytes, whole, pace));
    }
  };
  sync(stage.dense_parameters, groups.dense_dp, groups.dense_shard, groups.dense_replica);
  sync(stage.expert_parameters, groups.expert_dp, groups.expert_shard, groups.expert_replica);
  double dp_exposed = 0;
  const double backward_window = backward_window_s;
  const double forward_window = forward_window_s;
  if (config.zero_stage >= 3 && framework.zero3.per_tensor) {
    dp_exposed = static_cast<double>(config.micro_batches()) *
                 per_tensor_zero3_s(stage, step, groups.dense_dp, pace, framework, param_gather_s, grad_sync_s);
  } else if (config.zero_stage >= 3) {
    // FSDP / ZeRO-3 per unit (one transformer layer), every micro-batch: in forward the
    // all-gather of unit i+1 runs behind the compute of unit i; in backward the re-gather of
    // unit i-1 and the reduce-scatter of unit i+1's gradients run behind unit i's backward
    // (PyTorch FSDP docs: forward/backward prefetch; DeepSpeed ZeRO-3 prefetch). The first
    // gather of each pass and the last reduce-scatter have nothing to hide behind, and a unit
    // whose communication outlasts its compute exposes the rest. While they overlap, the
    // collectives hold the framework's SMs, taken from the GEMMs.
    const double units = std::max<double>(1.0, static_cast<double>(stage.num_layers));
    const double g = param_gather_s / units, r = grad_sync_s / units;
    const double f = forward_window / units, b = backward_window / units;
    const double exposed_forward = g + (units - 1.0) * std::max(0.0, g - f);
    const double exposed_backward = g + r + (units - 1.0) * std::max(0.0, g + r - b);
    const double overlapped = (units - 1.0) * (std::min(g, f) + std::min(g + r, b));
    const double sms = static_cast<double>(std::max<int64_t>(1, pace.gpu.sm_count));
    const double sm_share = std::min(1.0, static_cast<double>(framework.collective_sm_count) / sms);
    dp_exposed = static_cast<double>(config.micro_batches()) * (exposed_forward + exposed_backward + overlapped * sm_share);
  } else {
    // Overlap where the run asks for it and the framework can do it.
    const bool overlap_grad = config.overlap_grad_reduce && framework.dp_overlap_grad_reduce;
    const bool overlap_param = config.overlap_param_gather && framework.dp_overlap_param_gather;
    // ZeRO-2 keeps only its gradient shard, so every micro-batch's backward reduce-scatters the
    // gradients (DeepSpeed ZeRO-2 reduces per micro-batch; Megatron-FSDP optim_grads and FSDP
    // SHARD_GRAD_OP reduce-scatter in each backward); the others reduce once per step.
    const double reductions = config.zero_stage == 2 ? static_cast<double>(std::max<int64_t>(1, config.micro_batches())) : 1.0;
    grad_sync_s *= reductions;
    const double per_reduction = grad_sync_s / reductions;
    dp_exposed += reductions * (overlap_grad ? std::max(last_bucket_grad_s, per_reduction - backward_window) : per_reduction);
    dp_exposed += overlap_param ? std::max(first_bucket_param_s, param_gather_s - forward_window) : param_gather_s;
  }

  return {grad_sync_s, param_gather_s, dp_exposed};
}

}  // namespace perfplan::predictor::detail
