#pragma once
// The pure core of the profiler: plain activity records (copied out of CUPTI's buffers by the
// adapter in injection.cpp) turned into kernel-database rows. No CUDA or CUPTI headers here, so
// all of it is tested without a GPU (the kineto pattern: a thin CUPTI adapter over a pure core).
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace perfplan::profiler {

// One kernel launch, as CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL reports it. Times are CUPTI
// timestamps in ns (one clock for GPU activity and NVTX markers).
struct KernelRecord {
  std::string mangled_name;
  uint32_t device_id = 0;
  uint32_t context_id = 0;
  uint32_t stream_id = 0;
  std::array<int32_t, 3> grid{};
  std::array<int32_t, 3> block{};
  uint32_t registers_per_thread = 0;
  uint64_t shared_memory_bytes = 0;  // static + dynamic, per block
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint32_t correlation_id = 0;
};

enum class MemoryOpKind { kMemcpy, kMemset };

struct MemoryOpRecord {
  MemoryOpKind kind = MemoryOpKind::kMemcpy;
  std::string copy_kind;  // "HtoD", "DtoH", "DtoD", ... for memcpy; empty for memset
  uint64_t bytes = 0;
  uint32_t device_id = 0;
  uint32_t context_id = 0;
  uint32_t stream_id = 0;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
  uint32_t correlation_id = 0;
};

// A closed NVTX push/pop or start/end range (host-side times on the CUPTI clock).
struct RangeRecord {
  std::string name;
  uint64_t start_ns = 0;
  uint64_t end_ns = 0;
};

// What the `context` header line of a kernel database says about the measurement.
struct ProfileContext {
  std::optional<std::string> gpu;
  std::optional<uint32_t> sm_count;
  std::optional<int> driver_version;  // cuDriverGetVersion, e.g. 13000
  std::optional<int> cuda_version;    // cudaRuntimeGetVersion of the profiled program
  std::optional<uint32_t> cupti_version;
  uint64_t dropped_records = 0;
};

// A record is usable only when both timestamps are set and ordered: a forced flush hands back
// still-running kernels with end == 0, and an exhausted device buffer pool yields start == 0 or
// end < start (research/cupti-profiling.md §4).
bool has_valid_interval(uint64_t start_ns, uint64_t end_ns);

// The readable name of a kernel: the Itanium-ABI demangling, or the name as given when it is
// not a mangled C++ name (C kernels, cuBLAS's "sm90_xmma_...").
std::string demangle_kernel_name(const std::string& mangled);

// Index into `ranges` of the innermost range containing `time_ns` (the containing range that
// started last; ties: the shorter one), or nullopt. Ranges may overlap and nest.
std::optional<size_t> innermost_range_at(std::span<const RangeRecord> ranges, uint64_t time_ns);

// Everything one process recorded, ready to be written. Records with an invalid interval are
// dropped and counted (into context.dropped_records) by write_profile.
struct ProfileRecords {
  ProfileContext context;
  std::vector<KernelRecord> kernels;
  std::vector<MemoryOpRecord> memory_ops;
  std::vector<RangeRecord> ranges;
};

// Pairs NVTX start/end markers by id into closed ranges; starts without an end are ignored.
struct MarkerEvent {
  uint64_t id = 0;
  bool is_start = true;
  uint64_t timestamp_ns = 0;
  std::string name;  // set on start events
};
std::vector<RangeRecord> pair_markers(std::span<const MarkerEvent> events);

// JSON Lines: the context header first, then one "range" line per NVTX range, then one
// "kernel" / "memcpy" / "memset" line per record in start order. A kernel's "nvtx" is the
// innermost range containing its start. Returns the number of records dropped here.
uint64_t write_profile(const ProfileRecords& records, std::ostream& out);

// The single lines, exposed for tests.
std::string context_line(const ProfileContext& context);
std::string kernel_line(const KernelRecord& kernel, const std::optional<std::string>& nvtx);
std::string memory_op_line(const MemoryOpRecord& op);
std::string range_line(const RangeRecord& range);

}  // namespace perfplan::profiler
