#include "op_builder.hpp"

namespace perfplan::model::detail {

Shard make_shard(const Architecture& arch, const StepConfig& config) {
  Shard s{arch, config};
  s.tokens = static_cast<double>(config.micro_batch_size) * static_cast<double>(config.seq_len) /
             static_cast<double>(config.cp);
  s.replicated_tokens = config.sequence_parallel ? s.tokens / s.tp() : s.tokens;
  s.activation_bytes = activation_bytes_per_element(config.dtype);
  s.operand_bytes = bytes_per_element(config.dtype);
  s.vocab = static_cast<double>(padded_vocab_size(arch, config));
  return s;
}

Operator gemm_op(const std::string& name, const Shard& s, double m, double n, double k,
                 int64_t parameters, double saved_elements, int64_t count) {
  Operator op;
  op.name = name;
  op.kind = count > 1 ? OpKind::kGroupedGemm : OpKind::kGemm;
  op.gemm = GemmShape{static_cast<int64_t>(m), static_cast<int64_t>(n), static_cast<int64_t>(k), count};
  const double c = static_cast<double>(count);
  op.forward_flops = 2.0 * m * n * k * c;
  // Backward: the input gradient and the weight gradient, one GEMM of the same size each.
  op.backward_flops = 2.0 * op.forward_flops;
  // Inputs read at operand precision, output written at activation precision.
  op.forward_bytes = c * ((m * k + k * n) * s.operand_bytes + m * n * s.activation_bytes);
  op.backward_bytes = 2.0 * op.forward_bytes;
  op.parameters = parameters;
  op.fp8_capable = parameters > 0;
  // FP8 training keeps the FP8-quantised input of a Transformer Engine linear for its weight
  // gradient: one byte per element.
  const bool fp8_input = op.fp8_capable && s.config.dtype == DType::kFp8;
  op.activation_bytes = saved_elements * (fp8_input ? 1.0 : s.activation_bytes);
  op.forward_kernels = static_cast<int>(count);
  op.backward_kernels = static_cast<int>(2 * count);
  return op;
}

Operator elementwise_op(const std::string& name, OpKind kind, const Shard& s, double elements,
                        double flops_per_element, double inputs_per_element, double saved_bytes,
                        int64_t parameters) {
  Operator op;
  op.name = name;
  op.kind = kind;
  op.forward_flops = flops_per_element * elements;
  op.backward_flops = 2.0 * op.forward_flops;
  op.forward_bytes = (inputs_per_element + 1.0) * elements * s.activation_bytes;
  // Backward reads the output gradient and what was saved, writes the input gradients.
  op.backward_bytes = (2.0 * inputs_per_element + 1.0) * elements * s.activation_bytes;
  op.parameters = parameters;
  op.activation_bytes = saved_bytes;
  op.forward_kernels = 1;
  op.backward_kernels = 1;
  return op;
}

void keep_in_bf16(Operator& op, const Shard& s) {
  if (op.fp8_capable && s.config.dtype == DType::kFp8) op.activation_bytes *= s.activation_bytes;
  op.fp8_capable = false;
}

Operator norm_op(const std::string& name, const Shard& s, double rows, double width) {
  const bool layer_norm = s.arch.norm == NormKind::kLayerNorm;
  const auto params = static_cast<int64_t>(width) * (layer_norm && s.arch.norm_bias ? 2 : 1);
  // Backward needs the input; the per-row statistics are negligible and not counted, as in
  // Korthikanti et al. 2022.
  return elementwise_op(name, OpKind::kNorm, s, rows * width, layer_norm ? 8.0 : 4.0, 1.0,
                        rows * width * s.activation_bytes, params);
}

void add_tp_entry(Operator& op, const Shard& s, double width) {
  if (s.config.tp == 1) return;
  const double bytes = s.tokens * width * s.activation_bytes;
  const int64_t t = s.config.tp;
  if (s.config.sequence_parallel) {
    op.communication.push_back({CommKind::kAllGather, CommGroup::kTp, t, Pass::kForward, bytes});
    // Backward gathers the saved input shard again for the weight gradient and
    // reduce-scatters the input gradient (Korthikanti et al. 2022, Sec. 4.2.2).
    op.communication.push_back({CommKind::kAllGather, CommGroup::kTp, t, Pass::kBackward, bytes});
    op.communication.push_back({CommKind::kReduceScatter, CommGroup::kTp, t, Pass::kBackward, bytes});
  } else {
    op.communication.push_back({CommKind::kAllReduce, CommGroup::kTp, t, Pass::kBackward, bytes});
  }
}

void add_tp_exit(Operator& op, const Shard& s, double width) {
  if (s.config.tp == 1) return;
  const double bytes = s.tokens * width * s.activation_bytes;
  const int64_t t = s.config.tp;
  if (s.config.sequence_parallel) {
    op.communication.push_back({CommKind::kReduceScatter, CommGroup::kTp, t, Pass::kForward, bytes});
    op.communication.push_back({CommKind::kAllGather, CommGroup::kTp, t, Pass::kBackward, bytes});
  } else {
    op.communication.push_back({CommKind::kAllReduce, CommGroup::kTp, t, Pass::kForward, bytes});
  }
}

}  // namespace perfplan::model::detail
