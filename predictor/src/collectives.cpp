// Alpha-beta cost of NCCL-style collectives. S is the NCCL-tests "size" of the buffer, B the
// per-rank one-direction bandwidth of a tier and alpha its per-step latency.
#include "perfplan/predictor/collectives.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace perfplan::predictor {

namespace {

// Seconds to move `bytes` at `bandwidth_bytes_per_s`; a tier without bandwidth never finishes.
double transfer_time(double bytes, double bandwidth_bytes_per_s) {
  if (bytes <= 0) return 0;
  if (bandwidth_bytes_per_s <= 0) return std::numeric_limits<double>::infinity();
  return bytes / bandwidth_bytes_per_s;
}

// The ring's (n-1) steps each carry 1/n of the buffer (Thakur, Rabenseifner & Gropp 2005,
// "Optimization of Collective Communication Operations in MPICH": ring all-gather
// (n-1)/n * S/B + (n-1) * alpha); the all-reduce is a reduce-scatter followed by an all-gather.
double ring_steps_time(double bytes, int64_t n, int64_t passes, const Tier& tier) {
  if (n <= 1 || bytes <= 0) return 0;
  const double steps = static_cast<double>(n - 1);
  const double fraction = steps / static_cast<double>(n);
  return static_cast<double>(passes) *
         (fraction * transfer_time(bytes, tier.bandwidth_bytes_per_s) + steps * tier.latency_s);
}

// nccl-tests busbw / link bandwidth, per collective family (hardware::LinkSpec calibration).
double efficiency_for(const hardware::LinkSpec& link, model::CommKind kind) {
  switch (kind) {
    case model::CommKind::kAllReduce:
      return link.all_reduce_efficiency;
    case model::CommKind::kAllGather:
    case model::CommKind::kReduceScatter:
      return link.all_gather_efficiency;
    case model::CommKind::kAllToAll:
      return link.all_to_all_efficiency;
    case model::CommKind::kRingExchange:
      return link.p2p_efficiency;
  }
  return link.p2p_efficiency;
}

// A CP ring exchange of `bytes` in total over n ranks: n-1 sequential hops that together move
// `bytes`, each hop paying one latency: S/B + (n-1) * alpha, i.e. p2p_time + (n-2) * alpha.
double ring_exchange_time(double bytes, int64_t n, const Tier& tier) {
  if (n <= 1 || bytes <= 0) return 0;
  return p2p_time(bytes, tier) + static_cast<double>(n - 2) * tier.latency_s;
}

// Hierarchical all-reduce over g ranks per node and N nodes (NCCL on rail-optimized fabrics;
// Jia et al. 2018, "Highly Scalable Deep Learning Training System with Mixed-Precision",
// hierarchical all-reduce): reduce-scatter S inside the node, leaving each rank S/g;
// all-reduce that S/g shard across the N nodes among the ranks with the same local index, each
// over its own NIC share; all-gather S inside the node. With g == 1 the NVLink phases vanish
// and it is the flat ring all-reduce on the network.
double hierarchical_all_reduce_time(double bytes, int64_t g, int64_t nodes, const Tier& intra, const Tier& inter) {
  const double shard = bytes / static_cast<double>(g);
  return ring_reduce_scatter_time(bytes, g, intra) + ring_all_reduce_time(shard, nodes, inter) +
         ring_all_gather_time(bytes, g, intra);
}

// Hierarchical all-gather of an S-byte output: the rank's S/(gN) shard is first all-gathered
// across the N nodes (output S/g per rank, so each NIC carries (N-1)/N * S/g), then the g ranks
// of a node all-gather those S/g blocks over NVLink (output S, (g-1)/g * S over NVLink). The
// reduce-scatter is the same two phases in reverse order with the same volumes.
double hierarchical_all_gather_time(double bytes, int64_t g, int64_t nodes, const Tier& intra, const Tier& inter) {
  const double node_block = bytes / static_cast<double>(g);
  return ring_all_gather_time(node_block, nodes, inter) + ring_all_gather_time(bytes, g, intra);
}

// All-to-all of an S-byte send buffer over g * N ranks: S/(gN) to every rank. The (N-1) * g
// peers in other nodes take (N-1)/N * S over this rank's NIC share; the g-1 peers in the node
// take (g-1)/(gN) * S over NVLink, concurrently. Every peer is a separate message, and on large
// groups the all-to-all is latency bound: (gN - 1) * alpha of the network.
double hierarchical_all_to_all_time(double bytes, int64_t g, int64_t nodes, const Tier& intra, const Tier& inter) {
  const double n_nodes = static_cast<double>(nodes);
  const double ranks = static_cast<double>(g) * n_nodes;
  const double network_bytes = (n_nodes - 1) / n_nodes * bytes;
  const double nvlink_bytes = static_cast<double>(g - 1) / ranks * bytes;
  const double transfer = std::max(transfer_time(network_bytes, inter.bandwidth_bytes_per_s),
                                   transfer_time(nvlink_bytes, intra.bandwidth_bytes_per_s));
  return transfer + (ranks - 1) * inter.latency_s;
}

}  // namespace

GroupPlacement place_group(int64_t size, int64_t stride, int64_t gpus_per_node) {
  GroupPlacement placement;
  placement.size = std::max<int64_t>(size, 1);
  stride = std::max<int64_t>(stride, 1);
  gpus_per_node = std::max<int64_t>(gpus_per_node, 1);
  // Members s, s+stride, s+2*stride, ... : a node of gpus_per_node consecutive ranks holds
  // gpus_per_node / stride of them (all of them when stride * size fits in one node).
  if (stride < gpus_per_node) {
    placement.ranks_per_node = std::clamp<int64_t>(gpus_per_node / stride, 1, placement.size);
  } else {
    placement.ranks_per_node = 1;
  }
  return placement;
}

double ring_all_reduce_time(double bytes, int64_t n, const Tier& tier) { return ring_steps_time(bytes, n, 2, tier); }

double ring_all_gather_time(double bytes, int64_t n, const Tier& tier) { return ring_steps_time(bytes, n, 1, tier); }

double ring_reduce_scatter_time(double bytes, int64_t n, const Tier& tier) {
  return ring_steps_time(bytes, n, 1, tier);
}

// Pairwise exchange: n-1 steps, each sending S/n to one peer (Thakur et al. 2005).
double all_to_all_time(double bytes, int64_t n, const Tier& tier) { return ring_steps_time(bytes, n, 1, tier); }

double p2p_time(double bytes, const Tier& tier) {
  if (bytes <= 0) return 0;
  return transfer_time(bytes, tier.bandwidth_bytes_per_s) + tier.latency_s;
}

// NCCL's double binary tree (Sanders, Speck & Träff 2009; NCCL 2.4): every rank sends and
// receives the full buffer once up (reduce) and once down (broadcast), pipelined, so 2 * S/B,
// with the latency of a tree of depth log2(n) both ways.
double tree_all_reduce_time(double bytes, int64_t n, const Tier& tier) {
  if (n <= 1 || bytes <= 0) return 0;
  return 2 * transfer_time(bytes, tier.bandwidth_bytes_per_s) + 2 * std::log2(static_cast<double>(n)) * tier.latency_s;
}

Tier intra_tier(const hardware::ClusterSpec& cluster, model::CommKind kind) {
  const hardware::LinkSpec& link = cluster.intra_node;
  return Tier{link.bandwidth_bytes_per_s * efficiency_for(link, kind), link.latency_s};
}

// Rail-optimized scale-out: the node's NICs are shared evenly by its GPUs, each GPU driving
// nics_per_node / gpus_per_node NICs' worth of bandwidth.
Tier inter_tier(const hardware::ClusterSpec& cluster, model::CommKind kind) {
  const hardware::LinkSpec& link = cluster.inter_node;
  const double gpus_per_node = static_cast<double>(std::max<int64_t>(cluster.gpus_per_node, 1));
  const double nic_share = static_cast<double>(cluster.nics_per_node) / gpus_per_node;
  return Tier{link.bandwidth_bytes_per_s * nic_share * efficiency_for(link, kind), link.latency_s};
}

double collective_time(model::CommKind kind, double bytes, const GroupPlacement& group, const hardware::ClusterSpec& cluster) {
  if (group.size <= 1 || bytes <= 0) return 0;
  const Tier intra = intra_tier(cluster, kind);
  const int64_t nodes = group.nodes();
  if (nodes <= 1) {
    switch (kind) {
      case model::CommKind::kAllReduce:
        return ring_all_reduce_time(bytes, group.size, intra);
      case model::CommKind::kAllGather:
        return ring_all_gather_time(bytes, group.size, intra);
      case model::CommKind::kReduceScatter:
        return ring_reduce_scatter_time(bytes, group.size, intra);
      case model::CommKind::kAllToAll:
        return all_to_all_time(bytes, group.size, intra);
      case model::CommKind::kRingExchange:
        return ring_exchange_time(bytes, group.size, intra);
    }
    return 0;
  }
  // All phases of one collective use that family's efficiency on each tier.
  const Tier inter = inter_tier(cluster, kind);
  const int64_t g = std::clamp<int64_t>(group.ranks_per_node, 1, group.size);
  switch (kind) {
    case model::CommKind::kAllReduce:
      return hierarchical_all_reduce_time(bytes, g, nodes, intra, inter);
    case model::CommKind::kAllGather:
    case model::CommKind::kReduceScatter:
      return hierarchical_all_gather_time(bytes, g, nodes, intra, inter);
    case model::CommKind::kAllToAll:
      return hierarchical_all_to_all_time(bytes, g, nodes, intra, inter);
    case model::CommKind::kRingExchange:
      // The ring's hops move in lock-step, so the slowest (network) hop sets every step.
      return ring_exchange_time(bytes, group.size, inter);
  }
  return 0;
}

}  // namespace perfplan::predictor
