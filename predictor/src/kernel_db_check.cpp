#include "perfplan/predictor/kernel_db_check.hpp"

#include <cstdio>

#include "perfplan/common/input_error.hpp"
#include "perfplan/model/dtype.hpp"

namespace perfplan::predictor {
namespace {

// Datasheet peaks are quoted at a boost clock that the maximum boost clock may exceed (H100
// SXM5: 989.4 dense bf16 TFLOP/s = 132 SMs x 4096 FLOP/clock x 1830 MHz, max boost 1980 MHz,
// +8 %); 10 % covers that and timer granularity. A kernel above it was mis-timed or mis-tagged.
constexpr double kPeakFlopsTolerance = 1.10;
// HBM bandwidth is the pin rate x bus width, which no clock boost raises; streaming kernels reach
// ~90 % of it (STREAM-like on H100: ~3.0 of 3.35 TB/s). 5 % covers timer granularity.
constexpr double kHbmTolerance = 1.05;
// A working set that fits in L2 may be served from it: published last-level cache bandwidths are
// 2-4x HBM (A100 L2 ~5 TB/s vs 2.0 TB/s HBM; MI300X Infinity Cache 17.2 TB/s vs 5.3 TB/s). 10x
// refuses only the impossible (e.g. 1 MB in 1 ns = 1e15 B/s).
constexpr double kCacheOverHbm = 10.0;
// The other side: a kernel longer than 1 ms (past launch-bound sizes, whose floor is ~5-20 us)
// below 1 % of the peak FLOP/s or HBM bandwidth (see physics_violation).
constexpr double kSlowKernelSeconds = 1e-3;
constexpr double kSlowestPeakFraction = 0.01;

std::string rate_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

std::optional<model::DType> dtype_of(const std::string& text) {
  for (const auto dtype : {model::DType::kBf16, model::DType::kFp16, model::DType::kFp8, model::DType::kFp32}) {
    if (model::to_string(dtype) == text) return dtype;
  }
  return std::nullopt;
}

// The FLOPs the lookups credit a measurement with (kernel_db.hpp), 0 for memory-bound ops.
double counted_flops(const kerneldb::KernelDbEntry& e) {
  if (e.op == "gemm" || e.op == "bmm") {
    return 2.0 * e.number("m").value_or(0) * e.number("n").value_or(0) * e.number("k").value_or(0) *
           e.number("batch").value_or(1);
  }
  if (e.op == "attention") {
    const double s = e.number("s").value_or(0);
    const bool backward = e.params.count("pass") && e.params.at("pass") == "bwd";
    double flops = 4.0 * e.number("b").value_or(0) * e.number("h").value_or(0) * s * s * e.number("d").value_or(0) *
                   (backward ? 2.0 : 1.0);
    if (e.number("causal").value_or(0) != 0) flops *= (s + 1.0) / (2.0 * s);
    return flops;
  }
  return 0;
}

}  // namespace

std::optional<std::string> physics_violation(const kerneldb::KernelDbEntry& e, const hardware::GpuSpec& gpu) {
  if (!(e.seconds > 0)) return "takes " + rate_text(e.seconds) + " s";
  if (const double flops = counted_flops(e); flops > 0) {
    const auto dtype = dtype_of(e.dtype);
    const double peak = dtype ? gpu.peak_flops_per_s(*dtype) : 0;
    const double rate = flops / e.seconds;
    if (peak > 0 && rate > kPeakFlopsTolerance * peak) {
      return "faster than it can run: " + rate_text(rate / 1e12) + " TFLOP/s in " + rate_text(e.seconds) + " s, above " +
             rate_text(kPeakFlopsTolerance * peak / 1e12) + " (" + rate_text(kPeakFlopsTolerance * 100) + " % of " + gpu.name + "'s " + e.dtype + " peak of " +
             rate_text(peak / 1e12) + " TFLOP/s)";
    }
    // Too slow to be this GPU's kernel: past the launch-bound regime (kSlowKernelSeconds) even a
    // CUDA-core fallback runs at several % of the tensor-core peak (H100: fp32 67 of bf16 989
    // TFLOP/s, NVIDIA H100 datasheet), so below kSlowestPeakFraction the GPU was shared,
    // throttled or the file is wrong.
    if (peak > 0 && e.seconds > kSlowKernelSeconds && rate < kSlowestPeakFraction * peak) {
      return "slower than it can run: " + rate_text(rate / 1e12) + " TFLOP/s in " + rate_text(e.seconds) +
             " s, below " + rate_text(kSlowestPeakFraction * 100) + " % of " + gpu.name + "'s " + e.dtype +
             " peak of " + rate_text(peak / 1e12) + " TFLOP/s";
    }
    return std::nullopt;
  }
  const auto bytes = e.number("bytes");
  if (!bytes || !(gpu.hbm_bytes_per_s > 0)) return std::nullopt;
  const double rate = *bytes / e.seconds;
  const bool in_cache = *bytes <= gpu.l2_bytes;
  const double bound = (in_cache ? kCacheOverHbm : kHbmTolerance) * gpu.hbm_bytes_per_s;
  if (e.seconds > kSlowKernelSeconds && rate < kSlowestPeakFraction * gpu.hbm_bytes_per_s) {
    return "slower than it can run: " + rate_text(rate / 1e9) + " GB/s in " + rate_text(e.seconds) + " s, below " +
           rate_text(kSlowestPeakFraction * 100) + " % of " + gpu.name + "'s HBM bandwidth of " +
           rate_text(gpu.hbm_bytes_per_s / 1e9) + " GB/s";
  }
  if (rate > bound) {
    return "faster than it can run: " + rate_text(rate / 1e9) + " GB/s in " + rate_text(e.seconds) + " s, above " + rate_text(bound / 1e9) +
           " GB/s (" + (in_cache ? rate_text(kCacheOverHbm) + "x" : rate_text(kHbmTolerance * 100) + " % of") + " " + gpu.name + "'s HBM bandwidth of " +
           rate_text(gpu.hbm_bytes_per_s / 1e9) + " GB/s" +
           (in_cache ? ", the bound for a working set that fits in L2)" : ")");
  }
  return std::nullopt;
}

void check_kernel_db_for_gpu(const kerneldb::KernelDatabase& db, const hardware::GpuSpec& gpu) {
  const std::string& measured_on = db.context().gpu;
  if (measured_on.empty()) {
    throw InputError(db.origin() + ": context.gpu is empty, so the GPU it was measured on is unknown and it cannot be "
                     "matched with the cluster's " + gpu.name + "; re-import the trace with `perfplan kernels import "
                     "TRACE --gpu NAME`, set context.gpu in the file, or use --no-kernels");
  }
  if (!kerneldb::same_gpu(measured_on, gpu.name)) {
    throw InputError(db.origin() + ": measured on " + measured_on + ", but the cluster's GPU is " + gpu.name +
                     "; give a kernel database of that GPU, or --no-kernels");
  }
  for (const auto& entry : db.entries()) {
    if (const auto why = physics_violation(entry, gpu)) {
      std::string tag = "perfplan:" + entry.op + ":" + entry.dtype + ":";
      bool first = true;
      for (const auto& [key, value] : entry.params) {
        tag += (first ? "" : ",") + key + "=" + value;
        first = false;
      }
      throw InputError(db.origin() + ": measurement " + tag + " on " + gpu.name + " is " + *why +
                       "; re-measure it (accepted: at most the GPU's peak, and above " +
                       rate_text(kSlowestPeakFraction * 100) + " % of it for kernels longer than " +
                       rate_text(kSlowKernelSeconds * 1e3) + " ms)");
    }
  }
}

std::shared_ptr<const KernelDbModel> default_kernel_model(const std::filesystem::path& kernels_dir,
                                                          const hardware::GpuSpec& gpu) {
  auto db = kerneldb::load_kernel_db_for_gpu(kernels_dir, gpu.name);
  if (!db) return nullptr;
  check_kernel_db_for_gpu(*db, gpu);
  return std::make_shared<const KernelDbModel>(std::move(*db));
}

}  // namespace perfplan::predictor
