#include "perfplan/common/json_file.hpp"
#include "perfplan/kerneldb/kineto_import.hpp"

#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/kerneldb/measurement_tag.hpp"
#include "perfplan/kerneldb/writer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"

namespace perfplan::kerneldb {
namespace {

using json = nlohmann::ordered_json;

struct Event {
  std::string cat;
  std::string name;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t device = -1;  // -1: unknown, matches any
  const json* args = nullptr;
};

// Kineto writes microseconds with fractional nanoseconds ("ts": 1712345678901.234). A time that
// is not a number, or beyond what int64 nanoseconds hold (~292 years), is refused.
int64_t to_ns(const json& us, const std::string& path, const char* key) {
  if (!us.is_number()) throw InputError(path + ": \"" + key + "\" must be a number of microseconds");
  const double ns = us.get<double>() * 1000.0;
  if (!std::isfinite(ns) || std::abs(ns) > 9.0e18) {
    throw InputError(path + ": \"" + key + "\" is out of range (accepted: finite microseconds below 9e15)");
  }
  return static_cast<int64_t>(std::llround(ns));
}

// A string field, or "" when absent or of another type.
std::string text_field(const json& e, const char* key) {
  const auto it = e.find(key);
  return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json arg(const Event& e, const char* key) {
  if (e.args == nullptr || !e.args->contains(key)) return nullptr;
  return (*e.args)[key];
}

json version_text(const json& v) {
  if (v.is_null()) return nullptr;
  return v.is_string() ? v : json(v.dump());
}

// "Memcpy DtoD (Device -> Device)" -> "DtoD".
std::string copy_kind(const std::string& name) {
  const size_t space = name.find(' ');
  if (space == std::string::npos) return "";
  const size_t end = name.find(' ', space + 1);
  return name.substr(space + 1, end == std::string::npos ? std::string::npos : end - space - 1);
}

}  // namespace

std::string kineto_trace_to_jsonl(std::string_view trace_json, const KinetoImportOptions& options) {
  const std::string where = options.input.empty() ? std::string("trace") : options.input;
  const json trace = common::parse_json_text(trace_json, where);
  if (!trace.is_object() || !trace.contains("traceEvents") || !trace["traceEvents"].is_array()) {
    throw InputError(where + ": not a Chrome trace from torch.profiler (no \"traceEvents\" array)");
  }

  std::vector<Event> annotations, activities;
  size_t index = 0;
  for (const json& e : trace["traceEvents"]) {
    const std::string path = where + ": traceEvents[" + std::to_string(index++) + "]";
    if (!e.is_object() || text_field(e, "ph") != "X") continue;
    const std::string cat = text_field(e, "cat");
    if (cat != "kernel" && cat != "gpu_memcpy" && cat != "gpu_memset" && cat != "gpu_user_annotation") continue;
    Event ev;
    try {
      ev.cat = cat;
      ev.name = e.at("name").get<std::string>();
      ev.start_ns = to_ns(e.at("ts"), path, "ts");
      const int64_t duration = e.contains("dur") ? to_ns(e.at("dur"), path, "dur") : 0;
      if (duration < 0) throw InputError(path + ": \"dur\" is negative (accepted: a duration >= 0)");
      if (ev.start_ns > INT64_MAX - duration) throw InputError(path + ": \"ts\" + \"dur\" is out of range");
      ev.end_ns = ev.start_ns + duration;
      if (e.contains("args") && e["args"].is_object()) ev.args = &e["args"];
      const json device = arg(ev, "device");
      if (const auto d = common::json_integer(device, INT64_MIN, INT64_MAX)) {
        ev.device = *d;
      } else if (const auto pid = e.contains("pid") ? common::json_integer(e["pid"], INT64_MIN, INT64_MAX)
                                                    : std::nullopt) {
        ev.device = *pid;
      }
    } catch (const json::exception& x) {
      throw InputError(path + ": malformed " + cat + " event (" + x.what() + ")");
    }
    if (cat == "gpu_user_annotation") parse_measurement_tag(ev.name, path);
    (cat == "gpu_user_annotation" ? annotations : activities).push_back(std::move(ev));
  }
  const auto by_start = [](const Event& a, const Event& b) { return a.start_ns < b.start_ns; };
  std::stable_sort(annotations.begin(), annotations.end(), by_start);
  if (activities.empty()) {
    throw InputError(where + ": no GPU kernel, memcpy or memset events (cat \"kernel\", \"gpu_memcpy\", \"gpu_memset\"); "
                     "record the trace with torch.profiler's ProfilerActivity.CUDA");
  }
  std::stable_sort(activities.begin(), activities.end(), by_start);

  json context = json::object();
  json gpu = nullptr;
  if (trace.contains("deviceProperties") && trace["deviceProperties"].is_array() &&
      !trace["deviceProperties"].empty() && trace["deviceProperties"][0].is_object()) {
    const json& device = trace["deviceProperties"][0];
    if (device.contains("name") && device["name"].is_string()) gpu = device["name"];
    if (device.contains("numSms")) context["sm_count"] = device["numSms"];
  }
  if (!options.gpu.empty()) {
    if (gpu.is_string() && !same_gpu(gpu.get<std::string>(), options.gpu)) {
      throw InputError(where + ": deviceProperties[0] names " + gpu.get<std::string>() + ", not " + options.gpu +
                       "; drop --gpu or give the GPU the trace was taken on");
    }
    if (gpu.is_null()) gpu = options.gpu;
  }
  context["gpu"] = gpu;
  context["driver"] = version_text(trace.value("cuda_driver_version", json()));
  context["cuda"] = version_text(trace.value("cuda_runtime_version", json()));
  context["cupti"] = version_text(trace.value("cupti_version", json()));
  context["inputs"] = json::array({options.input});

  std::string out = header_line("kineto", std::move(context)) + "\n";
  for (const auto& a : annotations) out += record_line("range", a.start_ns, a.end_ns, {{"name", a.name}}) + "\n";
  for (const auto& e : activities) {
    // Innermost annotation on the same device containing the start: the latest-starting one.
    const Event* innermost = nullptr;
    for (const auto& a : annotations) {
      if (a.start_ns > e.start_ns) break;
      if (e.start_ns > a.end_ns) continue;
      if (a.device >= 0 && e.device >= 0 && a.device != e.device) continue;
      if (innermost == nullptr || a.start_ns > innermost->start_ns ||
          (a.start_ns == innermost->start_ns && a.end_ns < innermost->end_ns)) {
        innermost = &a;
      }
    }
    json line;
    if (e.cat == "kernel") {
      line = {{"name", e.name}, {"grid", arg(e, "grid")}, {"block", arg(e, "block")}};
      line["registers"] = arg(e, "registers per thread");
      line["shared_memory_bytes"] = arg(e, "shared memory");
    } else {
      line = {{"name", e.name}};
      if (e.cat == "gpu_memcpy") line["copy_kind"] = copy_kind(e.name);
      line["bytes"] = arg(e, "bytes");
    }
    line["device"] = e.device >= 0 ? json(e.device) : json(nullptr);
    line["stream"] = arg(e, "stream");
    line["correlation_id"] = arg(e, "correlation");
    line["nvtx"] = innermost ? json(innermost->name) : json(nullptr);
    const char* type = e.cat == "kernel" ? "kernel" : e.cat == "gpu_memcpy" ? "memcpy" : "memset";
    out += record_line(type, e.start_ns, e.end_ns, std::move(line)) + "\n";
  }
  // What is written must read back (a measurement whose kernels take 0 s does not).
  KernelDatabase::parse(out, where + " (imported)");
  return out;
}

}  // namespace perfplan::kerneldb
