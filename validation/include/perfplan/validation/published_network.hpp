#pragma once
// The scale-out network a source printed as free text (cluster.inter_node), read into figures
// where it names them: "8x HDR InfiniBand 200 Gb/s per node", "800Gbps inter-node
// interconnect", "4 OmniPath links". Nothing is guessed: text without a rate gives nullopt.
#include <cstdint>
#include <optional>
#include <string>

namespace perfplan::validation {

struct PublishedNetwork {
  double gbit_per_node = 0;  // all of a node's scale-out links together, Gb/s per direction
  int64_t links = 0;         // links (NICs, ports) per node where printed, else 0
  std::string reading;       // how the text was read, for `assumed`
};

std::optional<PublishedNetwork> read_published_network(const std::string& text);

}  // namespace perfplan::validation
