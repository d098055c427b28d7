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

uint64_t duration_of(const nlohmann::json& row) {
  if (row.contains("duration_ns")) return row.at("duration_ns").get<uint64_t>();
  return row.at("end_ns").get<uint64_t>() - row.at("start_ns").get<uint64_t>();
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
        if (c.contains("dropped_records")) summary.dropped_records += c.at("dropped_records").get<uint64_t>();
        continue;
      }
      const std::string type = row.at("type").get<std::string>();
      if (type == "kernel") {
        const std::string name = row.at("name").get<std::string>();
        const uint64_t ns = duration_of(row);
        KernelTotal& k = by_kernel[name];
        k.name = name;
        ++k.count;
        k.total_ns += ns;
        const std::string range = (row.contains("nvtx") && row.at("nvtx").is_string())
                                      ? row.at("nvtx").get<std::string>()
                                      : std::string("(none)");
        RangeTotal& r = by_range[range];
        r.name = range;
        ++r.kernel_count;
        r.kernel_ns += ns;
        ++summary.kernel_count;
        summary.kernel_ns += ns;
        kernel_intervals.emplace_back(row.at("start_ns").get<uint64_t>(), ns);
      } else if (type == "memcpy") {
        ++summary.memcpy_count;
        summary.memcpy_bytes += row.value("bytes", uint64_t{0});
        summary.memcpy_ns += duration_of(row);
      } else if (type == "memset") {
        ++summary.memset_count;
        summary.memset_ns += duration_of(row);
      } else if (type == "range") {
        const std::string name = row.at("name").get<std::string>();
        if (options.steps_range && is_step_name(name, *options.steps_range))
          steps.push_back({name, row.at("start_ns").get<uint64_t>(), row.at("end_ns").get<uint64_t>()});
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
