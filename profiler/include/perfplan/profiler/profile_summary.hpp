#pragma once
// Summary of a kernel database (JSON Lines written by the injection library): top kernels by
// total GPU time, kernels per NVTX range, and time per step. Pure: reads a stream, returns a
// struct; `perfplan profile` renders it.
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace perfplan::profiler {

struct KernelTotal {
  std::string name;
  uint64_t count = 0;
  uint64_t total_ns = 0;
  double share = 0.0;  // of all kernel time in the file
};

struct RangeTotal {
  std::string name;  // "(none)" for kernels outside any NVTX range
  uint64_t kernel_count = 0;
  uint64_t kernel_ns = 0;
};

struct StepSummary {
  std::string range_name;
  uint64_t count = 0;
  double mean_duration_ns = 0.0;  // from the range's own start/end (host-side)
  double mean_kernel_ns = 0.0;    // GPU kernel time starting inside each step, averaged
};

struct ProfileSummary {
  std::optional<std::string> gpu;
  uint64_t dropped_records = 0;
  uint64_t kernel_count = 0;
  uint64_t kernel_ns = 0;
  uint64_t memcpy_count = 0;
  uint64_t memcpy_bytes = 0;
  uint64_t memcpy_ns = 0;
  uint64_t memset_count = 0;
  uint64_t memset_ns = 0;
  std::vector<KernelTotal> kernels;  // by total time, descending
  std::vector<RangeTotal> ranges;    // by kernel time, descending
  std::optional<StepSummary> steps;  // when a step range name was given
};

struct SummaryOptions {
  // Ranges whose name equals this or begins with it ("step" matches "step 3") are steps.
  std::optional<std::string> steps_range;
};

// Throws perfplan::InputError naming `source_name` and the line number on a malformed line.
ProfileSummary summarize_profile(std::istream& in, const std::string& source_name, const SummaryOptions& options);

}  // namespace perfplan::profiler
