#pragma once
// Compute times from a measured kernel database, operator by operator, with the roofline for
// every operator the database does not cover.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/compute_model.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"

namespace perfplan::predictor {

// An operator's time from measurements alone, or nullopt when the database misses any part of
// it (then the whole operator falls back to the roofline, so no operator mixes the two):
// - GEMM / grouped GEMM (one GEMM per expert, m tokens each): forward (m, n, k); backward the
//   dgrad (m, k, n) and wgrad (k, n, m) GEMMs, the shapes the roofline uses. FP8-capable GEMMs
//   in FP8 training look up fp8 measurements and add the roofline's FP8 cast traffic.
// - Batched GEMM: "bmm" measurements (time per FLOP, whatever their batch), scaled by count.
// - Attention: executed FLOPs at the measured FLOP/s for (s, d, causal), forward and backward;
//   without a backward ("pass=bwd") measurement, backward is the roofline's ratio to forward.
// - Memory-bound operators: forward and backward bytes at the bandwidth measured for the
//   operator's kind ("norm", "softmax", ...), else for "elementwise".
// Only used for the GPU the database was measured on (kerneldb::same_gpu); `gpu` also supplies the launch
// floor and bandwidth of the FP8 cast.
std::optional<OperatorTime> measured_operator_time(const kerneldb::KernelDatabase& db, const model::Operator& op,
                                                   model::DType dtype, const hardware::GpuSpec& gpu);

class KernelDbModel final : public ComputeModel {
 public:
  explicit KernelDbModel(kerneldb::KernelDatabase db) : db_(std::move(db)) {}
  // Measured where the database covers the operator and `gpu` is the database's GPU; the
  // roofline otherwise (also for a database that names no GPU).
  OperatorTime time(const model::Operator& op, model::DType dtype, const hardware::GpuSpec& gpu) const override;
  const kerneldb::KernelDatabase& database() const { return db_; }

 private:
  kerneldb::KernelDatabase db_;
  RooflineModel roofline_;
};

// How much of one step the database covers: operators counted once per layer they appear in.
struct KernelDbCoverage {
  int64_t operators = 0;
  int64_t covered = 0;
  std::vector<std::string> missed;  // distinct "name (kind)" of the operators not covered
};
KernelDbCoverage coverage(const kerneldb::KernelDatabase& db, const model::StepOperators& step, model::DType dtype);

}  // namespace perfplan::predictor
