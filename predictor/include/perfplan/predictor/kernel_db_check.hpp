#pragma once
// Whether a measured kernel database may serve a GPU: it must name the GPU it was measured on,
// that GPU must be `gpu`, and no measurement may beat the GPU's physics (peak FLOP/s for GEMM
// and attention, HBM bandwidth for memory-bound kernels). Checked where a database meets a GPU
// (perfplan predict), before any prediction uses it.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "perfplan/hardware/hardware.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"

namespace perfplan::predictor {

// Why `entry` is physically impossible on `gpu` (the rate it implies and the bound), nullopt
// when it is possible. The bounds: executed FLOP/s at most kPeakFlopsTolerance x the dense peak
// of its dtype; bytes/s at most kHbmTolerance x the HBM bandwidth when `bytes` exceeds the L2,
// else at most kCacheOverHbm x it.
std::optional<std::string> physics_violation(const kerneldb::KernelDbEntry& entry, const hardware::GpuSpec& gpu);

// InputError naming the database when it names no GPU, was measured on another GPU, or holds a
// measurement physics_violation refuses (the first such, with its tag).
void check_kernel_db_for_gpu(const kerneldb::KernelDatabase& db, const hardware::GpuSpec& gpu);

// The GPU's default database (`kernels_dir`/<gpu>.jsonl), checked as above, as a compute model;
// null when there is none (then the roofline serves).
std::shared_ptr<const KernelDbModel> default_kernel_model(const std::filesystem::path& kernels_dir,
                                                          const hardware::GpuSpec& gpu);

}  // namespace perfplan::predictor
