#pragma once
// Building blocks shared by the attention, MLP, MoE and embedding operator lists (private).
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/operator.hpp"
#include "perfplan/model/step_config.hpp"

namespace perfplan::model::detail {

// The per-GPU sizes every builder needs.
struct Shard {
  const Architecture& arch;
  const StepConfig& config;
  double tokens = 0;             // micro-batch tokens on this CP rank (b * s / cp)
  double replicated_tokens = 0;  // tokens in the regions outside TP: tokens / tp with SP
  double activation_bytes = 2;   // bytes per saved activation element
  double operand_bytes = 2;      // bytes per GEMM operand element
  double vocab = 0;              // padded vocabulary
  // The TP degree as a factor (the layout itself is config, held once).
  double tp() const { return static_cast<double>(config.tp); }
};

Shard make_shard(const Architecture& arch, const StepConfig& config);

// A GEMM of m x k by k x n (`count` times), holding `parameters` weights (+ biases) and keeping
// `saved_elements` of its input for the backward pass.
Operator gemm_op(const std::string& name, const Shard& s, double m, double n, double k,
                 int64_t parameters, double saved_elements, int64_t count = 1);

// Marks a weight GEMM that stays in bf16 under FP8 training (its saved input is bf16 too).
void keep_in_bf16(Operator& op, const Shard& s);

// A memory-bound operator over `elements` outputs reading `inputs_per_element` tensors of the
// same size; `saved_bytes` are kept for backward.
Operator elementwise_op(const std::string& name, OpKind kind, const Shard& s, double elements,
                        double flops_per_element, double inputs_per_element, double saved_bytes,
                        int64_t parameters = 0);

// LayerNorm or RMSNorm over `rows` vectors of `width`; keeps its input for backward.
Operator norm_op(const std::string& name, const Shard& s, double rows, double width);

// Column-parallel entry into a TP region (Megatron's f / g operators with SP): the input of
// `op` is all-gathered (SP) or its gradient all-reduced (no SP).
void add_tp_entry(Operator& op, const Shard& s, double width);
// Row-parallel exit: the output is reduce-scattered (SP) or all-reduced (no SP).
void add_tp_exit(Operator& op, const Shard& s, double width);

std::vector<Operator> attention_ops(const Shard& s, int64_t layer);
// A dense MLP of `width` (before TP) named with `prefix`; `save_input` false when another
// operator already keeps the same input tensor.
std::vector<Operator> mlp_ops(const Shard& s, int64_t width, const std::string& prefix, bool save_input);
std::vector<Operator> moe_ops(const Shard& s);
std::vector<Operator> embedding_ops(const Shard& s);
std::vector<Operator> head_ops(const Shard& s);
// DeepSeek MTP: the norms and projection that join the next token's embedding to the hidden state.
std::vector<Operator> mtp_entry_ops(const Shard& s);

}  // namespace perfplan::model::detail
