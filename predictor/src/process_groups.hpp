#pragma once
// Placement: the process groups of one layout on a cluster's NVLink domains (private).
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/model/operator.hpp"
#include "perfplan/predictor/collectives.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::predictor::detail {

struct Groups {
  GroupPlacement tp, cp, ep, etp, dense_dp, expert_dp, pp;
  // HSDP: the ranks one copy of the sharded state spans (the nearest of the DP group) and the
  // copies across them; without HSDP the whole DP group and 1.
  GroupPlacement dense_shard, dense_replica, expert_shard, expert_replica;
};

// Dense layers follow the rank order without EP (EP is folded into the ranks of MoE layers);
// experts nest ETP innermost, then EP, then expert data parallelism (Megatron-Core MoE folding).
Groups place_groups(const ParallelConfig& c, const hardware::ClusterSpec& cluster);
const GroupPlacement& group_of(const Groups& g, model::CommGroup group);

}  // namespace perfplan::predictor::detail
