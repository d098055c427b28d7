#include "perfplan/predictor/stage_layout.hpp"

namespace perfplan::predictor {

ParameterSplit split_parameters(const std::vector<model::Operator>& ops) {
  ParameterSplit split;
  for (const auto& op : ops) {
    const double p = static_cast<double>(op.parameters);
    (op.kind == model::OpKind::kGroupedGemm ? split.expert : split.dense) += p;
  }
  return split;
}

std::vector<StageContent> stage_contents(const model::StepOperators& step, const ParallelConfig& config,
                                         bool tied_embeddings) {
  const int64_t pp = config.pp;
  const auto chunk_layers = layers_per_chunk(step.num_layers(), config);
  std::vector<StageContent> stages(static_cast<size_t>(pp));
  for (auto& stage : stages) stage.layers_of_kind.assign(step.layer_kinds.size(), 0);
  // Chunk c runs on stage c % pp (Megatron's interleaved assignment; one chunk per stage when vp = 1).
  int64_t layer = 0;
  for (size_t c = 0; c < chunk_layers.size(); ++c) {
    StageContent& stage = stages[c % static_cast<size_t>(pp)];
    for (int64_t i = 0; i < chunk_layers[c]; ++i, ++layer) {
      stage.layers_of_kind[static_cast<size_t>(step.layer_kind[static_cast<size_t>(layer)])] += 1;
      stage.num_layers += 1;
    }
  }
  std::vector<ParameterSplit> kind_params;
  for (const auto& kind : step.layer_kinds) kind_params.push_back(split_parameters(kind.ops));
  for (auto& stage : stages) {
    for (size_t k = 0; k < kind_params.size(); ++k) {
      const double n = static_cast<double>(stage.layers_of_kind[k]);
      stage.dense_parameters += n * kind_params[k].dense;
      stage.expert_parameters += n * kind_params[k].expert;
    }
  }
  stages.front().has_embedding = true;
  stages.front().dense_parameters += split_parameters(step.embedding).dense;
  stages.back().has_head = true;
  stages.back().dense_parameters += split_parameters(step.head).dense;
  if (tied_embeddings && pp > 1) {
    // Megatron keeps a copy of the tied word embedding on the last stage for the LM head.
    stages.back().holds_tied_embedding_copy = true;
    stages.back().dense_parameters += static_cast<double>(step.embedding.front().parameters);
  }
  return stages;
}

}  // namespace perfplan::predictor
