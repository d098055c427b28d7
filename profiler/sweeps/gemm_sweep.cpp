// perfplan_gemm_sweep: times cuBLASLt GEMMs over an (m, n, k) grid and dtypes, plus device-to-device
// copies, each repetition inside its own NVTX range so the injection library (CUDA_INJECTION64_PATH)
// attributes the kernels to the case. Range names are the contract with the kernel database:
//   perfplan:gemm:<dtype>:m=<m>,n=<n>,k=<k>
//   perfplan:elementwise:<dtype>:bytes=<bytes read + bytes written>
// Warm-ups run outside any perfplan range. CUDA-event times go to stdout as a sanity check and as
// a CUPTI-less fallback. Methodology: research/cupti-profiling.md §5.1-5.2 (cuBLASLt heuristic #0,
// as frameworks use it; L2 flushed before each timed repetition, nvbench's "cold" measurement).
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// Every CUDA runtime and cuBLASLt call goes through PERFPLAN_CHECK: the message names the call and
// the vendor's error string.
class CudaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status == cudaSuccess) return;
  throw CudaError(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
                  cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
}

void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw CudaError(std::string(call) + " failed at " + file + ":" + std::to_string(line) + ": " +
                  cublasLtGetStatusName(status) + " (" + cublasLtGetStatusString(status) + ")");
}

#define PERFPLAN_CHECK(call) check((call), #call, __FILE__, __LINE__)

constexpr size_t kWorkspaceBytes = size_t{32} << 20;
constexpr size_t kMiB = size_t{1} << 20;

enum class DType { kBf16, kFp16, kFp8 };

struct DTypeInfo {
  const char* name;
  cudaDataType_t input;
  cudaDataType_t output;
  size_t input_bytes;
  size_t output_bytes;
};

DTypeInfo info(DType d) {
  switch (d) {
    case DType::kBf16: return {"bf16", CUDA_R_16BF, CUDA_R_16BF, 2, 2};
    case DType::kFp16: return {"fp16", CUDA_R_16F, CUDA_R_16F, 2, 2};
    case DType::kFp8: return {"fp8", CUDA_R_8F_E4M3, CUDA_R_16BF, 1, 2};  // E4M3 in, bf16 out
  }
  return {"?", CUDA_R_32F, CUDA_R_32F, 4, 4};
}

DType parse_dtype(const std::string& s) {
  if (s == "bf16") return DType::kBf16;
  if (s == "fp16") return DType::kFp16;
  if (s == "fp8") return DType::kFp8;
  throw std::invalid_argument("--dtypes: unknown dtype '" + s + "'; accepted: bf16, fp16, fp8");
}

struct Options {
  std::vector<DType> dtypes{DType::kBf16, DType::kFp16, DType::kFp8};
  // Powers of two: the kernel database interpolates in log space inside the grid and falls back to
  // roofline outside it, so the grid spans the sharded training GEMMs of the catalog (hidden sizes
  // to 16k, FFN widths to 28672 and vocabularies to 32000 bracketed by 32768). About 30 s per
  // 16-bit dtype on an H100.
  std::vector<int64_t> m{256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
  std::vector<int64_t> n = m;
  std::vector<int64_t> k = m;
  int warmup = 3;
  int repeats = 10;
  bool cold = true;
  bool gemm = true;
  bool elementwise = true;
  bool check_device_only = false;
  size_t copy_min_bytes = kMiB;
  size_t copy_max_bytes = size_t{4} << 30;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<int64_t> parse_sizes(const std::string& flag, const std::string& s) {
  std::vector<int64_t> out;
  for (const auto& item : split(s)) {
    size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || v <= 0 || v % 16 != 0) {
      throw std::invalid_argument(flag + ": '" + item + "' is not a positive multiple of 16 (cuBLASLt alignment)");
    }
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument(flag + ": needs at least one size");
  return out;
}

void print_usage() {
  std::puts(
      "perfplan_gemm_sweep [options]\n"
      "  --dtypes LIST      bf16,fp16,fp8 (default all; fp8 only on sm_89+)\n"
      "  --m LIST --n LIST --k LIST   GEMM sizes, multiples of 16 (default 256,512,...,32768)\n"
      "  --warmup N         untimed runs per case outside any range (default 3)\n"
      "  --repeats N        timed runs per case, one NVTX range each (default 10)\n"
      "  --hot              do not flush L2 between repetitions\n"
      "  --no-gemm | --no-elementwise   skip a part\n"
      "  --copy-max-mib N   largest device-to-device copy (default 4096)\n"
      "  --quick            small grid (smoke test)\n"
      "  --check-device     only check for a CUDA device: exit 0 with one, 2 without\n"
      "Run under the injection library to record kernels:\n"
      "  CUDA_INJECTION64_PATH=libperfplan_inject.so PERFPLAN_PROFILE_OUT=gemm.jsonl perfplan_gemm_sweep");
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(arg + ": needs a value");
      return argv[++i];
    };
    auto count = [&](const std::string& v) {
      try {
        return std::stoi(v);
      } catch (const std::exception&) {
        throw std::invalid_argument(arg + ": '" + v + "' is not an integer");
      }
    };
    if (arg == "--help" || arg == "-h") {
      print_usage();
      std::exit(0);
    } else if (arg == "--dtypes") {
      o.dtypes.clear();
      for (const auto& d : split(value())) o.dtypes.push_back(parse_dtype(d));
    } else if (arg == "--m") {
      o.m = parse_sizes(arg, value());
    } else if (arg == "--n") {
      o.n = parse_sizes(arg, value());
    } else if (arg == "--k") {
      o.k = parse_sizes(arg, value());
    } else if (arg == "--warmup") {
      o.warmup = std::max(0, count(value()));
    } else if (arg == "--repeats") {
      o.repeats = std::max(1, count(value()));
    } else if (arg == "--hot") {
      o.cold = false;
    } else if (arg == "--no-gemm") {
      o.gemm = false;
    } else if (arg == "--no-elementwise") {
      o.elementwise = false;
    } else if (arg == "--copy-max-mib") {
      o.copy_max_bytes = static_cast<size_t>(std::max(1, count(value()))) * kMiB;
    } else if (arg == "--check-device") {
      o.check_device_only = true;
    } else if (arg == "--quick") {
      o.m = o.n = o.k = {256, 1024, 4096};
      o.copy_max_bytes = 64 * kMiB;
    } else {
      throw std::invalid_argument("unknown option '" + arg + "' (see --help)");
    }
  }
  return o;
}

// Owns one device allocation.
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) PERFPLAN_CHECK(cudaMalloc(&ptr_, bytes_));
  }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// Random values of magnitude in [2^-5, 1) with random sign, written as raw bits of the dtype so the
// host needs no CUDA half/fp8 headers. Random data matters: all-zero operands draw less power and run
// faster than real training data.
std::vector<uint8_t> random_operand_bytes(DType d, size_t bytes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(bytes);
  if (d == DType::kFp8) {  // E4M3: sign | 4-bit exponent (bias 7) | 3-bit mantissa
    for (auto& b : out) {
      const uint32_t r = rng();
      b = static_cast<uint8_t>(((r & 1u) << 7) | ((2u + (r >> 1) % 5u) << 3) | ((r >> 8) & 7u));
    }
    return out;
  }
  for (size_t i = 0; i + 1 < bytes; i += 2) {
    const uint32_t r = rng();
    uint16_t bits = 0;
    if (d == DType::kBf16) {  // sign | 8-bit exponent (bias 127) | 7-bit mantissa
      bits = static_cast<uint16_t>(((r & 1u) << 15) | ((122u + (r >> 1) % 5u) << 7) | ((r >> 8) & 0x7Fu));
    } else {  // fp16: sign | 5-bit exponent (bias 15) | 10-bit mantissa
      bits = static_cast<uint16_t>(((r & 1u) << 15) | ((10u + (r >> 1) % 5u) << 10) | ((r >> 8) & 0x3FFu));
    }
    std::memcpy(&out[i], &bits, 2);
  }
  return out;
}

// Fills a device buffer by tiling a 64 MiB random host pattern.
void fill_random(const DeviceBuffer& buffer, size_t bytes, DType d, uint32_t seed) {
  const auto pattern = random_operand_bytes(d, std::min(bytes, 64 * kMiB), seed);
  for (size_t offset = 0; offset < bytes; offset += pattern.size()) {
    const size_t chunk = std::min(pattern.size(), bytes - offset);
    PERFPLAN_CHECK(cudaMemcpy(static_cast<uint8_t*>(buffer.get()) + offset, pattern.data(), chunk,
                              cudaMemcpyHostToDevice));
  }
}

struct Device {
  int index = 0;
  std::string name;
  int major = 0, minor = 0, sms = 0, l2_bytes = 0;
  int driver_version = 0, runtime_version = 0;
  size_t total_bytes = 0;
};

Device query_device() {
  Device d;
  PERFPLAN_CHECK(cudaGetDevice(&d.index));
  cudaDeviceProp prop{};
  PERFPLAN_CHECK(cudaGetDeviceProperties(&prop, d.index));
  d.name = prop.name;
  d.total_bytes = prop.totalGlobalMem;
  PERFPLAN_CHECK(cudaDeviceGetAttribute(&d.major, cudaDevAttrComputeCapabilityMajor, d.index));
  PERFPLAN_CHECK(cudaDeviceGetAttribute(&d.minor, cudaDevAttrComputeCapabilityMinor, d.index));
  PERFPLAN_CHECK(cudaDeviceGetAttribute(&d.sms, cudaDevAttrMultiProcessorCount, d.index));
  PERFPLAN_CHECK(cudaDeviceGetAttribute(&d.l2_bytes, cudaDevAttrL2CacheSize, d.index));
  PERFPLAN_CHECK(cudaDriverGetVersion(&d.driver_version));
  PERFPLAN_CHECK(cudaRuntimeGetVersion(&d.runtime_version));
  return d;
}

struct Timing {
  double median_s = 0, min_s = 0, max_s = 0;
};

Timing summarize(std::vector<double> seconds) {
  std::sort(seconds.begin(), seconds.end());
  Timing t;
  t.min_s = seconds.front();
  t.max_s = seconds.back();
  const size_t n = seconds.size();
  t.median_s = n % 2 == 1 ? seconds[n / 2] : 0.5 * (seconds[n / 2 - 1] + seconds[n / 2]);
  return t;
}

// Runs `work` warmup times outside any range, then `repeats` times each inside its own NVTX range
// `range` with CUDA events around it, synchronizing inside the range. `flush` (may be empty) runs before every timed repetition,
// outside the range.
template <typename Work, typename Flush>
Timing time_case(const std::string& range, const Options& o, cudaStream_t stream, Work&& work, Flush&& flush) {
  for (int i = 0; i < o.warmup; ++i) work();
  std::vector<cudaEvent_t> events(2 * static_cast<size_t>(o.repeats));
  for (auto& e : events) PERFPLAN_CHECK(cudaEventCreate(&e));
  PERFPLAN_CHECK(cudaStreamSynchronize(stream));
  for (int i = 0; i < o.repeats; ++i) {
    // The injection library tags a kernel with the range open at its GPU start: the flush must end
    // before the range opens, and the case must end before it closes.
    flush();
    PERFPLAN_CHECK(cudaStreamSynchronize(stream));
    nvtxRangePushA(range.c_str());
    PERFPLAN_CHECK(cudaEventRecord(events[2 * i], stream));
    work();
    PERFPLAN_CHECK(cudaEventRecord(events[2 * i + 1], stream));
    PERFPLAN_CHECK(cudaStreamSynchronize(stream));
    nvtxRangePop();
  }
  std::vector<double> seconds;
  for (int i = 0; i < o.repeats; ++i) {
    float ms = 0;
    PERFPLAN_CHECK(cudaEventElapsedTime(&ms, events[2 * i], events[2 * i + 1]));
    seconds.push_back(ms * 1e-3);
  }
  for (auto& e : events) PERFPLAN_CHECK(cudaEventDestroy(e));
  return summarize(std::move(seconds));
}

// One GEMM configuration: D[m x n] = op(A) * op(B) in cuBLAS column-major "TN" form (A stored k x m
// and transposed, B stored k x n), the layout PyTorch's nn.Linear produces and the one FP8 requires
// on Hopper. Owns its cuBLASLt descriptors.
class Gemm {
 public:
  Gemm(cublasLtHandle_t lt, DType d, int64_t m, int64_t n, int64_t k, const float* scale_one) {
    const DTypeInfo t = info(d);
    PERFPLAN_CHECK(cublasLtMatmulDescCreate(&desc_, CUBLAS_COMPUTE_32F, CUDA_R_32F));
    const cublasOperation_t transpose = CUBLAS_OP_T, no_transpose = CUBLAS_OP_N;
    PERFPLAN_CHECK(cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof(transpose)));
    PERFPLAN_CHECK(
        cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_TRANSB, &no_transpose, sizeof(no_transpose)));
    if (d == DType::kFp8) {
      // Per-tensor scales (1.0): how Transformer Engine calls FP8 GEMMs.
      PERFPLAN_CHECK(
          cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &scale_one, sizeof(scale_one)));
      PERFPLAN_CHECK(
          cublasLtMatmulDescSetAttribute(desc_, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &scale_one, sizeof(scale_one)));
    }
    PERFPLAN_CHECK(cublasLtMatrixLayoutCreate(&a_, t.input, k, m, k));
    PERFPLAN_CHECK(cublasLtMatrixLayoutCreate(&b_, t.input, k, n, k));
    PERFPLAN_CHECK(cublasLtMatrixLayoutCreate(&c_, t.output, m, n, m));
    PERFPLAN_CHECK(cublasLtMatmulPreferenceCreate(&preference_));
    PERFPLAN_CHECK(cublasLtMatmulPreferenceSetAttribute(preference_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                        &kWorkspaceBytes, sizeof(kWorkspaceBytes)));
    int returned = 0;
    PERFPLAN_CHECK(cublasLtMatmulAlgoGetHeuristic(lt, desc_, a_, b_, c_, c_, preference_, 1, &heuristic_, &returned));
    supported_ = returned > 0;
  }
  ~Gemm() {
    if (preference_ != nullptr) cublasLtMatmulPreferenceDestroy(preference_);
    if (c_ != nullptr) cublasLtMatrixLayoutDestroy(c_);
    if (b_ != nullptr) cublasLtMatrixLayoutDestroy(b_);
    if (a_ != nullptr) cublasLtMatrixLayoutDestroy(a_);
    if (desc_ != nullptr) cublasLtMatmulDescDestroy(desc_);
  }
  Gemm(const Gemm&) = delete;
  Gemm& operator=(const Gemm&) = delete;

  bool supported() const { return supported_; }
  size_t workspace_bytes() const { return heuristic_.workspaceSize; }

  void run(cublasLtHandle_t lt, const void* a, const void* b, void* c, void* workspace, cudaStream_t stream) const {
    const float alpha = 1.0f, beta = 0.0f;
    PERFPLAN_CHECK(cublasLtMatmul(lt, desc_, &alpha, a, a_, b, b_, &beta, c, c_, c, c_, &heuristic_.algo, workspace,
                                  kWorkspaceBytes, stream));
  }

 private:
  cublasLtMatmulDesc_t desc_ = nullptr;
  cublasLtMatrixLayout_t a_ = nullptr, b_ = nullptr, c_ = nullptr;
  cublasLtMatmulPreference_t preference_ = nullptr;
  cublasLtMatmulHeuristicResult_t heuristic_{};
  bool supported_ = false;
};

std::string gemm_range(const char* dtype, int64_t m, int64_t n, int64_t k) {
  return std::string("perfplan:gemm:") + dtype + ":m=" + std::to_string(m) + ",n=" + std::to_string(n) +
         ",k=" + std::to_string(k);
}

int run_sweep(const Options& o) {
  int device_count = 0;
  if (const cudaError_t status = cudaGetDeviceCount(&device_count); status != cudaSuccess || device_count == 0) {
    std::fprintf(stderr, "perfplan_gemm_sweep: no CUDA device (cudaGetDeviceCount: %s); nothing measured\n",
                 status == cudaSuccess ? "0 devices" : cudaGetErrorString(status));
    return 2;
  }
  const Device dev = query_device();
  if (o.check_device_only) {
    std::printf("CUDA device %d: %s (sm_%d%d)\n", dev.index, dev.name.c_str(), dev.major, dev.minor);
    return 0;
  }
  const bool has_fp8 = dev.major * 10 + dev.minor >= 89;
  std::printf("# context gpu=\"%s\" sm=%d.%d sms=%d l2_bytes=%d hbm_bytes=%zu driver=%d runtime=%d cublaslt=%zu "
              "timing=%s warmup=%d repeats=%d\n",
              dev.name.c_str(), dev.major, dev.minor, dev.sms, dev.l2_bytes, dev.total_bytes, dev.driver_version,
              dev.runtime_version, cublasLtGetVersion(), o.cold ? "cold-l2" : "hot-l2", o.warmup, o.repeats);

  cudaStream_t stream = nullptr;
  PERFPLAN_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  // nvbench's L2 flush: a memset larger than L2 before each timed repetition (outside its range).
  DeviceBuffer l2_scratch(o.cold ? 2 * static_cast<size_t>(dev.l2_bytes) : 0);
  auto flush_l2 = [&] {
    if (o.cold) PERFPLAN_CHECK(cudaMemsetAsync(l2_scratch.get(), 0, l2_scratch.bytes(), stream));
  };

  int cases = 0, skipped = 0;
  if (o.gemm) {
    cublasLtHandle_t lt = nullptr;
    PERFPLAN_CHECK(cublasLtCreate(&lt));
    const int64_t max_m = *std::max_element(o.m.begin(), o.m.end());
    const int64_t max_n = *std::max_element(o.n.begin(), o.n.end());
    const int64_t max_k = *std::max_element(o.k.begin(), o.k.end());
    const size_t a_bytes = static_cast<size_t>(max_k * max_m) * 2, b_bytes = static_cast<size_t>(max_k * max_n) * 2;
    const size_t c_bytes = static_cast<size_t>(max_m * max_n) * 2;
    DeviceBuffer a(a_bytes), b(b_bytes), c(c_bytes), workspace(kWorkspaceBytes), scale(sizeof(float));
    const float one = 1.0f;
    PERFPLAN_CHECK(cudaMemcpy(scale.get(), &one, sizeof(one), cudaMemcpyHostToDevice));
    for (const DType d : o.dtypes) {
      const DTypeInfo t = info(d);
      if (d == DType::kFp8 && !has_fp8) {
        std::printf("# skip fp8: needs sm_89 or newer, this GPU is sm_%d%d\n", dev.major, dev.minor);
        continue;
      }
      fill_random(a, a_bytes, d, 1);
      fill_random(b, b_bytes, d, 2);
      for (const int64_t m : o.m) {
        for (const int64_t n : o.n) {
          for (const int64_t k : o.k) {
            const Gemm gemm(lt, d, m, n, k, static_cast<const float*>(scale.get()));
            if (!gemm.supported()) {
              std::printf("gemm %s m=%ld n=%ld k=%ld unsupported (no cuBLASLt heuristic)\n", t.name,
                          static_cast<long>(m), static_cast<long>(n), static_cast<long>(k));
              ++skipped;
              continue;
            }
            const Timing time = time_case(
                gemm_range(t.name, m, n, k), o, stream,
                [&] { gemm.run(lt, a.get(), b.get(), c.get(), workspace.get(), stream); }, flush_l2);
            const double flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
            std::printf("gemm %s m=%ld n=%ld k=%ld median_us=%.2f min_us=%.2f max_us=%.2f tflops=%.1f workspace=%zu\n",
                        t.name, static_cast<long>(m), static_cast<long>(n), static_cast<long>(k), time.median_s * 1e6,
                        time.min_s * 1e6, time.max_s * 1e6, flops / time.median_s * 1e-12, gemm.workspace_bytes());
            ++cases;
          }
        }
        std::fflush(stdout);
      }
    }
    PERFPLAN_CHECK(cublasLtDestroy(lt));
  }

  if (o.elementwise) {
    // Device-to-device copy: the pure-bandwidth element-wise op (bf16 identity). `bytes` counts what
    // the op moves through HBM, read plus written. Memset (write only) is timed for the log only.
    size_t max_bytes = o.copy_max_bytes;
    size_t free_bytes = 0, total_bytes = 0;
    PERFPLAN_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    while (max_bytes > kMiB && 2 * max_bytes + (size_t{1} << 30) > free_bytes) max_bytes /= 2;
    DeviceBuffer src(max_bytes), dst(max_bytes);
    PERFPLAN_CHECK(cudaMemset(src.get(), 1, max_bytes));
    for (size_t size = o.copy_min_bytes; size <= max_bytes; size *= 2) {
      const std::string range = "perfplan:elementwise:bf16:bytes=" + std::to_string(2 * size);
      const Timing copy = time_case(
          range, o, stream,
          [&] { PERFPLAN_CHECK(cudaMemcpyAsync(dst.get(), src.get(), size, cudaMemcpyDeviceToDevice, stream)); },
          flush_l2);
      std::printf("copy bytes=%zu median_us=%.2f min_us=%.2f gbps=%.1f\n", 2 * size, copy.median_s * 1e6,
                  copy.min_s * 1e6, 2.0 * static_cast<double>(size) / copy.median_s * 1e-9);
      const Timing set = time_case(
          "memset:bytes=" + std::to_string(size), o, stream,
          [&] { PERFPLAN_CHECK(cudaMemsetAsync(dst.get(), 0, size, stream)); }, flush_l2);
      std::printf("memset bytes=%zu median_us=%.2f min_us=%.2f gbps=%.1f\n", size, set.median_s * 1e6,
                  set.min_s * 1e6, static_cast<double>(size) / set.median_s * 1e-9);
      ++cases;
      std::fflush(stdout);
    }
  }
  PERFPLAN_CHECK(cudaStreamDestroy(stream));
  std::printf("# done cases=%d unsupported=%d\n", cases, skipped);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_sweep(parse_options(argc, argv));
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "perfplan_gemm_sweep: %s\n", e.what());
    return 64;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perfplan_gemm_sweep: %s\n", e.what());
    return 1;
  }
}
