// Token and position embedding, final norm, LM head and the vocabulary-parallel loss.
#include "op_builder.hpp"

namespace perfplan::model::detail {
namespace {
double to_d(int64_t v) { return static_cast<double>(v); }
int64_t to_i(double v) { return static_cast<int64_t>(v + 0.5); }
}  // namespace

std::vector<Operator> embedding_ops(const Shard& s) {
  const Architecture& a = s.arch;
  const double T = s.tokens;
  const double Tr = s.replicated_tokens;
  const double h = to_d(a.hidden_size);
  std::vector<Operator> ops;

  // Vocabulary-parallel lookup: each TP rank holds V/tp rows and contributes partial sums.
  Operator words = elementwise_op("token_embedding", OpKind::kEmbedding, s, T * h, 0.0, 1.0, 0.0,
                                  to_i(s.vocab / s.tp() * h));
  add_tp_exit(words, s, h);
  ops.push_back(words);
  if (a.positions == PositionEncoding::kLearned) {
    ops.push_back(elementwise_op("position_embedding", OpKind::kEmbedding, s, Tr * h, 1.0, 2.0, 0.0,
                                 a.max_position_embeddings * a.hidden_size));
  }
  if (a.embedding_dropout > 0.0) {
    ops.push_back(elementwise_op("embedding_dropout", OpKind::kDropout, s, Tr * h, 2.0, 1.0, Tr * h));
  }
  return ops;
}

std::vector<Operator> head_ops(const Shard& s) {
  const Architecture& a = s.arch;
  const double T = s.tokens;
  const double Tr = s.replicated_tokens;
  const double h = to_d(a.hidden_size);
  const double v = s.vocab / s.tp();
  std::vector<Operator> ops;
  ops.push_back(norm_op("final_norm", s, Tr, h));
  // Tied weights are the embedding's: held once, counted there.
  Operator head = gemm_op("lm_head", s, T, v, h, a.tie_word_embeddings ? 0 : to_i(v * h), Tr * h);
  keep_in_bf16(head, s);  // Megatron's output layer is not a Transformer Engine module
  add_tp_entry(head, s, h);
  ops.push_back(head);
  // Cross entropy keeps the fp32 softmax of its vocabulary shard. Megatron's vocab-parallel
  // version reads the bf16 logits, writes fp32 logits, and makes passes for the max, the
  // exponentials and their sum (about 16 bytes per logit forward); backward reads the softmax
  // and writes the bf16 gradient (about 8 bytes).
  Operator loss = elementwise_op("cross_entropy", OpKind::kLoss, s, T * v, 5.0, 1.0, T * v * 4.0);
  loss.forward_bytes = 16.0 * T * v;
  loss.backward_bytes = 8.0 * T * v;
  loss.forward_kernels = 6;
  loss.backward_kernels = 3;
  if (s.config.tp > 1) {
    // Max, sum of exponentials and target logit are all-reduced across the vocabulary shards.
    loss.communication.push_back({CommKind::kAllReduce, CommGroup::kTp, s.config.tp, Pass::kForward, 3.0 * T * 4.0});
  }
  ops.push_back(loss);
  return ops;
}

std::vector<Operator> mtp_entry_ops(const Shard& s) {
  const double Tr = s.replicated_tokens;
  const double h = to_d(s.arch.hidden_size);
  std::vector<Operator> ops;
  ops.push_back(norm_op("mtp_embedding_norm", s, Tr, h));
  ops.push_back(norm_op("mtp_hidden_norm", s, Tr, h));
  // DeepSeek-V3 (arXiv 2412.19437, Sec. 2.2): M_k [RMSNorm(h); RMSNorm(Emb(t))], a 2h -> h projection.
  ops.push_back(gemm_op("mtp_projection", s, Tr, h, 2.0 * h, to_i(2.0 * h * h), 2.0 * Tr * h));
  return ops;
}

}  // namespace perfplan::model::detail
