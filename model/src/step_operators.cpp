#include "perfplan/model/step_operators.hpp"

#include <algorithm>

#include "op_builder.hpp"

namespace perfplan::model {
namespace {

using detail::Shard;

std::vector<Operator> residual_tail(const Shard& s, const std::string& block) {
  std::vector<Operator> ops;
  const double elements = s.replicated_tokens * static_cast<double>(s.arch.hidden_size);
  if (s.arch.hidden_dropout > 0.0) {
    ops.push_back(detail::elementwise_op(block + "_dropout", OpKind::kDropout, s, elements, 2.0, 1.0, elements));
  }
  ops.push_back(detail::elementwise_op(block + "_residual", OpKind::kElementwise, s, elements, 1.0, 2.0, 0.0));
  return ops;
}

LayerOperators build_layer(const Shard& s, int64_t index, bool moe) {
  LayerOperators layer;
  layer.first_index = index;
  layer.count = 1;
  layer.moe = moe;
  layer.sliding_window = s.arch.uses_sliding_window(index);
  layer.ops = detail::attention_ops(s, index);
  auto append = [&](std::vector<Operator> more) {
    layer.ops.insert(layer.ops.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  };
  append({detail::norm_op("post_attention_norm", s, s.replicated_tokens, static_cast<double>(s.arch.hidden_size))});
  append(moe ? detail::moe_ops(s) : detail::mlp_ops(s, s.arch.intermediate_size, "", true));
  append(residual_tail(s, "mlp"));

  if (s.config.recompute == Recompute::kFull) {
    // Only the layer's input is kept; everything else is recomputed in backward
    // (Korthikanti et al. 2022, Sec. 5: 2sbh per layer, 2sbh/t with SP).
    for (auto& op : layer.ops) {
      op.activation_bytes = 0;
      op.recomputed = true;
    }
    layer.ops.front().activation_bytes =
        s.replicated_tokens * static_cast<double>(s.arch.hidden_size) * s.activation_bytes;
    // A remat policy that saves some operators' outputs: they run once, and their outputs are
    // kept (GEMM outputs: m x n per GEMM, in the activation dtype; others: the next op's input).
    const auto& keep = s.config.recompute_keep;
    for (size_t i = 0; i < layer.ops.size(); ++i) {
      Operator& op = layer.ops[i];
      if (std::find(keep.begin(), keep.end(), op.name) == keep.end()) continue;
      op.recomputed = false;
      if (op.gemm) {
        op.activation_bytes = static_cast<double>(op.gemm->m) * static_cast<double>(op.gemm->n) *
                              static_cast<double>(op.gemm->count) * s.activation_bytes;
      }
    }
  }
  return layer;
}

}  // namespace

StepOperators build_step_operators(const Architecture& arch, const StepConfig& config) {
  validate_sharding(arch, config);
  const Shard s = detail::make_shard(arch, config);
  StepOperators step;
  step.model_name = arch.name;
  step.config = config;
  step.embedding = detail::embedding_ops(s);
  step.layer_kind.reserve(static_cast<size_t>(arch.num_layers));
  for (int64_t l = 0; l < arch.num_layers; ++l) {
    const bool moe = arch.is_moe_layer(l);
    const bool sliding = arch.uses_sliding_window(l);
    size_t kind = 0;
    while (kind < step.layer_kinds.size() &&
           (step.layer_kinds[kind].moe != moe || step.layer_kinds[kind].sliding_window != sliding)) {
      ++kind;
    }
    if (kind == step.layer_kinds.size()) {
      step.layer_kinds.push_back(build_layer(s, l, moe));
    } else {
      step.layer_kinds[kind].count += 1;
    }
    step.layer_kind.push_back(static_cast<int32_t>(kind));
  }
  step.head = detail::head_ops(s);
  for (int64_t m = 0; m < arch.num_mtp_layers; ++m) {
    // An MTP module: its entry projection, one transformer layer (MoE when the model's last
    // layer is) and the shared output head.
    LayerOperators module = build_layer(s, arch.num_layers + m, arch.is_moe_layer(arch.num_layers - 1));
    auto entry = detail::mtp_entry_ops(s);
    module.ops.insert(module.ops.begin(), entry.begin(), entry.end());
    for (Operator op : detail::head_ops(s)) {
      if (op.name == "lm_head") op.parameters = 0;  // shared with the main model's head
      op.name = "mtp_" + op.name;
      module.ops.push_back(op);
    }
    step.mtp.push_back(std::move(module));
  }
  return step;
}

void OperatorTotals::add(const Operator& op) {
  forward_flops += op.forward_flops;
  backward_flops += op.backward_flops;
  const double recompute = op.recomputed ? op.forward_flops : 0.0;
  recompute_flops += recompute;
  executed_flops += (op.forward_flops + op.backward_flops + recompute) * op.executed_fraction;
  forward_bytes += op.forward_bytes;
  backward_bytes += op.backward_bytes;
  parameters += static_cast<double>(op.parameters);
  active_parameters += static_cast<double>(op.parameters) * op.active_fraction;
  activation_bytes += op.activation_bytes;
  for (const auto& comm : op.communication) communication_bytes += comm.bytes;
  operator_count += 1;
}

void OperatorTotals::add(const OperatorTotals& o, double times) {
  forward_flops += times * o.forward_flops;
  backward_flops += times * o.backward_flops;
  recompute_flops += times * o.recompute_flops;
  executed_flops += times * o.executed_flops;
  forward_bytes += times * o.forward_bytes;
  backward_bytes += times * o.backward_bytes;
  parameters += times * o.parameters;
  active_parameters += times * o.active_parameters;
  activation_bytes += times * o.activation_bytes;
  communication_bytes += times * o.communication_bytes;
  operator_count += static_cast<int64_t>(times) * o.operator_count;
}

OperatorTotals totals(const std::vector<Operator>& ops) {
  OperatorTotals t;
  for (const auto& op : ops) t.add(op);
  return t;
}

OperatorTotals totals(const LayerOperators& layer) { return totals(layer.ops); }

OperatorTotals step_totals(const StepOperators& step) {
  OperatorTotals t = totals(step.embedding);
  for (const auto& kind : step.layer_kinds) t.add(totals(kind), static_cast<double>(kind.count));
  t.add(totals(step.head));
  return t;
}

OperatorTotals mtp_totals(const StepOperators& step) {
  OperatorTotals t;
  for (const auto& module : step.mtp) t.add(totals(module), static_cast<double>(module.count));
  return t;
}

}  // namespace perfplan::model
