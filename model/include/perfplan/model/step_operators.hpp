#pragma once
// The operators of one training step (one micro-batch, forward and backward) on one GPU.
#include <string>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/operator.hpp"
#include "perfplan/model/step_config.hpp"

namespace perfplan::model {

// The operators of one kind of layer. Layers of the same kind (dense or MoE, sliding-window
// attention or not) have identical operators, so each kind is built once.
struct LayerOperators {
  int64_t first_index = 0;  // the first layer of this kind
  int64_t count = 0;        // how many layers are of this kind
  bool moe = false;
  bool sliding_window = false;
  std::vector<Operator> ops;
};

struct StepOperators {
  std::string model_name;
  StepConfig config;
  std::vector<Operator> embedding;     // token (and position) embedding
  std::vector<LayerOperators> layer_kinds;  // distinct layers, in order of first appearance
  std::vector<int32_t> layer_kind;          // for every layer, its entry in layer_kinds
  std::vector<Operator> head;          // final norm, LM head, loss
  std::vector<LayerOperators> mtp;     // DeepSeek multi-token-prediction modules, kept apart

  int64_t num_layers() const { return static_cast<int64_t>(layer_kind.size()); }
  const LayerOperators& layer(int64_t index) const {
    return layer_kinds[static_cast<size_t>(layer_kind.at(static_cast<size_t>(index)))];
  }
};

// Lists every operator. Throws InputError when the configuration cannot shard the model.
StepOperators build_step_operators(const Architecture& arch, const StepConfig& config);

// Sums over a set of operators.
struct OperatorTotals {
  double forward_flops = 0;         // dense convention
  double backward_flops = 0;
  double recompute_flops = 0;       // forward FLOPs run again in backward
  double executed_flops = 0;        // forward + backward + recompute, as kernels execute them
  double forward_bytes = 0;
  double backward_bytes = 0;
  double parameters = 0;
  double active_parameters = 0;
  double activation_bytes = 0;
  double communication_bytes = 0;
  int64_t operator_count = 0;

  double model_flops() const { return forward_flops + backward_flops; }
  double hardware_flops() const { return forward_flops + backward_flops + recompute_flops; }
  void add(const Operator& op);
  void add(const OperatorTotals& other, double times = 1.0);
};

OperatorTotals totals(const std::vector<Operator>& ops);
OperatorTotals totals(const LayerOperators& layer);  // one layer of this kind
// Embedding + layers + head (the MTP modules are not included).
OperatorTotals step_totals(const StepOperators& step);
OperatorTotals mtp_totals(const StepOperators& step);

}  // namespace perfplan::model
