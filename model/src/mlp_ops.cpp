// Dense MLP (GeLU or SwiGLU) and the mixture-of-experts block: router, token dispatch,
// grouped expert GEMMs, combine, shared experts.
#include <cmath>

#include "op_builder.hpp"

namespace perfplan::model::detail {
namespace {

double to_d(int64_t v) { return static_cast<double>(v); }
int64_t to_i(double v) { return static_cast<int64_t>(v + 0.5); }
bool gated(const Architecture& a) { return a.mlp_activation == MlpActivation::kSwiGlu; }

void add_expert_dispatch_comm(Operator& op, const Shard& s, double bytes, bool dispatch) {
  const auto& c = s.config;
  if (c.ep > 1) {
    op.communication.push_back({CommKind::kAllToAll, CommGroup::kEp, c.ep, Pass::kForward, bytes, dispatch});
    op.communication.push_back({CommKind::kAllToAll, CommGroup::kEp, c.ep, Pass::kBackward, bytes});
  }
  if (c.etp > 1) {
    // Tokens are gathered across the expert-TP group before the experts and reduce-scattered after.
    const double gathered = bytes * to_d(c.etp);
    op.communication.push_back({dispatch ? CommKind::kAllGather : CommKind::kReduceScatter,
                                CommGroup::kEtp, c.etp, Pass::kForward, gathered});
    op.communication.push_back({dispatch ? CommKind::kReduceScatter : CommKind::kAllGather,
                                CommGroup::kEtp, c.etp, Pass::kBackward, gathered});
  }
}

}  // namespace

std::vector<Operator> mlp_ops(const Shard& s, int64_t width, const std::string& prefix, bool save_input) {
  const Architecture& a = s.arch;
  const double T = s.tokens;
  const double Tr = s.replicated_tokens;
  const double h = to_d(a.hidden_size);
  const double w = to_d(width) / s.tp();
  const double act = s.activation_bytes;
  const double up_width = gated(a) ? 2.0 * w : w;
  std::vector<Operator> ops;

  Operator up = gemm_op(prefix + (gated(a) ? "gate_up_proj" : "fc1"), s, T, up_width, h,
                        to_i(h * up_width + (a.mlp_bias ? up_width : 0.0)), save_input ? Tr * h : 0.0);
  add_tp_entry(up, s, h);
  ops.push_back(up);
  if (gated(a)) {
    // silu(gate) * up keeps both halves of its input.
    ops.push_back(elementwise_op(prefix + "swiglu", OpKind::kActivation, s, T * w, 5.0, 2.0, 2.0 * T * w * act));
  } else if (a.mlp_activation == MlpActivation::kSquaredRelu) {
    // relu(x)^2: a compare and a multiply per element, its input kept.
    ops.push_back(elementwise_op(prefix + "relu2", OpKind::kActivation, s, T * w, 2.0, 1.0, T * w * act));
  } else {
    ops.push_back(elementwise_op(prefix + "gelu", OpKind::kActivation, s, T * w, 8.0, 1.0, T * w * act));
  }
  Operator down = gemm_op(prefix + (gated(a) ? "down_proj" : "fc2"), s, T, h, w,
                          to_i(w * h + (a.mlp_bias ? h : 0.0)), T * w);
  add_tp_exit(down, s, h);
  ops.push_back(down);
  return ops;
}

std::vector<Operator> moe_ops(const Shard& s) {
  const Architecture& a = s.arch;
  const MoeSpec& moe = *a.moe;
  const auto& c = s.config;
  // With SP each TP rank routes its own share of the tokens.
  const double Tm = s.replicated_tokens;
  const double h = to_d(a.hidden_size);
  const double E = to_d(moe.num_experts);
  const double k = to_d(moe.experts_per_token);
  const double local_experts = E / to_d(c.ep);
  const double f = to_d(moe.expert_intermediate_size) / to_d(c.etp);
  const double act = s.activation_bytes;
  const double up_width = gated(a) ? 2.0 * f : f;
  const double routed = Tm * k;  // token-expert assignments leaving this rank
  std::vector<Operator> ops;

  const double router_extra = (moe.router_bias ? E : 0.0) + (moe.router_score_correction_bias ? E : 0.0);
  Operator router = gemm_op("router", s, Tm, E, h, to_i(h * E + router_extra), Tm * h);
  keep_in_bf16(router, s);  // Megatron computes router logits in bf16/fp32
  ops.push_back(router);
  Operator topk = elementwise_op("router_topk", OpKind::kRouter, s, Tm * E, 6.0, 1.0, Tm * E * 4.0);
  // Score function, top-k, gathers and the auxiliary load-balancing loss terms: how many kernels
  // that takes is the framework's (hardware_specs/frameworks/*.json kernels_per_op).
  ops.push_back(topk);

  Operator dispatch = elementwise_op("token_dispatch", OpKind::kPermute, s, routed * h, 0.0, 1.0,
                                     routed * 4.0);  // int32 routing map
  add_expert_dispatch_comm(dispatch, s, routed * h * act, true);
  // Histogram of tokens per expert, exchange of the counts, permutation indices, gather (kernel
  // counts: the framework's).
  dispatch.host_sync = true;
  ops.push_back(dispatch);

  // Balanced split: the EP x ETP group's assignments spread evenly over the experts, padded by
  // the capacity factor.
  const double per_expert = std::ceil(c.capacity_factor * routed * to_d(c.ep) * to_d(c.etp) / E);
  const double expert_tokens = per_expert * local_experts;
  Operator fc1 = gemm_op("experts_fc1", s, per_expert, up_width, h,
                         to_i(local_experts * (h * up_width + (moe.expert_bias ? up_width : 0.0))),
                         expert_tokens * h, to_i(local_experts));
  fc1.kind = OpKind::kGroupedGemm;  // expert weights, even when a rank holds a single expert
  fc1.active_fraction = k / E;
  ops.push_back(fc1);
  ops.push_back(elementwise_op(gated(a) ? "experts_swiglu" : "experts_gelu", OpKind::kActivation, s,
                               expert_tokens * f, gated(a) ? 5.0 : 8.0, gated(a) ? 2.0 : 1.0,
                               expert_tokens * up_width * act));
  Operator fc2 = gemm_op("experts_fc2", s, per_expert, h, f,
                         to_i(local_experts * (f * h + (moe.expert_bias ? h : 0.0))), expert_tokens * f,
                         to_i(local_experts));
  fc2.kind = OpKind::kGroupedGemm;
  fc2.active_fraction = k / E;
  ops.push_back(fc2);

  // Weighted sum of each token's expert outputs; their values are kept for the routing
  // weights' gradient.
  Operator combine = elementwise_op("token_combine", OpKind::kPermute, s, routed * h, 2.0, 1.0, routed * h * act);
  add_expert_dispatch_comm(combine, s, routed * h * act, false);
  ops.push_back(combine);

  if (moe.shared_expert_intermediate_size > 0) {
    // Shared experts are a TP-sharded MLP over the same (already kept) normalised input.
    auto shared = mlp_ops(s, moe.shared_expert_intermediate_size, "shared_expert_", false);
    ops.insert(ops.end(), shared.begin(), shared.end());
    if (moe.shared_expert_gate) {
      ops.push_back(elementwise_op("shared_expert_gate", OpKind::kElementwise, s, Tm * h, 2.0, 1.0, 0.0,
                                   to_i(h)));
    }
  }
  return ops;
}

}  // namespace perfplan::model::detail
