#pragma once
// What every launch-config writer shares (private to launch/): the node shape, numbers as the
// frameworks print them, the one-line layout description and the notes on model features the
// layout flags do not carry.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::launch::detail {

using predictor::ParallelConfig;
using predictor::PipelineSchedule;

struct Nodes {
  int64_t count = 1;
  int64_t gpus_per_node = 1;
};

// Whole nodes of `gpus_per_node` (or one partial node); InputError otherwise.
Nodes nodes_for(int64_t num_gpus, int64_t gpus_per_node);

std::string number(double value);
std::string number(int64_t value);
std::string python_bool(bool value);
// A generated config is run: text from input (a model name from a config file or the catalog)
// that goes into a comment has its control characters (a newline would end the comment and
// start a command) replaced by spaces; quoted() escapes them.
std::string one_line(std::string_view text);
std::string quoted(const std::string& value);  // "value", with " and \ escaped (Python and TOML alike)

// The frameworks' own default placement (Megatron-Core's "tp-cp-ep-dp-pp") is perfplan's default.
bool default_rank_order(const ParallelConfig& c);
bool interleaved(const ParallelConfig& c);
bool moe(const model::Architecture& arch);
bool zero_bubble(const ParallelConfig& c);

std::string describe_layout(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                            const Nodes& nodes);
// A Megatron --moe-layer-freq pattern ("([0]*3+[1]*58)") for a model whose layers are not all
// MoE; empty when they are (Megatron's default).
std::string moe_layer_pattern(const model::Architecture& arch);
// An explicit per-stage layout in Megatron-Core's notation: E embedding, t a decoder layer, L the
// loss, | between stages (megatron/core/transformer/pipeline_parallel_layer_layout.py).
std::string megatron_stage_layout(const ParallelConfig& c);
// Notes every framework shares: model features perfplan predicts but the layout flags do not carry.
void add_architecture_notes(const model::Architecture& arch, std::vector<std::string>& notes);
std::string comment_lines(const std::vector<std::string>& notes);

std::string render_megatron_lm(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                               const Nodes& nodes);
std::string render_megatron_bridge(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                                   const Nodes& nodes);
std::string render_nemo(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                        const Nodes& nodes);
std::string render_torchtitan(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                              const Nodes& nodes);

}  // namespace perfplan::launch::detail
