#pragma once
// Physically plausible ranges of hardware spec figures, in the vendor units the files use
// (private to the hardware module). The file readers quote a value out of range as written; the
// structs' problems() check the same ranges in SI units. Each range is wide: a value outside it
// is a unit slip or a typo, not a GPU or link that exists (published hardware up to 2026).
#include <cstdio>
#include <string>

namespace perfplan::hardware::detail {

struct Bound {
  double low;
  double high;
  const char* unit;
};

// Dense peak per GPU, any type. Low: 100x below the slowest FP32 peak of a training GPU (T4,
// 8.1 TFLOP/s). High: 200x above the fastest dense figure published (GB200 FP8, 5,000 TFLOP/s).
inline constexpr Bound kPeakTflops{0.1, 1e6, "TFLOP/s"};
// SMs (CUs on AMD). High: more than 10x the largest published (MI300X, 304 CUs; B200, 148 SMs).
inline constexpr Bound kSmCount{1, 4096, "SMs"};
// Datasheet memory. Low: 16x below the smallest training GPU (16 GB V100 / T4); high: more than
// 100x the largest published (288 GB, B300 / MI355X).
inline constexpr Bound kHbmGb{1, 32768, "GB"};
inline constexpr Bound kHbmUsableMib{1024, 32768.0 * 1024, "MiB"};
// Memory bandwidth. Low: 30x below T4's GDDR6 (320 GB/s); high: 45x above the fastest published
// (Rubin, 22 TB/s announced for 2026).
inline constexpr Bound kHbmGbPerS{10, 1e6, "GB/s"};
// L2 (last-level) cache. Low: 16x below T4's 4 MiB; high: 32x above B200's 126.5 MiB.
inline constexpr Bound kL2Mib{0.25, 4096, "MiB"};
// Scale-up bandwidth per GPU, one direction (GPU nvlink_gb_per_s, scale-up links). Low: a
// PCIe 1.0 x4 link (1 GB/s); high: 100x NVLink 6 (Rubin, 1.8 TB/s per direction).
inline constexpr Bound kScaleUpGbPerS{1, 2e5, "GB/s"};
// NIC line rate per direction. Low: 1 GbE; high: 125x the fastest published NIC (1.6 Tb/s).
inline constexpr Bound kNicGbitPerS{1, 2e5, "Gb/s"};
// Per-hop latency. Low: 10 ns, light through ~2 m of cable (NCCL's smallest hop is ~1-2 us);
// high: 1 ms, over 100x an inter-node NCCL hop (~5-8 us).
inline constexpr Bound kLatencyUs{0.01, 1000, "us"};

// GPUs in one scale-up domain. High: 100x the largest published (NVLink 5, GB200 NVL576).
inline constexpr Bound kDomainGpus{1, 57600, "GPUs"};

inline std::string bound_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

// "must be between 0.1 and 1000000 TFLOP/s"
inline std::string bound_text(const Bound& bound) {
  return "must be between " + bound_number(bound.low) + " and " + bound_number(bound.high) + " " + bound.unit;
}

}  // namespace perfplan::hardware::detail
