#include "perfplan/model/operator.hpp"

namespace perfplan::model {

std::string to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kEmbedding: return "embedding";
    case OpKind::kGemm: return "gemm";
    case OpKind::kGroupedGemm: return "grouped_gemm";
    case OpKind::kBatchedGemm: return "batched_gemm";
    case OpKind::kAttention: return "attention";
    case OpKind::kSoftmax: return "softmax";
    case OpKind::kDropout: return "dropout";
    case OpKind::kNorm: return "norm";
    case OpKind::kActivation: return "activation";
    case OpKind::kElementwise: return "elementwise";
    case OpKind::kRotary: return "rotary";
    case OpKind::kRouter: return "router";
    case OpKind::kPermute: return "permute";
    case OpKind::kLoss: return "loss";
  }
  return "?";
}

std::string to_string(CommKind kind) {
  switch (kind) {
    case CommKind::kAllReduce: return "all_reduce";
    case CommKind::kAllGather: return "all_gather";
    case CommKind::kReduceScatter: return "reduce_scatter";
    case CommKind::kAllToAll: return "all_to_all";
    case CommKind::kRingExchange: return "ring_exchange";
  }
  return "?";
}

std::string to_string(CommGroup group) {
  switch (group) {
    case CommGroup::kTp: return "tp";
    case CommGroup::kCp: return "cp";
    case CommGroup::kEp: return "ep";
    case CommGroup::kEtp: return "etp";
  }
  return "?";
}

std::string to_string(Pass pass) { return pass == Pass::kForward ? "forward" : "backward"; }

}  // namespace perfplan::model
