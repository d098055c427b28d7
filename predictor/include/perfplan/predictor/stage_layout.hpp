#pragma once
// What each pipeline stage holds: its layers (over all of its virtual chunks), the embedding on
// the first stage, the LM head and loss on the last, and their parameters split into dense and
// expert weights (which shard over different data-parallel groups).
#include <cstdint>
#include <vector>

#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::predictor {

struct StageContent {
  // How many layers of each layer kind (index into StepOperators::layer_kinds) the stage holds.
  std::vector<int64_t> layers_of_kind;
  int64_t num_layers = 0;
  bool has_embedding = false;
  bool has_head = false;
  bool holds_tied_embedding_copy = false;  // last stage of a tied model with pp > 1
  double dense_parameters = 0;   // on one GPU
  double expert_parameters = 0;  // on one GPU
};

std::vector<StageContent> stage_contents(const model::StepOperators& step, const ParallelConfig& config,
                                         bool tied_embeddings);

// Parameters of one operator list, split into expert (grouped GEMM) and dense weights.
struct ParameterSplit {
  double dense = 0;
  double expert = 0;
};
ParameterSplit split_parameters(const std::vector<model::Operator>& ops);

}  // namespace perfplan::predictor
