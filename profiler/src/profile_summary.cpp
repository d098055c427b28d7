// Aggregates a kernel database into the tables `perfplan profile` prints.
#include "perfplan/common/json_file.hpp"
#include "perfplan/profiler/profile_summary.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/profiler/records.hpp"

namespace perfplan::profiler {

namespace {

bool is_step_name(const std::string& name, const std::string& step) { return name.rfind(step, 0) == 0; }

// A time or count the profiler writes: a whole number in [0, 2^63); anything else (negative, a
// fraction, a string) is an input error naming the line and key, never a wrapped unsigned value.
uint64_t whole(const nlohmann::json& row, const char* key, const std::string& where) {
  const auto v = common::json_integer(row.at(key), 0, INT64_MAX);
  if (!v) {
    throw InputError(where + ": \"" + key + "\" = " + common::json_excerpt(row.at(key)) +
                     "; accepted: a whole number >= 0");
  }
  return static_cast<uint64_t>(*v);
}

uint64_t duration_of(const nlohmann::json& row, const std::string& where) {
  if (row.contains("duration_ns")) return whole(row, "duration_ns", where);
  const uint64_t start = whole(row, "start_ns", where);
  const uint64_t end = whole(row, "end_ns", where);
  if (end < start) throw InputError(where + ": \"end_ns\" is before \"start_ns\" (accepted: end_ns >= start_ns)");
  return end - start;
}

// total += value, refusing a sum beyond 2^64 rather than wrapping it.
void add(uint64_t& total, uint64_t value, const std::string& where) {
  if (value > UINT64_MAX - total) throw InputError(where + ": the totals exceed 2^64 (times or sizes out of range)");
  total += value;
}

}  // namespace

ProfileSummary summarize_profile(std::istream& in, const std::string& source_name, const SummaryOptions& options) {
  ProfileSummary summary;
  std::map<std::string, KernelTotal> by_kernel;
  std::map<std::string, RangeTotal> by_range;
  std::vector<RangeRecord> steps;
  std::vector<std::pair<uint64_t, uint64_t>> kernel_intervals;  // (start, duration) for steps

  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = source_name + ":" + std::to_string(line_number);
    try {
      const nlohmann::json row = common::parse_json_text(line, where);
      if (!row.contains("type") && row.contains("context")) {  // the header (kernel rows carry a context id)
        const auto& c = row.at("context");
        if (c.contains("gpu") && c.at("gpu").is_string()) summary.gpu = c.at("gpu").get<std::string>();
        if (c.contains("dropped_records")) add(summary.dropped_records, whole(c, "dropped_records", where), where);
        continue;
      }
      const std::string type = row.at("type").get<std::string>();
      if (type == "kernel") {
        const std::string name = row.at("name").get<std::string>();
        const uint64_t ns = duration_of(row, where);
        KernelTotal& k = by_kernel[name];
        k.name = name;
        ++k.count;
        add(k.total_ns, ns, where);
        const std::string range = (row.contains("nvtx") && row.at("nvtx").is_string())
                                      ? row.at("nvtx").get<std::string>()
                                      : std::string("(none)");
        RangeTotal& r = by_range[range];
        r.name = range;
        ++r.kernel_count;
        add(r.kernel_ns, ns, where);
        ++summary.kernel_count;
        add(summary.kernel_ns, ns, where);
        kernel_intervals.emplace_back(whole(row, "start_ns", where), ns);
      } else if (type == "memcpy") {
        ++summary.memcpy_count;
        if (row.contains("bytes")) add(summary.memcpy_bytes, whole(row, "bytes", where), where);
        add(summary.memcpy_ns, duration_of(row, where), where);
      } else if (type == "memset") {
        ++summary.memset_count;
        add(summary.memset_ns, duration_of(row, where), where);
      } else if (type == "range") {
        const std::string name = row.at("name").get<std::string>();
        if (options.steps_range && is_step_name(name, *options.steps_range))
        {
          const uint64_t start = whole(row, "start_ns", where);
          const uint64_t end = whole(row, "end_ns", where);
          if (end < start) throw InputError(where + ": range \"end_ns\" is before \"start_ns\"");
          steps.push_back({name, start, end});
        }
      }
      // Other row types (written by newer versions) are skipped.
    } catch (const nlohmann::json::exception& e) {
      throw InputError(where + ": not a kernel-database line (" + e.what() + ")");
    }
  }

  for (auto& [name, k] : by_kernel) {
    k.share = summary.kernel_ns > 0 ? static_cast<double>(k.total_ns) / static_cast<double>(summary.kernel_ns) : 0.0;
    summary.kernels.push_back(k);
  }
  std::stable_sort(summary.kernels.begin(), summary.kernels.end(),
                   [](const KernelTotal& a, const KernelTotal& b) { return a.total_ns > b.total_ns; });
  for (auto& [name, r] : by_range) summary.ranges.push_back(r);
  std::stable_sort(summary.ranges.begin(), summary.ranges.end(),
                   [](const RangeTotal& a, const RangeTotal& b) { return a.kernel_ns > b.kernel_ns; });

  if (options.steps_range) {
    StepSummary s;
    s.range_name = *options.steps_range;
    s.count = steps.size();
    if (!steps.empty()) {
      double duration_sum = 0.0;
      double kernel_sum = 0.0;
      for (const RangeRecord& step : steps) {
        duration_sum += static_cast<double>(step.end_ns - step.start_ns);
        for (const auto& [start, ns] : kernel_intervals)
          if (start >= step.start_ns && start <= step.end_ns) kernel_sum += static_cast<double>(ns);
      }
      s.mean_duration_ns = duration_sum / static_cast<double>(steps.size());
      s.mean_kernel_ns = kernel_sum / static_cast<double>(steps.size());
    }
    summary.steps = s;
  }
  return summary;
}

}  // namespace perfplan::profiler
