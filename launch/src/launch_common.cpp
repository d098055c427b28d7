#include "launch_common.hpp"

#include <algorithm>
#include <sstream>

#include "perfplan/common/input_error.hpp"

namespace perfplan::launch::detail {


std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) ch = ' ';
  }
  return out;
}

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

std::string number(int64_t value) { return std::to_string(value); }

// The frameworks' own default placement (Megatron-Core's "tp-cp-ep-dp-pp") is perfplan's default.
bool default_rank_order(const ParallelConfig& c) { return predictor::to_string(c.rank_order) == "tp-cp-ep-dp-pp"; }


bool interleaved(const ParallelConfig& c) {
  return c.pp > 1 && c.vp > 1 && c.schedule == PipelineSchedule::kInterleaved;
}

bool moe(const model::Architecture& arch) { return arch.moe.has_value() && arch.moe->num_experts > 0; }

Nodes nodes_for(int64_t num_gpus, int64_t gpus_per_node) {
  if (gpus_per_node <= 0) {
    throw InputError("gpus per node must be a positive integer, got " + std::to_string(gpus_per_node));
  }
  if (num_gpus > gpus_per_node && num_gpus % gpus_per_node != 0) {
    throw InputError("a launch config needs whole nodes: " + std::to_string(num_gpus) + " GPUs is not a multiple of " +
                     std::to_string(gpus_per_node) + " GPUs per node");
  }
  if (num_gpus <= gpus_per_node) return {1, num_gpus};
  return {num_gpus / gpus_per_node, gpus_per_node};
}

std::string describe_layout(const model::Architecture& arch, const ParallelConfig& c, int64_t num_gpus,
                            const Nodes& nodes) {
  std::ostringstream out;
  out << one_line(arch.name) << " on " << num_gpus << " GPUs (" << nodes.count << (nodes.count == 1 ? " node" : " nodes") << " x "
      << nodes.gpus_per_node << "): " << predictor::to_string(c);
  if (moe(arch)) out << " (" << predictor::to_string(c.moe_dispatcher) << " dispatcher)";
  out << "; gbs " << c.global_batch_size << " (" << c.micro_batches()
      << (c.micro_batches() == 1 ? " micro-batch" : " micro-batches") << " per pipeline), seq " << c.seq_len << ", "
      << model::to_string(c.dtype);
  if (!default_rank_order(c)) out << ", rank order " << predictor::to_string(c.rank_order);
  return out.str();
}

// A Megatron --moe-layer-freq pattern ("([0]*3+[1]*58)") for a model whose layers are not all MoE;
// empty when they are (Megatron's default).
std::string moe_layer_pattern(const model::Architecture& arch) {
  const auto& layers = arch.layer_is_moe;
  if (layers.empty() || std::all_of(layers.begin(), layers.end(), [](bool b) { return b; })) return "";
  std::string pattern;
  size_t i = 0;
  while (i < layers.size()) {
    size_t j = i;
    while (j < layers.size() && layers[j] == layers[i]) ++j;
    pattern += (pattern.empty() ? "" : "+") + std::string(layers[i] ? "[1]*" : "[0]*") + std::to_string(j - i);
    i = j;
  }
  return "(" + pattern + ")";
}

// Notes every framework shares: model features perfplan predicts but the layout flags do not carry.
void add_architecture_notes(const model::Architecture& arch, std::vector<std::string>& notes) {
  if (arch.sliding_window > 0) {
    notes.push_back("sliding-window attention (window " + std::to_string(arch.sliding_window) +
                    ") is part of the model definition, not of these settings");
  }
  if (arch.attention_sinks) notes.push_back("attention sinks are part of the model definition, not of these settings");
  if (moe(arch) && arch.moe->shared_expert_gate) {
    notes.push_back("the shared-expert gate is part of the model definition, not of these settings");
  }
}

std::string comment_lines(const std::vector<std::string>& notes) {
  std::string out;
  for (const auto& note : notes) out += "# " + one_line(note) + "\n";
  return out;
}


std::string python_bool(bool value) { return value ? "True" : "False"; }

std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (char ch : value) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < 0x20 || byte == 0x7f) {  // \uXXXX: the same escape in TOML basic strings and Python
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
      continue;
    }
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

bool zero_bubble(const ParallelConfig& c) {
  return c.pp > 1 && (c.schedule == PipelineSchedule::kZeroBubbleH1 || c.schedule == PipelineSchedule::kZeroBubbleH2);
}

std::string megatron_stage_layout(const ParallelConfig& c) {
  std::string layout;
  for (size_t s = 0; s < c.stage_layers.size(); ++s) {
    if (s > 0) layout += "|";
    if (s == 0) layout += "E";
    layout += std::string(static_cast<size_t>(std::max<int64_t>(0, c.stage_layers[s])), 't');
    if (s + 1 == c.stage_layers.size()) layout += "L";
  }
  return layout;
}

}  // namespace perfplan::launch::detail
