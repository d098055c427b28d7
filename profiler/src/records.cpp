// Activity records -> kernel-database rows (JSON Lines). Pure: no CUDA, no CUPTI.
#include "perfplan/profiler/records.hpp"

#include "perfplan/kerneldb/writer.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

namespace perfplan::profiler {

bool has_valid_interval(uint64_t start_ns, uint64_t end_ns) {
  return start_ns != 0 && end_ns != 0 && end_ns >= start_ns;
}

std::string demangle_kernel_name(const std::string& mangled) {
  if (mangled.rfind("_Z", 0) != 0) return mangled;
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                                        &std::free);
  if (status != 0 || demangled == nullptr) return mangled;
  return demangled.get();
}

std::optional<size_t> innermost_range_at(std::span<const RangeRecord> ranges, uint64_t time_ns) {
  std::optional<size_t> best;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const RangeRecord& r = ranges[i];
    if (time_ns < r.start_ns || time_ns > r.end_ns) continue;
    if (!best) {
      best = i;
      continue;
    }
    const RangeRecord& b = ranges[*best];
    const bool starts_later = r.start_ns > b.start_ns;
    const bool same_start_shorter = r.start_ns == b.start_ns && r.end_ns < b.end_ns;
    if (starts_later || same_start_shorter) best = i;
  }
  return best;
}

std::vector<RangeRecord> pair_markers(std::span<const MarkerEvent> events) {
  std::map<uint64_t, const MarkerEvent*> open;
  std::vector<RangeRecord> ranges;
  for (const MarkerEvent& e : events) {
    if (e.is_start) {
      open[e.id] = &e;
      continue;
    }
    const auto it = open.find(e.id);
    if (it == open.end()) continue;
    ranges.push_back({it->second->name, it->second->timestamp_ns, e.timestamp_ns});
    open.erase(it);
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const RangeRecord& a, const RangeRecord& b) { return a.start_ns < b.start_ns; });
  return ranges;
}

namespace {

template <typename T>
nlohmann::json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

std::string context_line(const ProfileContext& context) {
  nlohmann::json c = nlohmann::json::object();
  c["gpu"] = optional_json(context.gpu);
  c["sm_count"] = optional_json(context.sm_count);
  c["driver"] = optional_json(context.driver_version);
  c["cuda"] = optional_json(context.cuda_version);
  c["cupti"] = optional_json(context.cupti_version);
  c["dropped_records"] = context.dropped_records;
  return kerneldb::header_line("cupti", std::move(c));
}

std::string kernel_line(const KernelRecord& k, const std::optional<std::string>& nvtx) {
  nlohmann::json j = nlohmann::json::object();
  j["name"] = demangle_kernel_name(k.mangled_name);
  j["mangled"] = k.mangled_name;
  j["device"] = k.device_id;
  j["context"] = k.context_id;
  j["stream"] = k.stream_id;
  j["grid"] = k.grid;
  j["block"] = k.block;
  j["registers"] = k.registers_per_thread;
  j["shared_memory_bytes"] = k.shared_memory_bytes;
  j["correlation_id"] = k.correlation_id;
  j["nvtx"] = optional_json(nvtx);
  return kerneldb::record_line("kernel", static_cast<int64_t>(k.start_ns), static_cast<int64_t>(k.end_ns), std::move(j));
}

std::string memory_op_line(const MemoryOpRecord& op) {
  nlohmann::json j = nlohmann::json::object();
  if (op.kind == MemoryOpKind::kMemcpy) j["copy_kind"] = op.copy_kind;
  j["bytes"] = op.bytes;
  j["device"] = op.device_id;
  j["context"] = op.context_id;
  j["stream"] = op.stream_id;
  j["correlation_id"] = op.correlation_id;
  return kerneldb::record_line(op.kind == MemoryOpKind::kMemcpy ? "memcpy" : "memset", static_cast<int64_t>(op.start_ns),
                               static_cast<int64_t>(op.end_ns), std::move(j));
}

std::string range_line(const RangeRecord& range) {
  return kerneldb::record_line("range", static_cast<int64_t>(range.start_ns), static_cast<int64_t>(range.end_ns), {{"name", range.name}});
}

uint64_t write_profile(const ProfileRecords& records, std::ostream& out) {
  uint64_t dropped = 0;
  std::vector<RangeRecord> ranges;
  for (const RangeRecord& r : records.ranges) {
    if (has_valid_interval(r.start_ns, r.end_ns)) {
      ranges.push_back(r);
    } else {
      ++dropped;
    }
  }
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const RangeRecord& a, const RangeRecord& b) { return a.start_ns < b.start_ns; });

  // (start, line) pairs so kernels and memory operations come out interleaved in time order.
  std::vector<std::pair<uint64_t, std::string>> rows;
  rows.reserve(records.kernels.size() + records.memory_ops.size());
  for (const KernelRecord& k : records.kernels) {
    if (!has_valid_interval(k.start_ns, k.end_ns)) {
      ++dropped;
      continue;
    }
    std::optional<std::string> nvtx;
    if (const auto index = innermost_range_at(ranges, k.start_ns)) nvtx = ranges[*index].name;
    rows.emplace_back(k.start_ns, kernel_line(k, nvtx));
  }
  for (const MemoryOpRecord& op : records.memory_ops) {
    if (!has_valid_interval(op.start_ns, op.end_ns)) {
      ++dropped;
      continue;
    }
    rows.emplace_back(op.start_ns, memory_op_line(op));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  ProfileContext context = records.context;
  context.dropped_records += dropped;
  out << context_line(context) << '\n';
  for (const RangeRecord& r : ranges) out << range_line(r) << '\n';
  for (const auto& row : rows) out << row.second << '\n';
  return dropped;
}

}  // namespace perfplan::profiler
