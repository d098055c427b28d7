#pragma once
// One operator of a training step on one GPU: its shape, work, memory and the communication it
// implies. Times are not here: the predictor turns these into seconds.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/model/attention_kernel.hpp"

namespace perfplan::model {

enum class OpKind {
  kEmbedding,
  kGemm,         // one matrix multiply with weights
  kGroupedGemm,  // the local experts' GEMMs, one per expert
  kBatchedGemm,  // weight-free batched GEMM (unfused attention scores / context)
  kAttention,    // fused attention core (FlashAttention)
  kSoftmax,
  kDropout,
  kNorm,
  kActivation,
  kElementwise,  // residual adds, bias, sink and gate arithmetic
  kRotary,
  kRouter,       // top-k selection over router logits
  kPermute,      // MoE token dispatch / combine (gather-scatter)
  kLoss,
};
std::string to_string(OpKind kind);

enum class CommKind { kAllReduce, kAllGather, kReduceScatter, kAllToAll, kRingExchange };
std::string to_string(CommKind kind);

// Which process group a collective runs in.
enum class CommGroup { kTp, kCp, kEp, kEtp };
std::string to_string(CommGroup group);

enum class Pass { kForward, kBackward };
std::string to_string(Pass pass);

// A collective an operator implies. `bytes` is the size of the full buffer in the NCCL-tests
// sense: the all-reduce buffer, the all-gather output, the reduce-scatter input, the all-to-all
// send buffer of this rank; for a CP ring exchange, everything this rank sends over the ring.
struct Communication {
  CommKind kind = CommKind::kAllReduce;
  CommGroup group = CommGroup::kTp;
  int64_t group_size = 1;
  Pass pass = Pass::kForward;
  double bytes = 0;
  // The forward all-to-all that carries tokens to their experts (a node-aware dispatcher sends
  // them in FP8 under FP8 training; the combine stays in bf16).
  bool token_dispatch = false;
};

// GEMM shape on one GPU: `count` independent (m x k) * (k x n) products.
struct GemmShape {
  int64_t m = 0;
  int64_t n = 0;
  int64_t k = 0;
  int64_t count = 1;
};

// A fused attention core's kernel shape on one GPU: `batch` sequences x `heads` query heads,
// `seq` queries each (the sequence on this CP rank), head dimension `head_dim` (of Q and K).
struct AttentionShape {
  int64_t batch = 0;
  int64_t heads = 0;
  int64_t seq = 0;
  int64_t head_dim = 0;
  bool causal = true;
  AttentionKernel kernel = AttentionKernel::kFlash;
};

struct Operator {
  std::string name;
  OpKind kind = OpKind::kElementwise;
  std::optional<GemmShape> gemm;
  // FLOPs on this GPU under the dense convention used for MFU (GEMM = 2mnk; attention counts the
  // full s x s score matrix, as Megatron's formula does).
  double forward_flops = 0;
  double backward_flops = 0;
  // Fraction of those FLOPs the kernel actually executes (causal attention skips the masked
  // upper triangle); 1 for everything else.
  double executed_fraction = 1.0;
  // HBM bytes read plus written.
  double forward_bytes = 0;
  double backward_bytes = 0;
  int64_t parameters = 0;         // held on this GPU
  double active_fraction = 1.0;   // of those parameters, the fraction one token uses (experts: k/E)
  double activation_bytes = 0;    // kept from forward to backward, under the recompute mode
  bool recomputed = false;        // forward runs again during backward
  // A weight GEMM that FP8 training runs in FP8 (Transformer Engine linear layers). Megatron's
  // LM head and the MoE router stay in bf16.
  bool fp8_capable = false;
  // Kernels launched per pass in eager execution (PyTorch + Megatron-Core + Transformer Engine).
  // The host enqueues each one; short kernels can leave the GPU waiting on the host.
  int forward_kernels = 1;
  int backward_kernels = 2;
  // The forward pass waits for a device-to-host copy (Megatron's all-to-all dispatcher reads the
  // tokens per expert on the host), which drains the launch queue.
  bool host_sync = false;
  std::vector<Communication> communication;
  std::optional<AttentionShape> attention;  // kAttention: the shape a kernel database looks up

  double executed_forward_flops() const { return forward_flops * executed_fraction; }
  double executed_backward_flops() const { return backward_flops * executed_fraction; }
};

}  // namespace perfplan::model
