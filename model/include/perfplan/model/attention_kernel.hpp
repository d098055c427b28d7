#pragma once
// Which kernel runs the attention core.
#include <string>
#include <string_view>

namespace perfplan::model {

// kFlash: the framework's fused attention kernel as Transformer Engine picks it (cuDNN fused
// attention on Hopper and later, FlashAttention-2 on Ampere; NeMo memory-optimisation docs).
// kFlash2: FlashAttention-2 (flash-attn, PyTorch SDPA's flash backend). kFlash3:
// FlashAttention-3 (Hopper). kUnfused: Megatron's scores -> softmax -> dropout -> context
// sequence that materialises the s x s scores.
enum class AttentionKernel { kFlash, kUnfused, kFlash2, kFlash3 };
AttentionKernel parse_attention_kernel(std::string_view text);
std::string to_string(AttentionKernel kernel);

}  // namespace perfplan::model
