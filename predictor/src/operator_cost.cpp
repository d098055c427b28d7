#include "operator_cost.hpp"

#include <algorithm>
#include <cmath>

namespace perfplan::predictor::detail {
namespace {

using model::CommGroup;
using model::Pass;

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

}  // namespace

Cost ops_cost(const std::vector<model::Operator>& ops, const ParallelConfig& c, const hardware::ClusterSpec& cluster,
              const Groups& groups, const ComputeModel& compute, const model::Architecture& arch,
              const hardware::FrameworkSpec& framework) {
  Cost cost;
  const bool full_recompute = c.recompute == model::Recompute::kFull;
  const bool fp8 = c.dtype == model::DType::kFp8;
  LaunchStream forward_stream, backward_stream;
  double overlapped_forward_ep = 0, overlapped_backward_ep = 0;
  double compute_s = 0;
  for (const model::Operator& op : ops) {
    OperatorTime t = compute.time(op, c.dtype, cluster.gpu);
    // Eager frameworks run norms, rotary embeddings and activations as chains of kernels.
    const bool elementwise_chain =
        op.kind == model::OpKind::kNorm || op.kind == model::OpKind::kRotary || op.kind == model::OpKind::kActivation;
    const double chain = elementwise_chain ? framework.eager_elementwise_factor : 1.0;
    t.forward_s *= chain;
    t.backward_s *= chain;
    // FP8 GEMMs quantise their input first: an amax reduction and a cast per GEMM (per expert
    // for grouped GEMMs), in backward for the output gradient too.
    const int gemms = op.gemm ? static_cast<int>(op.gemm->count) : 0;
    const int cast_kernels = (fp8 && op.fp8_capable) ? 2 * gemms : 0;
    const hardware::KernelCount kernels = framework.kernels(op.name, {op.forward_kernels, op.backward_kernels});
    forward_stream.host_s += framework.host_launch_s * (kernels.forward * chain + cast_kernels);
    backward_stream.host_s += framework.host_launch_s * (kernels.backward * chain + 2 * cast_kernels);
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
        if (fp8 && comm.token_dispatch) {
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
    if (op.host_sync) forward_stream.close(framework.host_sync_s);
  }
  const double overlapped_ep = overlapped_forward_ep + overlapped_backward_ep;
  if (overlapped_ep > 0) {
    // Megatron-Core's EP overlap runs one micro-batch's all-to-all while another micro-batch's
    // forward or backward computes (merged 1F1B), so up to the layer's computation is hidden.
    // While they overlap, the collective's SMs are taken from the GEMMs.
    const double hidden = std::min(overlapped_ep, compute_s);
    const int64_t comm_sms = framework.collective_sm_count;
    const double sm_share =
        static_cast<double>(comm_sms) / static_cast<double>(std::max<int64_t>(comm_sms, cluster.gpu.sm_count));
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

}  // namespace perfplan::predictor::detail
