#pragma once
// Parameter counts of an architecture, summed from its unsharded operators so that the counts
// and the operator list cannot disagree.
#include <cstdint>

#include "perfplan/model/architecture.hpp"

namespace perfplan::model {

struct ParameterCount {
  double total = 0;            // every trained weight of the main model (MTP modules excluded)
  double active = 0;           // weights one token's forward pass reads (embeddings included)
  double input_embedding = 0;  // token (and position) embedding tables
  double mtp = 0;              // DeepSeek multi-token-prediction modules, kept apart

  // Active weights that do matrix work per token: `active` without the embedding lookup
  // (the 6N of FLOPs ~ 6 * N * tokens).
  double active_compute() const { return active - input_embedding; }
};

ParameterCount count_parameters(const Architecture& arch);

}  // namespace perfplan::model
