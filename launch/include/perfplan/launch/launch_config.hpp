#pragma once
// Launch configs: a parallel layout written in the words of the framework that would run it,
// so a predicted plan can be launched without translating it by hand:
//   megatron    Megatron-LM `pretrain_gpt.py` command-line flags (under torchrun)
//   nemo        NeMo 2.0 recipe overrides (Python, `recipe.trainer.strategy.* = ...`)
//   torchtitan  a torchtitan TOML job config ([training], [parallelism], [activation_checkpoint])
// Each output starts with a comment line naming perfplan and the layout. What a framework cannot
// express (ZB-H1 in Megatron-LM, ZeRO-3 in a NeMo override, ...) is a comment saying so, never a
// made-up flag.
#include <cstdint>
#include <string>

#include "perfplan/model/architecture.hpp"
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::launch {

enum class LaunchFramework { kMegatron, kNemo, kTorchtitan };

// "megatron", "nemo" or "torchtitan" (case-insensitive); InputError listing those otherwise.
LaunchFramework parse_launch_framework(const std::string& text);
std::string to_string(LaunchFramework framework);

// The framework's flags / config for running `arch` with `config` on `num_gpus` GPUs,
// `gpus_per_node` to a node. InputError when the layout does not fit the model or the GPU count
// (predictor::validate_layout) or when the GPUs do not fill whole nodes.
std::string render_launch_config(LaunchFramework framework, const model::Architecture& arch,
                                 const predictor::ParallelConfig& config, int64_t num_gpus, int64_t gpus_per_node);

}  // namespace perfplan::launch
