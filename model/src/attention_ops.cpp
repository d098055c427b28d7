// Attention block: norm, projections (MHA / GQA / MLA), rotary, the attention core, output
// projection, dropout and residual. Activation bytes follow Korthikanti et al. 2022, Sec. 4.1.
#include <algorithm>

#include "op_builder.hpp"

namespace perfplan::model::detail {
namespace {

double to_d(int64_t v) { return static_cast<double>(v); }
int64_t to_i(double v) { return static_cast<int64_t>(v + 0.5); }

// Keys each query attends to, under the dense convention (full s x s), and the fraction of that
// a causal kernel executes.
struct KeySpan {
  double keys;
  double executed_fraction;
};

KeySpan key_span(const Shard& s, int64_t layer) {
  const double seq = to_d(s.config.seq_len);
  if (s.arch.uses_sliding_window(layer) && s.arch.sliding_window < s.config.seq_len) {
    const double w = to_d(s.arch.sliding_window);
    // Query i sees min(i + 1, w) keys: sum = w*s - w(w-1)/2 over s*w.
    return {w, 1.0 - (w - 1.0) / (2.0 * seq)};
  }
  // Causal: query i sees i + 1 keys, s(s+1)/2 of s^2.
  return {seq, (seq + 1.0) / (2.0 * seq)};
}

void add_cp_ring(Operator& op, const Shard& s, double kv_elements) {
  if (s.config.cp == 1) return;
  const double chunk = kv_elements * s.activation_bytes;
  const double steps = to_d(s.config.cp - 1);
  const int64_t cp = s.config.cp;
  // Forward passes every other rank's K,V chunk around the ring; backward passes K,V and dK,dV.
  op.communication.push_back({CommKind::kRingExchange, CommGroup::kCp, cp, Pass::kForward, steps * chunk});
  op.communication.push_back({CommKind::kRingExchange, CommGroup::kCp, cp, Pass::kBackward, 2.0 * steps * chunk});
}

// The attention core on `heads` query heads and `kv_heads` key/value heads of this GPU.
void append_core(std::vector<Operator>& ops, const Shard& s, int64_t layer, double heads,
                 double kv_heads) {
  const double T = s.tokens;
  const double dqk = to_d(s.arch.qk_head_dim());
  const double dv = to_d(s.arch.v_head_dim());
  const double act = s.activation_bytes;
  const bool selective = s.config.recompute == Recompute::kSelective;
  const KeySpan span = key_span(s, layer);
  const double q_elements = T * heads * dqk;
  const double k_elements = T * kv_heads * dqk;
  const double v_elements = T * kv_heads * dv;
  const double o_elements = T * heads * dv;

  if (s.config.attention != AttentionKernel::kUnfused) {
    Operator op;
    op.name = "attention";
    op.kind = OpKind::kAttention;
    op.forward_flops = 2.0 * T * span.keys * heads * (dqk + dv);
    op.backward_flops = 2.0 * op.forward_flops;
    op.executed_fraction = span.executed_fraction;
    op.forward_bytes = (q_elements + k_elements + v_elements + o_elements) * act;
    op.backward_bytes = 2.0 * op.forward_bytes + o_elements * act;
    op.parameters = s.arch.attention_sinks ? to_i(heads) : 0;
    const double log_sum_exp = T * heads * 4.0;  // fp32 softmax statistics per query and head
    op.activation_bytes = (q_elements + k_elements + v_elements) * act + (selective ? 0.0 : log_sum_exp);
    op.recomputed = selective;
    op.forward_kernels = 1;
    op.backward_kernels = 3;  // preprocess (dO . O), main kernel, dQ conversion
    op.attention = AttentionShape{s.config.micro_batch_size, to_i(heads), to_i(T / to_d(s.config.micro_batch_size)),
                                  to_i(dqk), true, s.config.attention};
    add_cp_ring(op, s, k_elements + v_elements);
    ops.push_back(op);
    if (s.config.cp > 1) {
      // Ring attention merges each of the cp partial results into the running output with its
      // log-sum-exp: per step read the fp32 output and the bf16 partial, write the fp32 output
      // (10 bytes per element); backward accumulates dQ in fp32 the same way.
      const double steps = to_d(s.config.cp - 1);
      Operator merge = elementwise_op("cp_partial_merge", OpKind::kElementwise, s, o_elements, 4.0, 1.0, 0.0);
      merge.forward_bytes = steps * 10.0 * o_elements;
      merge.backward_bytes = steps * 10.0 * q_elements;
      merge.forward_kernels = static_cast<int>(s.config.cp - 1);
      merge.backward_kernels = static_cast<int>(s.config.cp - 1);
      merge.recomputed = selective;
      ops.push_back(merge);
    }
    return;
  }

  // Unfused (Megatron before FlashAttention): the scores are materialised.
  const double batch = to_d(s.config.micro_batch_size) * heads;
  const double s_q = T / to_d(s.config.micro_batch_size);
  const double score_elements = T * heads * span.keys;
  const bool dropout = s.arch.attention_dropout > 0.0;

  Operator scores = gemm_op("attention_scores", s, s_q, span.keys, dqk, 0, 0.0, to_i(batch));
  scores.kind = OpKind::kBatchedGemm;
  scores.activation_bytes = (q_elements + k_elements) * act;  // Q and K
  scores.recomputed = selective;
  ops.push_back(scores);

  Operator softmax = elementwise_op("softmax", OpKind::kSoftmax, s, score_elements, 5.0, 1.0,
                                    selective ? 0.0 : score_elements * act);
  softmax.recomputed = selective;
  ops.push_back(softmax);

  if (dropout) {
    Operator drop = elementwise_op("attention_dropout", OpKind::kDropout, s, score_elements, 2.0, 1.0,
                                   selective ? 0.0 : score_elements * 1.0);  // 1-byte mask
    drop.recomputed = selective;
    ops.push_back(drop);
  }

  Operator context = gemm_op("attention_context", s, s_q, dv, span.keys, 0, 0.0, to_i(batch));
  context.kind = OpKind::kBatchedGemm;
  // V, and the dropout output (without dropout it is the softmax output, already kept).
  context.activation_bytes = v_elements * act + ((dropout && !selective) ? score_elements * act : 0.0);
  context.recomputed = selective;
  ops.push_back(context);
}

void append_mla_projections(std::vector<Operator>& ops, const Shard& s, double heads) {
  const MlaSpec& mla = *s.arch.mla;
  const double T = s.tokens;
  const double Tr = s.replicated_tokens;
  const double h = to_d(s.arch.hidden_size);
  const double dqk = to_d(s.arch.qk_head_dim());
  const double dv = to_d(mla.v_head_dim);
  const double q_rank = to_d(mla.q_lora_rank);
  const double kv_rank = to_d(mla.kv_lora_rank);
  const double rope = to_d(mla.qk_rope_head_dim);
  const double nope = to_d(mla.qk_nope_head_dim);

  // Down-projections are replicated across TP ranks (Megatron-Core MLA); they read the
  // gathered hidden state.
  if (mla.q_lora_rank > 0) {
    Operator q_down = gemm_op("q_down_proj", s, T, q_rank, h, to_i(h * q_rank), Tr * h);
    add_tp_entry(q_down, s, h);
    ops.push_back(q_down);
    ops.push_back(norm_op("q_norm", s, T, q_rank));
    ops.push_back(gemm_op("q_up_proj", s, T, heads * dqk, q_rank, to_i(q_rank * heads * dqk), T * q_rank));
  } else {
    Operator q_proj = gemm_op("q_proj", s, T, heads * dqk, h, to_i(h * heads * dqk), Tr * h);
    add_tp_entry(q_proj, s, h);
    ops.push_back(q_proj);
  }
  // The K,V down-projection shares its input with the query path: kept once.
  ops.push_back(gemm_op("kv_down_proj", s, T, kv_rank + rope, h, to_i(h * (kv_rank + rope)),
                        0.0));
  ops.push_back(norm_op("kv_norm", s, T, kv_rank));
  ops.push_back(gemm_op("kv_up_proj", s, T, heads * (nope + dv), kv_rank,
                        to_i(kv_rank * heads * (nope + dv)), T * kv_rank));
  ops.push_back(elementwise_op("rotary", OpKind::kRotary, s, T * (heads + 1.0) * rope, 3.0, 1.0, 0.0));
}

}  // namespace

std::vector<Operator> attention_ops(const Shard& s, int64_t layer) {
  const Architecture& a = s.arch;
  const double T = s.tokens;
  const double Tr = s.replicated_tokens;
  const double h = to_d(a.hidden_size);
  const double heads = to_d(a.num_attention_heads) / s.tp();
  const double kv_heads = a.mla ? heads : to_d(a.num_kv_heads) / s.tp();
  const double dqk = to_d(a.qk_head_dim());
  const double dv = to_d(a.v_head_dim());
  std::vector<Operator> ops;
  ops.push_back(norm_op("input_norm", s, Tr, h));

  if (a.mla) {
    append_mla_projections(ops, s, heads);
  } else {
    const double width = heads * dqk + kv_heads * (dqk + dv);
    const double bias = a.attention_bias ? width : 0.0;
    Operator qkv = gemm_op("qkv_proj", s, T, width, h, to_i(h * width + bias), Tr * h);
    add_tp_entry(qkv, s, h);
    ops.push_back(qkv);
    if (a.qk_norm) {
      Operator qk_norm = norm_op("qk_norm", s, T * (heads + kv_heads), dqk);
      qk_norm.parameters = to_i(2.0 * dqk);
      ops.push_back(qk_norm);
    }
    if (a.positions == PositionEncoding::kRotary) {
      ops.push_back(elementwise_op("rotary", OpKind::kRotary, s, T * (heads + kv_heads) * dqk, 3.0, 1.0, 0.0));
    }
  }

  append_core(ops, s, layer, heads, kv_heads);

  // Row-parallel output projection; its bias is added once, after the reduction.
  const double out_bias = a.attention_output_bias ? h : 0.0;
  Operator out = gemm_op("o_proj", s, T, h, heads * dv, to_i(heads * dv * h + out_bias), T * heads * dv);
  add_tp_exit(out, s, h);
  ops.push_back(out);
  if (a.hidden_dropout > 0.0) {
    ops.push_back(elementwise_op("attention_output_dropout", OpKind::kDropout, s, Tr * h, 2.0, 1.0, Tr * h));
  }
  ops.push_back(elementwise_op("attention_residual", OpKind::kElementwise, s, Tr * h, 1.0, 2.0, 0.0));
  return ops;
}

}  // namespace perfplan::model::detail
