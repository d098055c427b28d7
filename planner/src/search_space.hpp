#pragma once
// The layouts the planner considers, with the cheap divisibility cuts made while enumerating.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/planner/plan.hpp"

namespace perfplan::planner::detail {

struct Enumeration {
  std::vector<predictor::ParallelConfig> layouts;
  int64_t enumerated = 0;
  std::map<std::string, int64_t> pruned;  // reason -> count
};

// Every combination of TP (powers of two up to the NVLink domain, SP on with TP > 1), CP
// (powers of two, at least 2048 tokens per rank), PP (dividing the rest), VP (interleaving up
// to 24 chunks), EP (MoE: dividing the experts and the folded ranks), micro-batch (1, 2, 4, 8),
// recompute (none, selective, full), optimizer sharding (DDP, distributed optimizer, FSDP
// without PP) and schedule (1F1B, ZB-H1, interleaved) that divides the model and the batch.
// `representatives`: each family's first valid vp besides 1, micro-batches 1 and 4 (unless the
// request lists its own), no HSDP or expert-TP variants (the quick search's first pass).
Enumeration enumerate_layouts(const PlanRequest& request, bool representatives = false);

// How a framework splits `layers` over pp x vp chunks: evenly, evenly with the embedding and the
// loss as one slot each, or (vp = 1, where the framework takes an explicit per-stage layout)
// unevenly with the extra layers on the middle stages; nullopt where it cannot.
struct Split {
  bool embedding_and_loss = false;
  std::vector<int64_t> stage_layers;  // explicit uneven layout, empty when even
};
std::optional<Split> pipeline_split(const hardware::FrameworkCapabilities& caps, int64_t layers, int64_t pp, int64_t vp);

// Why the framework cannot pipeline this model at all (no pipeline parallelism, or none for its
// model type); empty when it can.
std::string pipeline_unsupported(const PlanRequest& request);

// 1, 2, 4, ... up to `limit`.
std::vector<int64_t> powers_of_two_up_to(int64_t limit);
// A layout of the request with these degrees and the planner's standing choices (SP and TP-comm
// overlap with TP, distributed optimizer with ZeRO >= 1).
predictor::ParallelConfig planner_layout(const PlanRequest& request, int64_t tp, int64_t cp, int64_t mbs,
                                         model::Recompute recompute, int zero);

}  // namespace perfplan::planner::detail
