// The scale-out network read from the free text of the validation files' cluster.inter_node.
#include <doctest/doctest.h>

#include "perfplan/validation/published_network.hpp"

using perfplan::validation::read_published_network;

TEST_CASE("published network: counted links per node, a lone per-node rate, Omni-Path links, nothing") {
  auto selene = read_published_network("Selene, 8x HDR InfiniBand 200 Gb/s per node");
  REQUIRE(selene);
  CHECK(selene->links == 8);
  CHECK(selene->gbit_per_node == 1600);
  auto words = read_published_network(
      "Selene: eight NVIDIA Mellanox 200Gbps HDR InfiniBand HCAs per node for application communication");
  REQUIRE(words);
  CHECK(words->links == 8);
  CHECK(words->gbit_per_node == 1600);
  auto lone = read_published_network("'an H100 cluster with 96 GPUs and 800Gbps inter-node interconnect' (PyTorch blog)");
  REQUIRE(lone);
  CHECK(lone->links == 0);
  CHECK(lone->gbit_per_node == 800);
  auto opa = read_published_network("Omni-Path Architecture (OPA), '4 OmniPath links' per node; NCCL traffic");
  REQUIRE(opa);
  CHECK(opa->links == 4);
  CHECK(opa->gbit_per_node == 400);  // Omni-Path 100 Series: 100 Gb/s per port
  CHECK_FALSE(read_published_network("not printed"));
  CHECK_FALSE(read_published_network("'interconnected by a RoCE RDMA network' (bandwidth and NIC count not printed)"));
  // A rate alone in a sentence with a count elsewhere is not a link count.
  auto no_count = read_published_network("200 Gb/s per node");
  REQUIRE(no_count);
  CHECK(no_count->links == 0);
  CHECK(no_count->gbit_per_node == 200);
}
