#include "process_groups.hpp"

#include <algorithm>

namespace perfplan::predictor::detail {

Groups place_groups(const ParallelConfig& c, const hardware::ClusterSpec& cluster) {
  const int64_t domain = std::max<int64_t>(1, cluster.nvlink_domain_size);
  // Dense layers: the rank order without EP (EP is folded into the ranks of MoE layers).
  int64_t stride = 1;
  int64_t stride_of[5] = {1, 1, 1, 1, 1};
  for (Dim d : c.rank_order) {
    if (d == Dim::kEp) continue;
    stride_of[static_cast<int>(d)] = stride;
    const int64_t size = d == Dim::kTp ? c.tp : d == Dim::kCp ? c.cp : d == Dim::kDp ? c.dp : c.pp;
    stride *= size;
  }
  Groups g;
  g.tp = place_group(c.tp, stride_of[static_cast<int>(Dim::kTp)], domain);
  g.cp = place_group(c.cp, stride_of[static_cast<int>(Dim::kCp)], domain);
  g.pp = place_group(c.pp, stride_of[static_cast<int>(Dim::kPp)], domain);
  // Gradients of dense weights are reduced over DP x CP.
  const int64_t dp_stride = std::min(stride_of[static_cast<int>(Dim::kDp)],
                                     c.cp > 1 ? stride_of[static_cast<int>(Dim::kCp)] : stride_of[static_cast<int>(Dim::kDp)]);
  g.dense_dp = place_group(c.dense_dp_size(), dp_stride, domain);
  // Experts: ETP innermost, then EP, then expert data parallelism (Megatron-Core MoE folding).
  g.etp = place_group(c.etp, 1, domain);
  g.ep = place_group(c.ep, c.etp, domain);
  g.expert_dp = place_group(c.expert_dp_size(), c.ep * c.etp, domain);
  g.dense_shard = place_group(c.dense_shard_size(), dp_stride, domain);
  g.dense_replica = place_group(c.shard_replicas(), dp_stride * c.dense_shard_size(), domain);
  g.expert_shard = place_group(c.expert_shard_size(), c.ep * c.etp, domain);
  g.expert_replica = place_group(c.expert_dp_size() / std::max<int64_t>(1, c.expert_shard_size()),
                                 c.ep * c.etp * c.expert_shard_size(), domain);
  return g;
}

const GroupPlacement& group_of(const Groups& g, model::CommGroup group) {
  switch (group) {
    case model::CommGroup::kTp: return g.tp;
    case model::CommGroup::kCp: return g.cp;
    case model::CommGroup::kEp: return g.ep;
    case model::CommGroup::kEtp: return g.etp;
  }
  return g.tp;
}

}  // namespace perfplan::predictor::detail
