#pragma once
// Launch configs: a parallel layout written in the words of the framework that would run it,
// so a predicted plan can be launched without translating it by hand:
//   megatron         Megatron-LM `pretrain_gpt.py` command-line flags (under torchrun)
//   megatron-bridge  Megatron-Bridge recipe overrides (`key=value` on the recipe script's command line)
//   nemo             NeMo 2.0 recipe overrides (Python, `recipe.trainer.strategy.* = ...`)
//   torchtitan       a torchtitan TOML job config ([training], [parallelism], [activation_checkpoint])
// Each output starts with a comment line naming perfplan and the layout. What a framework cannot
// express (ZB-H1 in Megatron-LM, ZeRO-3 in a NeMo override, ...) is a comment saying so, never a
// made-up flag.
#include <cstdint>
#include <optional>
#include <string>

#include "perfplan/model/architecture.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::launch {

enum class LaunchFramework { kMegatron, kMegatronBridge, kNemo, kTorchtitan };

// "megatron", "megatron-bridge", "nemo" or "torchtitan" (case-insensitive); InputError listing
// those otherwise.
LaunchFramework parse_launch_framework(const std::string& text);
std::string to_string(LaunchFramework framework);

// The release a writer targets (its first line states it) and the schema, read from that
// release's source, its output is tested against (launch/schemas/<schema>).
struct LaunchTarget {
  const char* name;     // "Megatron-LM"
  const char* version;  // "core_v0.14.0"
  const char* schema;   // "megatron-lm-core_v0.14.0.json"
};
const LaunchTarget& launch_target(LaunchFramework framework);

// The writer for a framework profile (hardware_specs/frameworks/<name>.json): megatron-core and
// megatron-lm write Megatron-LM flags, megatron-bridge, nemo and torchtitan their own; none for
// the others (DeepSpeed, PyTorch FSDP, MaxText, ...).
std::optional<LaunchFramework> launch_framework_for(const std::string& profile_name);

// The framework's flags / config for running `arch` with `config` on `num_gpus` GPUs,
// `gpus_per_node` to a node. InputError when the layout does not fit the model or the GPU count
// (predictor::validate_layout) or when the GPUs do not fill whole nodes.
std::string render_launch_config(LaunchFramework framework, const model::Architecture& arch,
                                 const predictor::ParallelConfig& config, int64_t num_gpus, int64_t gpus_per_node);

}  // namespace perfplan::launch
