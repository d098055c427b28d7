#pragma once
// Documented upper bounds on sizes perfplan accepts, checked where input enters (files, flags,
// library calls) before anything is allocated or multiplied: each is far above any real model
// or cluster (the largest published runs use ~100k GPUs, ~128 layers, 1M-token contexts), so
// a value beyond one is a mistake, refused with the bound in the message.
#include <cstdint>
#include <optional>

namespace perfplan::limits {

inline constexpr int64_t kMaxGpus = int64_t{1} << 20;          // GPUs in one cluster
inline constexpr int64_t kMaxDegree = int64_t{1} << 20;        // any one parallel degree
inline constexpr int64_t kMaxGlobalBatch = int64_t{1} << 24;   // sequences per step
inline constexpr int64_t kMaxSeqLen = int64_t{1} << 24;        // tokens per sequence
inline constexpr int64_t kMaxMicroBatch = int64_t{1} << 16;    // sequences per micro-batch
inline constexpr int64_t kMaxLayers = int64_t{1} << 16;        // transformer layers
inline constexpr int64_t kMaxWidth = int64_t{1} << 24;         // hidden / FFN / vocabulary / heads sizes
inline constexpr int64_t kMaxExperts = int64_t{1} << 16;
inline constexpr unsigned kMaxThreads = 1024;
inline constexpr double kMaxTokens = 1e18;                     // training tokens
// Events in one timeline (--trace): about 150 bytes each in the Chrome trace, so ~150 MB, what
// Perfetto's UI still opens; a longer step is refused rather than built in memory.
// Bytes of one input file read whole (JSON, kernel databases, traces): the parsed form takes
// several times this, so 512 MiB already needs gigabytes; torch.profiler traces of one step
// are tens of MB.
inline constexpr int64_t kMaxInputFileBytes = int64_t{512} << 20;
// Cells of one throughput matrix (jobs x GPU types x counts): at the ~2 ms a cell takes on a
// 2-core machine (bench_throughput_matrix), 100,000 cells are minutes of search.
inline constexpr int64_t kMaxMatrixCells = 100000;
inline constexpr int64_t kMaxTimelineEvents = int64_t{1} << 20;

// a x b, or nullopt when it overflows int64.
inline std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

}  // namespace perfplan::limits
