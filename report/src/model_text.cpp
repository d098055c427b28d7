// Text rendering of `perfplan model`.
#include <string>

#include <fmt/format.h>

#include "perfplan/common/units.hpp"
#include "perfplan/report/model_report.hpp"

namespace perfplan::report {
namespace {

using model::Operator;

using units::kGiB;
using units::kMiB;

std::string shape_text(const Operator& op) {
  if (!op.gemm) return "-";
  std::string text = fmt::format("{}x{}x{}", op.gemm->m, op.gemm->n, op.gemm->k);
  if (op.gemm->count > 1) text += fmt::format(" *{}", op.gemm->count);
  return text;
}

std::string comm_abbrev(model::CommKind kind) {
  switch (kind) {
    case model::CommKind::kAllReduce: return "AR";
    case model::CommKind::kAllGather: return "AG";
    case model::CommKind::kReduceScatter: return "RS";
    case model::CommKind::kAllToAll: return "A2A";
    case model::CommKind::kRingExchange: return "ring";
  }
  return "?";
}

std::string comm_text(const Operator& op) {
  std::string text;
  for (const auto& c : op.communication) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {} {}({}) {:.1f}MiB", c.pass == model::Pass::kForward ? "fwd" : "bwd",
                        comm_abbrev(c.kind), model::to_string(c.group), c.group_size, c.bytes / kMiB);
  }
  return text.empty() ? "-" : text;
}

void append_table(std::string& out, const std::vector<Operator>& ops) {
  out += fmt::format("  {:<26} {:<12} {:>22} {:>10} {:>10} {:>10} {:>10} {:>3}  {}\n", "operator", "kind",
                     "gemm m x n x k", "fwd GFLOP", "bwd GFLOP", "params M", "saved MiB", "rc", "communication");
  for (const auto& op : ops) {
    out += fmt::format("  {:<26} {:<12} {:>22} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.2f} {:>3}  {}\n", op.name,
                       model::to_string(op.kind), shape_text(op), op.forward_flops / 1e9,
                       op.backward_flops / 1e9, static_cast<double>(op.parameters) / 1e6,
                       op.activation_bytes / kMiB, op.recomputed ? "yes" : "", comm_text(op));
  }
}

std::string layer_label(const model::LayerOperators& layer) {
  std::string label = layer.moe ? "MoE" : "dense";
  if (layer.sliding_window) label += ", sliding-window attention";
  return label;
}

}  // namespace

double ModelReport::flops_per_token() const {
  return unsharded.model_flops() / static_cast<double>(config.micro_batch_size * config.seq_len);
}

double ModelReport::six_n_flops_per_token() const { return 6.0 * parameters.active_compute(); }

std::string render_model_text(const ModelReport& r) {
  const auto& a = r.architecture;
  const auto& c = r.config;
  std::string out;
  out += fmt::format("model      {} ({}, {} layers, hidden {}, {} heads / {} KV heads{}{})\n", a.name,
                     a.model_type, a.num_layers, a.hidden_size, a.num_attention_heads, a.num_kv_heads,
                     a.moe ? fmt::format(", {} experts top-{}", a.moe->num_experts, a.moe->experts_per_token) : "",
                     a.mla ? ", MLA" : "");
  out += fmt::format("step       micro-batch {} x seq {}, {}, tp {}{}, cp {}, ep {}, etp {}, recompute {}, attention {}\n",
                     c.micro_batch_size, c.seq_len, model::to_string(c.dtype), c.tp,
                     c.sequence_parallel ? " + sp" : "", c.cp, c.ep, c.etp, model::to_string(c.recompute),
                     model::to_string(c.attention));
  out += "\nparameters\n";
  out += fmt::format("  total                {:>12.3f} B\n", r.parameters.total / 1e9);
  out += fmt::format("  active per token     {:>12.3f} B   (embeddings included)\n", r.parameters.active / 1e9);
  out += fmt::format("  active, no embedding {:>12.3f} B\n", r.parameters.active_compute() / 1e9);
  if (r.parameters.mtp > 0) {
    out += fmt::format("  MTP modules          {:>12.3f} B   (not in total)\n", r.parameters.mtp / 1e9);
  }
  out += fmt::format("  on this GPU          {:>12.3f} B   (embedding + all layers + head, before PP)\n",
                     r.totals.parameters / 1e9);
  out += "\nFLOPs per token (forward + backward, whole model)\n";
  out += fmt::format("  exact                {:>12.3f} GFLOP\n", r.flops_per_token() / 1e9);
  out += fmt::format("  6N approximation     {:>12.3f} GFLOP   (exact / 6N = {:.3f})\n",
                     r.six_n_flops_per_token() / 1e9, r.flops_per_token() / r.six_n_flops_per_token());
  out += "\nthis GPU, one micro-batch\n";
  out += fmt::format("  model FLOPs          {:>12.3f} TFLOP   (forward + backward)\n", r.totals.model_flops() / 1e12);
  out += fmt::format("  hardware FLOPs       {:>12.3f} TFLOP   (+ recompute)\n", r.totals.hardware_flops() / 1e12);
  out += fmt::format("  executed FLOPs       {:>12.3f} TFLOP   (causal attention skips masked blocks)\n",
                     r.totals.executed_flops / 1e12);
  double layers_bytes = 0;
  for (const auto& kind : r.step.layer_kinds) {
    layers_bytes += model::totals(kind).activation_bytes * static_cast<double>(kind.count);
  }
  out += fmt::format("  activations, layers  {:>12.3f} GiB   ({:.2f} MiB per layer on average)\n",
                     layers_bytes / kGiB, layers_bytes / kMiB / static_cast<double>(r.step.num_layers()));
  out += fmt::format("  activations, total   {:>12.3f} GiB   (with embedding and head)\n",
                     r.totals.activation_bytes / kGiB);

  out += "\nembedding\n";
  append_table(out, r.step.embedding);
  // One table per distinct kind of layer.
  for (const auto& kind : r.step.layer_kinds) {
    out += fmt::format("\nlayer {} ({}; {} of {} layers are like it)\n", kind.first_index, layer_label(kind),
                       kind.count, r.step.num_layers());
    append_table(out, kind.ops);
  }
  out += "\nhead\n";
  append_table(out, r.step.head);
  if (!r.step.mtp.empty()) {
    out += fmt::format("\nmulti-token prediction module ({} of them; not in the totals above)\n", r.step.mtp.size());
    append_table(out, r.step.mtp.front().ops);
  }
  return out;
}

}  // namespace perfplan::report
