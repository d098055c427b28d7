#pragma once
// Alpha-beta cost of NCCL-style collectives, flat and hierarchical across the NVLink domain and
// the scale-out network.
#include <cstdint>

#include "perfplan/model/operator.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace perfplan::predictor {

// Where the ranks of one process group sit: `size` ranks, `ranks_per_node` of them in each
// NVLink domain (1 when every rank is in a different node; size when all share one).
struct GroupPlacement {
  int64_t size = 1;
  int64_t ranks_per_node = 1;
  int64_t nodes() const { return (size + ranks_per_node - 1) / ranks_per_node; }
};

// Placement of a group whose consecutive members are `stride` ranks apart in the global rank
// order (ranks fill a node of `gpus_per_node` before the next).
GroupPlacement place_group(int64_t size, int64_t stride, int64_t gpus_per_node);

// One tier of the network as the collectives see it: per-rank bandwidth (bytes/s, one
// direction) and per-step latency.
struct Tier {
  double bandwidth_bytes_per_s = 0;
  double latency_s = 0;
};

// Textbook ring costs on one tier, n ranks, S bytes (the NCCL-tests "size"):
//   all-reduce      2(n-1)/n * S/B + 2(n-1) * alpha
//   all-gather      (n-1)/n * S/B + (n-1) * alpha      (S = output size)
//   reduce-scatter  (n-1)/n * S/B + (n-1) * alpha      (S = input size)
//   all-to-all      (n-1)/n * S/B + (n-1) * alpha      (S = send buffer per rank)
//   send/recv       S/B + alpha
double ring_all_reduce_time(double bytes, int64_t n, const Tier& tier);
double ring_all_gather_time(double bytes, int64_t n, const Tier& tier);
double ring_reduce_scatter_time(double bytes, int64_t n, const Tier& tier);
double all_to_all_time(double bytes, int64_t n, const Tier& tier);
double p2p_time(double bytes, const Tier& tier);
// Double binary tree all-reduce (NCCL's tree): 2 * S/B + 2 * log2(n) * alpha.
double tree_all_reduce_time(double bytes, int64_t n, const Tier& tier);

// The tiers of a cluster for one collective family: NVLink (intra) and the scale-out network
// (inter, per NIC; a rank gets nics_per_node / gpus_per_node NICs' worth), each derated by the
// link's achievable efficiency for that family.
Tier intra_tier(const hardware::ClusterSpec& cluster, model::CommKind kind);
Tier inter_tier(const hardware::ClusterSpec& cluster, model::CommKind kind);

// Time of a collective of `bytes` on a placed group. Within one NVLink domain it is the ring on
// NVLink; across nodes it is hierarchical: the intra-node phase on NVLink and the inter-node
// phase over the network between the `nodes()` nodes, each rank carrying its 1/ranks_per_node
// share (for all-reduce: reduce-scatter in the node, all-reduce across nodes, all-gather in the
// node). A ring exchange (CP) is `bytes` of point-to-point traffic to the next rank.
double collective_time(model::CommKind kind, double bytes, const GroupPlacement& group,
                       const hardware::ClusterSpec& cluster);

}  // namespace perfplan::predictor
