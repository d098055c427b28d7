#pragma once
// A measured kernel database (hardware_specs/kernels/<gpu>.jsonl): the kernel records the
// profiler or `perfplan kernels import` writes, reduced to one mean time per tagged measurement,
// and looked up by (op, dtype, shape) with log-space interpolation between measured shapes.
//
// File format (JSON Lines): the first line is {"context": {"schema_version": 1, "gpu": ...,
// "source": "cupti" | "kineto" | "sweep", ...}}; then one record per line. Records of type
// "kernel", "memcpy" and "memset" carry "start_ns", "end_ns" (or "duration_ns") and "nvtx" (the
// innermost NVTX range around them, or null); "range" records carry "name", "start_ns",
// "end_ns". Other record types are ignored. A measurement is a range named
//   perfplan:<op>:<dtype>:<key>=<value>,...
// e.g. "perfplan:gemm:bf16:m=4096,n=4096,k=4096": the kernels of one occurrence of the range
// are summed, and the occurrences averaged.
//
// Tags are read strictly by parse_measurement_tag (measurement_tag.hpp: the ops, dtypes and
// keys accepted); a malformed tag, or a measurement whose kernels take 0 s, is an InputError.
// What the keys mean to the lookups:
//   gemm       m, n, k            (one GEMM, 2mnk FLOPs); bmm adds batch
//   attention  b, h, s, d, causal (0|1), pass (fwd|bwd): FlashAttention on b x h heads of s x s
//   <memory op> bytes             HBM bytes read plus written (op "elementwise", "norm", ...)
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfplan/model/dtype.hpp"

namespace perfplan::kerneldb {

struct KernelDbEntry {
  std::string op;     // "gemm", "attention", "elementwise", ...
  std::string dtype;  // as tagged: "bf16", "fp8", ...
  std::map<std::string, std::string> params;  // shape keys as tagged
  double seconds = 0;  // mean over occurrences of the summed kernel time of one occurrence
  int64_t samples = 0; // occurrences measured

  // A numeric shape key, or nullopt when absent or not a number.
  std::optional<double> number(const std::string& key) const;
};

struct KernelDbContext {
  int schema_version = 1;
  std::string source;  // cupti | kineto | sweep
  std::string gpu;     // as written: catalog name or CUDA device name
  std::string driver;
  std::string cuda;
};

class KernelDatabase {
 public:
  // Reads a JSONL kernel database. InputError naming the file and line on malformed input.
  static KernelDatabase load(const std::filesystem::path& path);
  // The same from text; `origin` names it in errors.
  static KernelDatabase parse(std::string_view jsonl, const std::string& origin);

  const KernelDbContext& context() const { return context_; }
  const std::vector<KernelDbEntry>& entries() const { return entries_; }
  const std::string& origin() const { return origin_; }

  // Seconds of one (m x k) * (k x n) GEMM (`op` "gemm"; "bmm" for batched: seconds of the
  // whole batch of `batch`). Exact match, else interpolation of seconds per FLOP in
  // (log m, log n, log k): trilinear on the measured grid when the 8 surrounding grid points are
  // measured, else inverse-distance weighting of the 8 nearest measurements in log space.
  // nullopt outside the measured box (below the smallest or above the largest m, n or k).
  std::optional<double> gemm_seconds(model::DType dtype, double m, double n, double k, double batch = 1.0,
                                     std::string_view op = "gemm") const;

  // Executed FLOP/s of FlashAttention at query length `seq` and head dimension `head_dim`,
  // forward (`backward` false) or backward. Executed FLOPs of a measurement: forward
  // 4*b*h*s^2*d, backward twice that (the Operator convention), times (s+1)/(2s) when causal.
  // Interpolated in log(s) between measurements of the same (dtype, d, causal, pass); nullopt
  // outside the measured range of s or without that head dimension.
  std::optional<double> attention_flops_per_s(model::DType dtype, double seq, double head_dim, bool causal,
                                              bool backward) const;

  // Seconds to move `bytes` (read plus written) in a memory-bound kernel of `op` ("norm",
  // "elementwise", ...): achieved bandwidth interpolated in log(bytes), nullopt outside the
  // measured range or without measurements of that op and dtype.
  std::optional<double> memory_seconds(std::string_view op, model::DType dtype, double bytes) const;

 private:
  // Lookup tables built once by parse(); keys "op:dtype" (GEMM, memory) and
  // "dtype:d:causal:pass" (attention).
  struct GemmTable {
    std::vector<double> m, n, k;  // distinct measured values, sorted
    std::map<std::array<double, 3>, double> seconds_per_flop;
  };
  struct Curve {
    std::vector<double> x, y;  // sorted by x; y the rate (FLOP/s or bytes/s)
  };
  void build_tables();

  KernelDbContext context_;
  std::vector<KernelDbEntry> entries_;
  std::string origin_;
  std::map<std::string, GemmTable> gemm_;
  std::map<std::string, Curve> attention_;
  std::map<std::string, Curve> memory_;
};

// Whether two GPU names denote the same GPU type, so that a database measured on the CUDA
// device "NVIDIA H100 80GB HBM3" serves the catalog GPU "H100-SXM5-80GB". A name reduces to
// (family, form factor, memory): the family is the first token with letters and digits (h100,
// a100, mi300x, gb200); the form factor is "pcie" or "nvl" when a token says so, else "sxm"
// (SXM / HBM modules, the catalog's default); memory is the "<N>GB" token when present. Names
// match when family and form factor agree and the memory agrees or one of them omits it.
struct GpuIdentity {
  std::string family;
  std::string form_factor;
  int64_t memory_gb = 0;  // 0: not in the name
};
GpuIdentity gpu_identity(std::string_view name);
bool same_gpu(std::string_view a, std::string_view b);

// hardware_specs/kernels/<gpu name, lower case>.jsonl (e.g. h100-sxm5-80gb.jsonl), and the
// database in it when present. InputError when the file is malformed, names no GPU
// (context.gpu null or empty) or was measured on another GPU.
std::filesystem::path kernel_db_path_for_gpu(const std::filesystem::path& kernels_dir, std::string_view gpu_name);
std::optional<KernelDatabase> load_kernel_db_for_gpu(const std::filesystem::path& kernels_dir, std::string_view gpu_name);

}  // namespace perfplan::kerneldb
