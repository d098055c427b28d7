#include "perfplan/predictor/kernel_db_model.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "perfplan/common/input_error.hpp"

namespace perfplan::predictor {
namespace {

using model::DType;
using model::OpKind;

std::optional<OperatorTime> gemm_time(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype,
                                      const hardware::GpuSpec& gpu) {
  const auto& g = *op.gemm;
  if (dtype == DType::kFp8 && !op.fp8_capable) dtype = DType::kBf16;
  const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
  const double count = static_cast<double>(g.count);
  if (m <= 0 || n <= 0 || k <= 0 || count <= 0) return OperatorTime{};
  const auto forward = db.gemm_seconds(dtype, m, n, k);
  const auto dgrad = db.gemm_seconds(dtype, m, k, n);
  const auto wgrad = db.gemm_seconds(dtype, k, n, m);
  if (!forward || !dgrad || !wgrad) return std::nullopt;
  OperatorTime t;
  t.forward_s = count * *forward;
  t.weight_grad_s = count * *wgrad;
  t.backward_s = count * *dgrad + t.weight_grad_s;
  if (dtype == DType::kFp8) {
    // The cast of the input and of the output gradient, as the roofline counts it (6 bytes per
    // element: amax, cast, transposed copy).
    const auto cast = [&](double elements) {
      return db.memory_seconds("elementwise", DType::kBf16, elements * 6.0).value_or(memory_time(elements * 6.0, gpu));
    };
    t.forward_s += count * cast(m * k);
    t.backward_s += count * cast(m * n);
  }
  return t;
}

std::optional<OperatorTime> batched_gemm_time(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype) {
  const auto& g = *op.gemm;
  const DType precision = dtype == DType::kFp8 ? DType::kBf16 : dtype;
  const double m = static_cast<double>(g.m), n = static_cast<double>(g.n), k = static_cast<double>(g.k);
  const double count = static_cast<double>(g.count);
  const auto forward = db.gemm_seconds(precision, m, n, k, count, "bmm");
  const auto dgrad = db.gemm_seconds(precision, m, k, n, count, "bmm");
  const auto wgrad = db.gemm_seconds(precision, k, n, m, count, "bmm");
  if (!forward || !dgrad || !wgrad) return std::nullopt;
  return OperatorTime{*forward, *dgrad + *wgrad, 0.0};
}

std::optional<OperatorTime> attention_time(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype,
                                          const hardware::GpuSpec& gpu) {
  if (!op.attention) return std::nullopt;
  const auto& a = *op.attention;
  const DType precision = dtype == DType::kFp8 ? DType::kBf16 : dtype;
  const double seq = static_cast<double>(a.seq), head_dim = static_cast<double>(a.head_dim);
  const auto forward_rate = db.attention_flops_per_s(precision, seq, head_dim, a.causal, false);
  if (!forward_rate) return std::nullopt;
  OperatorTime t;
  t.forward_s = op.executed_forward_flops() / *forward_rate;
  const auto backward_rate = db.attention_flops_per_s(precision, seq, head_dim, a.causal, true);
  t.backward_s = backward_rate ? op.executed_backward_flops() / *backward_rate : attention_backward_time(t.forward_s, gpu);
  return t;
}

std::optional<double> memory_pass(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype, double bytes) {
  // Activations stay in bf16 under FP8 training.
  const DType precision = dtype == DType::kFp8 ? DType::kBf16 : dtype;
  if (auto own = db.memory_seconds(model::to_string(op.kind), precision, bytes)) return own;
  return db.memory_seconds("elementwise", precision, bytes);
}

std::optional<OperatorTime> memory_bound_time(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype) {
  const auto forward = memory_pass(db, op, dtype, op.forward_bytes);
  const auto backward = memory_pass(db, op, dtype, op.backward_bytes);
  if (!forward || !backward) return std::nullopt;
  return OperatorTime{*forward, *backward, 0.0};
}

}  // namespace

std::optional<OperatorTime> measured_operator_time(const kerneldb::KernelDatabase& db, const model::Operator& op, DType dtype,
                                                   const hardware::GpuSpec& gpu) {
  switch (op.kind) {
    case OpKind::kGemm:
    case OpKind::kGroupedGemm:
      return op.gemm ? gemm_time(db, op, dtype, gpu) : std::nullopt;
    case OpKind::kBatchedGemm:
      return op.gemm ? batched_gemm_time(db, op, dtype) : std::nullopt;
    case OpKind::kAttention:
      return attention_time(db, op, dtype, gpu);
    default:
      return memory_bound_time(db, op, dtype);
  }
}

OperatorTime KernelDbModel::time(const model::Operator& op, DType dtype, const hardware::GpuSpec& gpu) const {
  // A database that names no GPU serves none (check_kernel_db_for_gpu refuses it up front).
  if (!db_.context().gpu.empty() && kerneldb::same_gpu(db_.context().gpu, gpu.name)) {
    if (auto measured = measured_operator_time(db_, op, dtype, gpu)) return *measured;
  }
  return roofline_.time(op, dtype, gpu);
}

KernelDbCoverage coverage(const kerneldb::KernelDatabase& db, const model::StepOperators& step, DType dtype) {
  KernelDbCoverage c;
  std::set<std::string> missed;
  const hardware::GpuSpec gpu;  // only the FP8 cast's fallback reads it; its time is not used here
  auto count = [&](const std::vector<model::Operator>& ops, int64_t times) {
    for (const auto& op : ops) {
      c.operators += times;
      if (measured_operator_time(db, op, dtype, gpu)) {
        c.covered += times;
      } else {
        missed.insert(op.name + " (" + model::to_string(op.kind) + ")");
      }
    }
  };
  count(step.embedding, 1);
  for (const auto& layer : step.layer_kinds) count(layer.ops, layer.count);
  count(step.head, 1);
  for (const auto& layer : step.mtp) count(layer.ops, layer.count);
  c.missed.assign(missed.begin(), missed.end());
  return c;
}

}  // namespace perfplan::predictor
