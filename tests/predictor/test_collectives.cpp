// Collective costs against textbook alpha-beta formulas with hand-computed numbers.
#include <doctest/doctest.h>

#include "perfplan/predictor/collectives.hpp"

namespace hardware = perfplan::hardware;

using namespace perfplan::predictor;
using perfplan::model::CommKind;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// S = 1 GiB over a 100 GB/s tier with 5 us per step.
const Tier kTier{100e9, 5e-6};

// Round made-up numbers: 8 GPUs and 4 NICs a node, NVLink 400 GB/s at 2 us, NICs 50 GB/s at 10 us.
hardware::ClusterSpec round_cluster() {
  hardware::ClusterSpec c;
  c.name = "test";
  c.gpus_per_node = 8;
  c.nvlink_domain_size = 8;
  c.nics_per_node = 4;
  c.intra_node.bandwidth_bytes_per_s = 400e9;
  c.intra_node.latency_s = 2e-6;
  c.intra_node.all_reduce_efficiency = 0.8;
  c.intra_node.all_gather_efficiency = 0.75;
  c.intra_node.all_to_all_efficiency = 0.5;
  c.intra_node.p2p_efficiency = 0.9;
  c.inter_node.bandwidth_bytes_per_s = 50e9;
  c.inter_node.latency_s = 10e-6;
  c.inter_node.all_reduce_efficiency = 0.8;
  c.inter_node.all_gather_efficiency = 0.6;
  c.inter_node.all_to_all_efficiency = 0.4;
  c.inter_node.p2p_efficiency = 1.0;
  return c;
}

}  // namespace

TEST_CASE("ring all-reduce time equals 2(n-1)/n * S/B + 2(n-1) * alpha") {
  // 2 * 7/8 * 2^30 / 1e11 = 0.01879048192 s; 14 * 5 us = 70 us.
  CHECK(ring_all_reduce_time(kGiB, 8, kTier) == doctest::Approx(0.01886048192).epsilon(1e-12));
  CHECK(ring_all_reduce_time(kGiB, 1, kTier) == 0.0);
  CHECK(ring_all_reduce_time(0, 8, kTier) == 0.0);
}

TEST_CASE("ring all-gather, reduce-scatter and all-to-all move (n-1)/n of the buffer") {
  // 7/8 * 2^30 / 1e11 = 0.00939524096 s; 7 * 5 us = 35 us.
  CHECK(ring_all_gather_time(kGiB, 8, kTier) == doctest::Approx(0.00943024096).epsilon(1e-12));
  CHECK(ring_reduce_scatter_time(kGiB, 8, kTier) == doctest::Approx(0.00943024096).epsilon(1e-12));
  CHECK(all_to_all_time(kGiB, 8, kTier) == doctest::Approx(0.00943024096).epsilon(1e-12));
  // An all-reduce is a reduce-scatter followed by an all-gather.
  CHECK(ring_all_reduce_time(kGiB, 8, kTier) ==
        doctest::Approx(ring_reduce_scatter_time(kGiB, 8, kTier) + ring_all_gather_time(kGiB, 8, kTier)));
  CHECK(ring_all_gather_time(kGiB, 1, kTier) == 0.0);
}

TEST_CASE("send/recv and double binary tree") {
  CHECK(p2p_time(kGiB, kTier) == doctest::Approx(0.01073741824 + 5e-6).epsilon(1e-12));
  CHECK(p2p_time(0, kTier) == 0.0);
  // 2 * 2^30 / 1e11 + 2 * log2(8) * 5 us.
  CHECK(tree_all_reduce_time(kGiB, 8, kTier) == doctest::Approx(0.02147483648 + 30e-6).epsilon(1e-12));
  CHECK(tree_all_reduce_time(kGiB, 1, kTier) == 0.0);
}

TEST_CASE("place_group: members stride ranks apart fill nodes of gpus_per_node") {
  const GroupPlacement tp = place_group(8, 1, 8);  // TP 8 inside a DGX
  CHECK(tp.size == 8);
  CHECK(tp.ranks_per_node == 8);
  CHECK(tp.nodes() == 1);

  const GroupPlacement dp = place_group(4, 8, 8);  // DP 4 across TP-8 nodes
  CHECK(dp.ranks_per_node == 1);
  CHECK(dp.nodes() == 4);

  const GroupPlacement strided = place_group(8, 2, 8);  // 0,2,4,6 | 8,10,12,14
  CHECK(strided.ranks_per_node == 4);
  CHECK(strided.nodes() == 2);

  const GroupPlacement small = place_group(2, 1, 8);  // fits in one node
  CHECK(small.ranks_per_node == 2);
  CHECK(small.nodes() == 1);

  const GroupPlacement across = place_group(16, 1, 8);
  CHECK(across.ranks_per_node == 8);
  CHECK(across.nodes() == 2);

  CHECK(place_group(4, 16, 8).ranks_per_node == 1);  // stride beyond a node
  CHECK(place_group(1, 1, 8).nodes() == 1);
}

TEST_CASE("tiers derate the links per collective family, NICs are shared by a node's GPUs") {
  const hardware::ClusterSpec c = round_cluster();
  CHECK(intra_tier(c, CommKind::kAllReduce).bandwidth_bytes_per_s == doctest::Approx(320e9));
  CHECK(intra_tier(c, CommKind::kAllGather).bandwidth_bytes_per_s == doctest::Approx(300e9));
  CHECK(intra_tier(c, CommKind::kReduceScatter).bandwidth_bytes_per_s == doctest::Approx(300e9));
  CHECK(intra_tier(c, CommKind::kAllToAll).bandwidth_bytes_per_s == doctest::Approx(200e9));
  CHECK(intra_tier(c, CommKind::kRingExchange).bandwidth_bytes_per_s == doctest::Approx(360e9));
  CHECK(intra_tier(c, CommKind::kAllReduce).latency_s == doctest::Approx(2e-6));
  // 50 GB/s per NIC * 4 NICs / 8 GPUs = 25 GB/s per GPU, then the efficiency.
  CHECK(inter_tier(c, CommKind::kAllReduce).bandwidth_bytes_per_s == doctest::Approx(20e9));
  CHECK(inter_tier(c, CommKind::kAllGather).bandwidth_bytes_per_s == doctest::Approx(15e9));
  CHECK(inter_tier(c, CommKind::kAllToAll).bandwidth_bytes_per_s == doctest::Approx(10e9));
  CHECK(inter_tier(c, CommKind::kRingExchange).bandwidth_bytes_per_s == doctest::Approx(25e9));
  CHECK(inter_tier(c, CommKind::kAllReduce).latency_s == doctest::Approx(10e-6));
}

TEST_CASE("collective_time inside one node is the ring on NVLink") {
  const hardware::ClusterSpec c = round_cluster();
  const GroupPlacement tp = place_group(8, 1, 8);
  const Tier ar = intra_tier(c, CommKind::kAllReduce);
  const Tier ag = intra_tier(c, CommKind::kAllGather);
  CHECK(collective_time(CommKind::kAllReduce, 1e9, tp, c) == doctest::Approx(ring_all_reduce_time(1e9, 8, ar)));
  CHECK(collective_time(CommKind::kAllGather, 1e9, tp, c) == doctest::Approx(ring_all_gather_time(1e9, 8, ag)));
  CHECK(collective_time(CommKind::kReduceScatter, 1e9, tp, c) == doctest::Approx(ring_reduce_scatter_time(1e9, 8, ag)));
  CHECK(collective_time(CommKind::kAllToAll, 1e9, tp, c) ==
        doctest::Approx(all_to_all_time(1e9, 8, intra_tier(c, CommKind::kAllToAll))));
  // CP ring exchange of 1e9 bytes over 4 ranks at 360 GB/s: S/B + 3 hops of 2 us.
  CHECK(collective_time(CommKind::kRingExchange, 1e9, place_group(4, 1, 8), c) ==
        doctest::Approx(1e9 / 360e9 + 3 * 2e-6));
  CHECK(collective_time(CommKind::kAllReduce, 1e9, place_group(1, 1, 8), c) == 0.0);
  CHECK(collective_time(CommKind::kAllReduce, 0, tp, c) == 0.0);
}

TEST_CASE("hierarchical all-reduce on 2 nodes is the sum of its three phases") {
  const hardware::ClusterSpec c = round_cluster();
  const GroupPlacement group = place_group(16, 1, 8);  // g = 8, N = 2
  // Reduce-scatter 1e9 over 8 on NVLink (320 GB/s, 2 us): 7/8 * 1e9/320e9 + 7 * 2 us.
  const double reduce_scatter = 0.002734375 + 14e-6;
  // All-reduce the 1.25e8 shard over 2 nodes (20 GB/s, 10 us): 2 * 1/2 * 1.25e8/20e9 + 2 * 10 us.
  const double network = 0.00625 + 20e-6;
  const double all_gather = reduce_scatter;
  CHECK(collective_time(CommKind::kAllReduce, 1e9, group, c) ==
        doctest::Approx(reduce_scatter + network + all_gather).epsilon(1e-12));
  CHECK(reduce_scatter + network + all_gather == doctest::Approx(0.011766750).epsilon(1e-12));
}

TEST_CASE("hierarchical all-gather, reduce-scatter, all-to-all and ring exchange across nodes") {
  const hardware::ClusterSpec c = round_cluster();
  const GroupPlacement group = place_group(16, 1, 8);  // g = 8, N = 2
  // All-gather of a 1e9 output: the 1.25e8 node block across 2 nodes at 15 GB/s, then 1e9 over
  // 8 ranks on NVLink at 300 GB/s.
  const double network = 0.5 * 1.25e8 / 15e9 + 10e-6;
  const double nvlink = 7.0 / 8.0 * 1e9 / 300e9 + 7 * 2e-6;
  CHECK(collective_time(CommKind::kAllGather, 1e9, group, c) == doctest::Approx(network + nvlink).epsilon(1e-12));
  CHECK(collective_time(CommKind::kReduceScatter, 1e9, group, c) == doctest::Approx(network + nvlink).epsilon(1e-12));

  // All-to-all of 1e9 per rank over 16: half of it leaves the node at 10 GB/s, 7/16 of it stays
  // on NVLink at 200 GB/s (hidden behind the network); 15 messages at 10 us.
  CHECK(collective_time(CommKind::kAllToAll, 1e9, group, c) ==
        doctest::Approx(0.5e9 / 10e9 + 15 * 10e-6).epsilon(1e-12));

  // A CP ring over 2 nodes is paced by its network hop: 1e9 at 25 GB/s + 15 hops of 10 us.
  CHECK(collective_time(CommKind::kRingExchange, 1e9, group, c) ==
        doctest::Approx(1e9 / 25e9 + 15 * 10e-6).epsilon(1e-12));
}

TEST_CASE("a data-parallel group with one rank per node runs the flat ring on the network") {
  const hardware::ClusterSpec c = round_cluster();
  const GroupPlacement dp = place_group(4, 8, 8);
  const Tier net = inter_tier(c, CommKind::kAllReduce);
  CHECK(collective_time(CommKind::kAllReduce, 1e9, dp, c) == doctest::Approx(ring_all_reduce_time(1e9, 4, net)));
  CHECK(collective_time(CommKind::kAllGather, 1e9, dp, c) ==
        doctest::Approx(ring_all_gather_time(1e9, 4, inter_tier(c, CommKind::kAllGather))));
  // Crossing nodes never beats staying on NVLink.
  CHECK(collective_time(CommKind::kAllReduce, 1e9, place_group(8, 1, 8), c) <
        collective_time(CommKind::kAllReduce, 1e9, place_group(8, 2, 8), c));
}
