#pragma once
// What one GPU computes in one micro-batch: batch shape, dtype, recompute and the degrees that
// shard the model's tensors (TP, SP, CP, EP). Pipeline and data parallelism do not change the
// operators of a layer; they belong to the predictor.
#include <cstdint>
#include <string>
#include <string>
#include <string_view>
#include <vector>
#include <vector>

#include "perfplan/model/architecture.hpp"
#include "perfplan/model/attention_kernel.hpp"
#include "perfplan/model/dtype.hpp"

namespace perfplan::model {

// Activation recomputation (Korthikanti et al. 2022, Sec. 5): none, the attention core only
// (selective), or every layer from its input (full).
enum class Recompute { kNone, kSelective, kFull };
Recompute parse_recompute(std::string_view text);
std::string to_string(Recompute recompute);


struct StepConfig {
  int64_t micro_batch_size = 1;
  int64_t seq_len = 4096;
  DType dtype = DType::kBf16;
  int64_t tp = 1;
  bool sequence_parallel = false;
  int64_t cp = 1;
  int64_t ep = 1;
  int64_t etp = 1;  // tensor parallelism inside each expert (Megatron expert_tensor_parallel_size)
  Recompute recompute = Recompute::kNone;
  // Under full recompute, operators (by name, e.g. "qkv_proj") whose outputs are saved instead
  // of recomputed: a named remat policy such as MaxText's save_dot_except_mlpwi. Empty: the
  // whole layer is recomputed from its input.
  std::vector<std::string> recompute_keep;
  AttentionKernel attention = AttentionKernel::kFlash;
  // Tokens each expert computes relative to a perfectly balanced split (>= 1; padding up to the
  // capacity). 1 is dropless routing with balanced load.
  double capacity_factor = 1.0;
  // Megatron pads the vocabulary to a multiple of this times tp (make-vocab-size-divisible-by);
  // 1 keeps the published size.
  int64_t vocab_multiple = 128;
};

// Every reason this configuration cannot shard the architecture, each naming the degree, the
// quantity it must divide and what would be accepted. Empty when it can.
std::vector<std::string> sharding_problems(const Architecture& arch, const StepConfig& config);
// Throws InputError listing sharding_problems().
void validate_sharding(const Architecture& arch, const StepConfig& config);

// Vocabulary rows after Megatron's padding.
int64_t padded_vocab_size(const Architecture& arch, const StepConfig& config);

}  // namespace perfplan::model
