// JSON rendering of `perfplan model`: a `context` object, then the figures and every operator.
#include <nlohmann/json.hpp>

#include "perfplan/report/model_report.hpp"

namespace perfplan::report {
namespace {

using json = nlohmann::ordered_json;

json operator_json(const model::Operator& op) {
  json j = {{"name", op.name},
            {"kind", model::to_string(op.kind)},
            {"forward_flops", op.forward_flops},
            {"backward_flops", op.backward_flops},
            {"executed_fraction", op.executed_fraction},
            {"forward_bytes", op.forward_bytes},
            {"backward_bytes", op.backward_bytes},
            {"parameters", op.parameters},
            {"active_fraction", op.active_fraction},
            {"activation_bytes", op.activation_bytes},
            {"recomputed", op.recomputed}};
  j["gemm"] = op.gemm ? json{{"m", op.gemm->m}, {"n", op.gemm->n}, {"k", op.gemm->k}, {"count", op.gemm->count}}
                      : json(nullptr);
  j["communication"] = json::array();
  for (const auto& c : op.communication) {
    j["communication"].push_back({{"kind", model::to_string(c.kind)},
                                  {"group", model::to_string(c.group)},
                                  {"group_size", c.group_size},
                                  {"pass", model::to_string(c.pass)},
                                  {"bytes", c.bytes}});
  }
  return j;
}

json ops_json(const std::vector<model::Operator>& ops) {
  json out = json::array();
  for (const auto& op : ops) out.push_back(operator_json(op));
  return out;
}

json layers_json(const std::vector<model::LayerOperators>& layers) {
  json out = json::array();
  for (const auto& layer : layers) {
    out.push_back({{"first_index", layer.first_index},
                   {"count", layer.count},
                   {"moe", layer.moe},
                   {"sliding_window", layer.sliding_window},
                   {"activation_bytes", model::totals(layer).activation_bytes},
                   {"operators", ops_json(layer.ops)}});
  }
  return out;
}

}  // namespace

std::string render_model_json(const ModelReport& r, const std::string& version) {
  const auto& c = r.config;
  json doc;
  doc["context"] = {{"schema_version", 1},
                    {"perfplan_version", version},
                    {"command", "model"},
                    {"inputs",
                     {{"model", r.architecture.name},
                      {"origin", r.architecture.origin},
                      {"seq", c.seq_len},
                      {"mbs", c.micro_batch_size},
                      {"dtype", model::to_string(c.dtype)},
                      {"tp", c.tp},
                      {"sp", c.sequence_parallel},
                      {"cp", c.cp},
                      {"ep", c.ep},
                      {"etp", c.etp},
                      {"capacity_factor", c.capacity_factor},
                      {"recompute", model::to_string(c.recompute)},
                      {"attention", model::to_string(c.attention)}}},
                    {"flop_convention",
                     "GEMM 2mnk; attention counts the full s x s scores (Megatron); backward = 2 x forward"}};
  doc["parameters"] = {{"total", r.parameters.total},
                       {"active", r.parameters.active},
                       {"active_without_embedding", r.parameters.active_compute()},
                       {"input_embedding", r.parameters.input_embedding},
                       {"mtp", r.parameters.mtp},
                       {"on_this_gpu", r.totals.parameters}};
  doc["flops_per_token"] = {{"exact", r.flops_per_token()}, {"six_n", r.six_n_flops_per_token()}};
  doc["this_gpu"] = {{"tokens", r.tokens},
                     {"model_flops", r.totals.model_flops()},
                     {"hardware_flops", r.totals.hardware_flops()},
                     {"executed_flops", r.totals.executed_flops},
                     {"activation_bytes", r.totals.activation_bytes},
                     {"communication_bytes", r.totals.communication_bytes}};
  doc["embedding"] = ops_json(r.step.embedding);
  doc["layer_kinds"] = layers_json(r.step.layer_kinds);
  doc["layer_kind"] = r.step.layer_kind;
  doc["head"] = ops_json(r.step.head);
  doc["mtp"] = layers_json(r.step.mtp);
  return doc.dump(2) + "\n";
}

}  // namespace perfplan::report
