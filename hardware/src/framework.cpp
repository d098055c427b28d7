#include "perfplan/hardware/framework.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace perfplan::hardware {

KernelCount FrameworkSpec::kernels(const std::string& op_name, KernelCount model_count) const {
  const auto it = kernels_per_op.find(op_name);
  return it == kernels_per_op.end() ? model_count : it->second;
}

double FrameworkSpec::dp_bucket_params(int64_t dp_size) const {
  return std::max(dp_bucket_min_params, dp_bucket_params_per_rank * static_cast<double>(dp_size));
}

std::vector<int64_t> release_key(const std::string& version) {
  std::vector<int64_t> key;
  size_t i = version.find_first_of("0123456789");
  while (i != std::string::npos && i < version.size() && std::isdigit(static_cast<unsigned char>(version[i]))) {
    int64_t part = 0;
    while (i < version.size() && std::isdigit(static_cast<unsigned char>(version[i])) && part < 100000000) {
      part = part * 10 + (version[i++] - '0');
    }
    key.push_back(part);
    if (i + 1 < version.size() && version[i] == '.' && std::isdigit(static_cast<unsigned char>(version[i + 1]))) {
      ++i;
    } else {
      break;
    }
  }
  return key;
}

namespace {

// Lexicographic, missing parts as 0 ("0.8" == "0.8.0").
int compare_keys(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const int64_t x = i < a.size() ? a[i] : 0, y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

constexpr int64_t kFirstYear = 1990;

int64_t year_of(const std::string& released) {
  const auto key = release_key(released);
  return key.empty() ? 0 : key.front();
}

}  // namespace

FrameworkSpec FrameworkSpec::at_release(const std::string& version, std::string& note) const {
  note.clear();
  // Candidates: the newest release (index releases.size()) and the earlier ones.
  const size_t newest = releases.size();
  const auto name_of = [&](size_t i) { return i == newest ? release : releases[i].release; };
  const auto released_of = [&](size_t i) { return i == newest ? released : releases[i].released; };
  const std::vector<int64_t> asked = release_key(version);
  const std::string label = name + " " + version;
  size_t pick = newest;
  if (release.empty()) {
    // The profile describes no numbered release: nothing to match.
  } else if (asked.empty()) {
    if (!version.empty()) note = label + ": no release number to match; predicted as the newest, " + release;
  } else if (asked.size() == 1 && asked[0] >= kFirstYear && (release_key(release).empty() || release_key(release)[0] < kFirstYear)) {
    // A year: the latest release published in or before it.
    bool found = false;
    for (size_t i = 0; i <= newest; ++i) {
      const int64_t year = year_of(released_of(i));
      if (year > 0 && year <= asked[0] && (!found || year_of(released_of(pick)) <= year)) pick = i, found = true;
    }
    if (!found) pick = 0;
    note = label + ": predicted as release " + name_of(pick) +
           (found ? " (released " + released_of(pick) + ", the latest described by then)"
                  : " (the oldest described; none is dated in or before " + std::to_string(asked[0]) + ")");
  } else {
    bool found = false;
    for (size_t i = 0; i <= newest; ++i) {
      const auto key = release_key(name_of(i));
      if (compare_keys(key, asked) <= 0 && (!found || compare_keys(release_key(name_of(pick)), key) < 0)) {
        pick = i, found = true;
      }
    }
    if (!found) {
      pick = 0;
      note = label + ": older than every described release; predicted as the oldest, " + name_of(0);
    } else if (compare_keys(release_key(name_of(pick)), asked) != 0) {
      note = label + ": not described; predicted as the nearest earlier release, " + name_of(pick);
    }
  }
  FrameworkSpec out = *this;
  if (pick != newest) {
    const FrameworkRelease& r = releases[pick];
    out.defaults = r.defaults;
    out.eager_elementwise_factor = r.eager_elementwise_factor;
    out.fp8_casts_fused = r.fp8_casts_fused;
    out.version = name + " " + r.release;
    out.release = r.release;
    out.released = r.released;
  }
  out.releases.clear();
  return out;
}

namespace {
constexpr double kMaxRuntimeReserveGib = 64;
}  // namespace

std::vector<std::string> FrameworkSpec::problems() const {
  std::vector<std::string> lines;
  const auto require = [&](bool ok, const char* path, const std::string& what) {
    if (!ok) lines.push_back(std::string(path) + ": " + what);
  };
  const auto got = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, " (got %g)", v);
    return std::string(buffer);
  };
  const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
  const auto non_negative = [](double v) { return std::isfinite(v) && v >= 0; };
  require(!name.empty(), "name", "missing");
  require(non_negative(host_launch_s), "host.launch_us", "must be >= 0 microseconds");
  require(non_negative(host_sync_s), "host.sync_us", "must be >= 0 microseconds");
  // The upper bound (the most SMs of any catalog GPU) is checked where GPUs are known: HardwareCatalog::load.
  require(collective_sm_count > 0, "communication.collective_sm_count",
          "must be > 0 SMs" + got(static_cast<double>(collective_sm_count)));
  require(positive(dp_bucket_min_params), "data_parallel.bucket_min_params", "must be > 0 parameters");
  require(positive(dp_bucket_params_per_rank), "data_parallel.bucket_params_per_rank",
          "must be > 0 parameters" + got(dp_bucket_params_per_rank));
  require(!optimizer.empty(), "optimizer.name", "missing");
  require(std::isfinite(eager_elementwise_factor) && eager_elementwise_factor >= 1.0 && eager_elementwise_factor <= 10.0,
          "elementwise.eager_factor", "must be between 1 and 10");
  require(defaults.micro_batch_size > 0, "defaults.micro_batch_size", "must be > 0");
  require(non_negative(optimizer_state_bytes_per_parameter), "optimizer.state_bytes_per_parameter",
          "must be >= 0 bytes");
  require(non_negative(optimizer_step_bytes_per_parameter), "optimizer.step_bytes_per_parameter",
          "must be >= 0 bytes");
  // CUDA context + NCCL buffers + allocator slack take 1-5 GiB in published runs; 64 GiB is 80 %
  // of an 80 GB GPU, a reserve that leaves no room to train.
  require(non_negative(runtime_reserve_bytes) && runtime_reserve_bytes <= kMaxRuntimeReserveGib * 1073741824.0,
          "memory.runtime_reserve_gib", "must be between 0 and 64 GiB" + got(runtime_reserve_bytes / 1073741824.0));
  for (const auto& [op, count] : kernels_per_op) {
    if (count.forward < 0 || count.backward < 0) lines.push_back("kernels_per_op." + op + ": counts must be >= 0");
  }
  return lines;
}

}  // namespace perfplan::hardware
