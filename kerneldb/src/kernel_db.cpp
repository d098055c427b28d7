#include "perfplan/common/json_file.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"

#include "perfplan/common/names.hpp"
#include "perfplan/common/version.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/measurement_tag.hpp"

namespace perfplan::kerneldb {
namespace {

using json = nlohmann::json;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

struct TimedRecord {
  std::string nvtx;
  double start_ns = 0;
  double seconds = 0;
};

struct Range {
  double start_ns = 0;
  double end_ns = 0;
};

// Linear interpolation of log(y) over log(x); nullopt outside [x.front(), x.back()].
std::optional<double> interpolate_log(const std::vector<double>& xs, const std::vector<double>& ys, double x) {
  if (xs.empty() || !(x >= xs.front()) || !(x <= xs.back())) return std::nullopt;
  const auto upper = std::lower_bound(xs.begin(), xs.end(), x);
  const size_t hi = static_cast<size_t>(upper - xs.begin());
  if (xs[hi] == x) return ys[hi];
  const size_t lo = hi - 1;
  const double t = (std::log(x) - std::log(xs[lo])) / (std::log(xs[hi]) - std::log(xs[lo]));
  return std::exp(std::log(ys[lo]) + t * (std::log(ys[hi]) - std::log(ys[lo])));
}

// The grid values around `x` in a sorted list: equal indices on an exact hit.
std::pair<size_t, size_t> bracket(const std::vector<double>& values, double x) {
  const size_t hi = static_cast<size_t>(std::lower_bound(values.begin(), values.end(), x) - values.begin());
  if (values[hi] == x) return {hi, hi};
  return {hi - 1, hi};
}

std::string dtype_key(model::DType dtype) { return model::to_string(dtype); }

}  // namespace

std::optional<double> KernelDbEntry::number(const std::string& key) const {
  const auto it = params.find(key);
  if (it == params.end()) return std::nullopt;
  try {
    size_t used = 0;
    const double v = std::stod(it->second, &used);
    if (used != it->second.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

KernelDatabase KernelDatabase::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path.string() + ": is a directory, expected a kernel database file (.jsonl)");
  }
  if (!std::filesystem::exists(path, ec)) throw InputError(path.string() + ": no such file (expected a kernel database, .jsonl)");
  return parse(common::read_input_file(path, "a kernel database (.jsonl)"), path.string());
}

KernelDatabase KernelDatabase::parse(std::string_view jsonl, const std::string& origin) {
  KernelDatabase db;
  db.origin_ = origin;
  std::vector<TimedRecord> records;
  std::unordered_map<std::string, std::vector<Range>> ranges;
  // Each distinct tag parsed once, where it first appears (nullopt: not a measurement).
  std::unordered_map<std::string, std::optional<MeasurementTag>> tags;
  const auto is_measurement = [&](const std::string& name, const std::string& where) {
    auto it = tags.find(name);
    if (it == tags.end()) it = tags.emplace(name, parse_measurement_tag(name, where)).first;
    return it->second.has_value();
  };
  bool header_seen = false;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t end = jsonl.find('\n', pos);
    if (end == std::string_view::npos) end = jsonl.size();
    const std::string_view line = jsonl.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = origin + ":" + std::to_string(line_number);
    const json record = common::parse_json_text(line, where);
    if (!record.is_object()) throw InputError(where + ": not a JSON object; each line is one record");
    try {
      if (!header_seen) {
        if (!record.contains("context") || !record["context"].is_object()) {
          throw InputError(where + ": the first line must be the {\"context\": {...}} header");
        }
        const json& c = record["context"];
        const auto version = c.contains("schema_version") ? common::json_integer(c["schema_version"], 0, 1000000)
                                                          : std::optional<int64_t>(1);
        if (!version) {
          throw InputError(where + ": context.schema_version must be a whole number (this reader takes " +
                           std::to_string(kSchemaVersion) + "), got " + common::json_excerpt(c["schema_version"]));
        }
        db.context_.schema_version = static_cast<int>(*version);
        if (db.context_.schema_version != kSchemaVersion) {
          throw InputError(where + ": context.schema_version " + std::to_string(db.context_.schema_version) +
                           " is not supported; accepted: 1");
        }
        db.context_.source = text_of(c.value("source", json()));
        db.context_.gpu = text_of(c.value("gpu", json()));
        db.context_.driver = text_of(c.value("driver", json()));
        db.context_.cuda = text_of(c.value("cuda", json()));
        header_seen = true;
        continue;
      }
      const std::string type = record.value("type", "");
      if (type == "range") {
        const std::string name = record.at("name").get<std::string>();
        if (is_measurement(name, where)) {
          ranges[name].push_back({record.at("start_ns").get<double>(), record.at("end_ns").get<double>()});
        }
      } else if (type == "kernel" || type == "memcpy" || type == "memset") {
        const json nvtx = record.value("nvtx", json());
        if (!nvtx.is_string()) continue;
        const std::string tag = nvtx.get<std::string>();
        if (!is_measurement(tag, where)) continue;
        const double start = record.at("start_ns").get<double>();
        const double duration = record.contains("duration_ns") ? record["duration_ns"].get<double>()
                                                               : record.at("end_ns").get<double>() - start;
        if (!(duration >= 0)) throw InputError(where + ": negative kernel duration");
        records.push_back({tag, start, duration * 1e-9});
      }
      // Other record types (markers, counters, future additions) are not measurements.
    } catch (const json::exception& e) {
      throw InputError(where + ": malformed " + std::string(header_seen ? "record" : "header") + " (" + e.what() +
                       ")");
    }
  }
  if (!header_seen) throw InputError(origin + ": empty kernel database (no context header)");

  // One occurrence of a range holds the kernels that start inside it; without range records all
  // kernels of a tag are one occurrence.
  std::map<std::string, std::map<size_t, double>> occurrences;
  for (auto& [name, list] : ranges) {
    std::sort(list.begin(), list.end(), [](const Range& a, const Range& b) { return a.start_ns < b.start_ns; });
  }
  for (const auto& r : records) {
    size_t occurrence = 0;
    const auto it = ranges.find(r.nvtx);
    if (it != ranges.end()) {
      const auto& list = it->second;
      const auto after = std::upper_bound(list.begin(), list.end(), r.start_ns,
                                          [](double t, const Range& range) { return t < range.start_ns; });
      occurrence = after == list.begin() ? 0 : static_cast<size_t>(after - list.begin()) - 1;
    }
    occurrences[r.nvtx][occurrence] += r.seconds;
  }
  for (const auto& [name, sums] : occurrences) {
    const MeasurementTag& tag = *tags.at(name);
    KernelDbEntry entry{tag.op, tag.dtype, tag.params};
    double total = 0;
    for (const auto& [index, seconds] : sums) total += seconds;
    entry.samples = static_cast<int64_t>(sums.size());
    entry.seconds = total / static_cast<double>(sums.size());
    // A rate from 0 s would be infinite: a broken measurement, not one to drop quietly.
    if (!(entry.seconds > 0)) {
      throw InputError(origin + ": measurement '" + name + "': its kernels take 0 s in total over " +
                       std::to_string(entry.samples) +
                       " occurrence(s); accepted: a duration > 0 (re-measure it or remove its records)");
    }
    db.entries_.push_back(std::move(entry));
  }
  db.build_tables();
  return db;
}

void KernelDatabase::build_tables() {
  std::map<std::string, std::map<double, double>> attention_points, memory_points;
  for (const auto& e : entries_) {
    if (!(e.seconds > 0)) continue;
    if (e.op == "gemm" || e.op == "bmm") {
      const auto m = e.number("m"), n = e.number("n"), k = e.number("k");
      const double batch = e.number("batch").value_or(1.0);
      if (!m || !n || !k || *m <= 0 || *n <= 0 || *k <= 0 || batch <= 0) continue;
      GemmTable& t = gemm_[e.op + ":" + e.dtype];
      t.seconds_per_flop[{*m, *n, *k}] = e.seconds / (2.0 * *m * *n * *k * batch);
    } else if (e.op == "attention") {
      const auto b = e.number("b"), h = e.number("h"), s = e.number("s"), d = e.number("d");
      if (!b || !h || !s || !d || *s <= 0) continue;
      const bool causal = e.number("causal").value_or(0.0) != 0.0;
      const auto pass = e.params.find("pass");
      const bool backward = pass != e.params.end() && pass->second == "bwd";
      double flops = 4.0 * *b * *h * *s * *s * *d * (backward ? 2.0 : 1.0);
      if (causal) flops *= (*s + 1.0) / (2.0 * *s);
      const std::string key = e.dtype + ":" + std::to_string(static_cast<int64_t>(*d)) + ":" +
                              (causal ? "causal" : "full") + ":" + (backward ? "bwd" : "fwd");
      attention_points[key][*s] = flops / e.seconds;
    } else if (const auto bytes = e.number("bytes"); bytes && *bytes > 0) {
      memory_points[e.op + ":" + e.dtype][*bytes] = *bytes / e.seconds;
    }
  }
  for (auto& [key, table] : gemm_) {
    for (const auto& [shape, spf] : table.seconds_per_flop) {
      table.m.push_back(shape[0]);
      table.n.push_back(shape[1]);
      table.k.push_back(shape[2]);
    }
    for (auto* values : {&table.m, &table.n, &table.k}) {
      std::sort(values->begin(), values->end());
      values->erase(std::unique(values->begin(), values->end()), values->end());
    }
  }
  auto curves = [](const std::map<std::string, std::map<double, double>>& points, std::map<std::string, Curve>& out) {
    for (const auto& [key, by_x] : points) {
      Curve& c = out[key];
      for (const auto& [x, y] : by_x) {
        c.x.push_back(x);
        c.y.push_back(y);
      }
    }
  };
  curves(attention_points, attention_);
  curves(memory_points, memory_);
}

std::optional<double> KernelDatabase::gemm_seconds(model::DType dtype, double m, double n, double k, double batch,
                                                   std::string_view op) const {
  const auto it = gemm_.find(std::string(op) + ":" + dtype_key(dtype));
  if (it == gemm_.end() || m <= 0 || n <= 0 || k <= 0 || batch <= 0) return std::nullopt;
  const GemmTable& t = it->second;
  const std::array<double, 3> query{m, n, k};
  const std::array<const std::vector<double>*, 3> axes{&t.m, &t.n, &t.k};
  for (size_t d = 0; d < 3; ++d) {
    if (query[d] < axes[d]->front() || query[d] > axes[d]->back()) return std::nullopt;
  }
  const double flops = 2.0 * m * n * k * batch;
  if (const auto exact = t.seconds_per_flop.find(query); exact != t.seconds_per_flop.end()) {
    return exact->second * flops;
  }
  // Trilinear in log space on the grid cell around the query, when all its corners are measured.
  std::array<std::pair<size_t, size_t>, 3> cell;
  std::array<double, 3> weight_hi{};
  for (size_t d = 0; d < 3; ++d) {
    cell[d] = bracket(*axes[d], query[d]);
    const double lo = (*axes[d])[cell[d].first], hi = (*axes[d])[cell[d].second];
    weight_hi[d] = hi == lo ? 0.0 : (std::log(query[d]) - std::log(lo)) / (std::log(hi) - std::log(lo));
  }
  double log_spf = 0;
  bool complete = true;
  for (int corner = 0; corner < 8 && complete; ++corner) {
    std::array<double, 3> point{};
    double w = 1.0;
    for (size_t d = 0; d < 3; ++d) {
      const bool high = (corner >> d) & 1;
      point[d] = (*axes[d])[high ? cell[d].second : cell[d].first];
      w *= high ? weight_hi[d] : 1.0 - weight_hi[d];
    }
    if (w == 0.0) continue;
    const auto found = t.seconds_per_flop.find(point);
    if (found == t.seconds_per_flop.end()) {
      complete = false;
    } else {
      log_spf += w * std::log(found->second);
    }
  }
  if (complete) return std::exp(log_spf) * flops;
  // A sparse set of shapes: inverse-square-distance weighting of the nearest 8 in log space.
  std::vector<std::pair<double, double>> nearest;  // (squared log distance, log seconds per FLOP)
  for (const auto& [shape, spf] : t.seconds_per_flop) {
    double d2 = 0;
    for (size_t d = 0; d < 3; ++d) d2 += std::pow(std::log(shape[d]) - std::log(query[d]), 2);
    nearest.emplace_back(d2, std::log(spf));
  }
  const size_t keep = std::min<size_t>(8, nearest.size());
  std::partial_sort(nearest.begin(), nearest.begin() + static_cast<std::ptrdiff_t>(keep), nearest.end());
  double weights = 0, sum = 0;
  for (size_t i = 0; i < keep; ++i) {
    const double w = 1.0 / nearest[i].first;
    weights += w;
    sum += w * nearest[i].second;
  }
  return std::exp(sum / weights) * flops;
}

std::optional<double> KernelDatabase::attention_flops_per_s(model::DType dtype, double seq, double head_dim,
                                                            bool causal, bool backward) const {
  const std::string key = dtype_key(dtype) + ":" + std::to_string(static_cast<int64_t>(std::llround(head_dim))) +
                          ":" + (causal ? "causal" : "full") + ":" + (backward ? "bwd" : "fwd");
  const auto it = attention_.find(key);
  if (it == attention_.end()) return std::nullopt;
  return interpolate_log(it->second.x, it->second.y, seq);
}

std::optional<double> KernelDatabase::memory_seconds(std::string_view op, model::DType dtype, double bytes) const {
  if (bytes <= 0) return 0.0;
  const auto it = memory_.find(std::string(op) + ":" + dtype_key(dtype));
  if (it == memory_.end()) return std::nullopt;
  const auto bandwidth = interpolate_log(it->second.x, it->second.y, bytes);
  if (!bandwidth) return std::nullopt;
  return bytes / *bandwidth;
}

GpuIdentity gpu_identity(std::string_view name) {
  GpuIdentity id;
  id.form_factor = "sxm";
  std::string token;
  auto finish = [&]() {
    if (token.empty()) return;
    const bool has_digit = std::any_of(token.begin(), token.end(), [](char c) { return std::isdigit(c); });
    const bool has_alpha = std::any_of(token.begin(), token.end(), [](char c) { return std::isalpha(c); });
    const size_t digits = token.find_first_not_of("0123456789");
    if (digits != std::string::npos && digits > 0 && token.substr(digits) == "gb") {
      id.memory_gb = std::stoll(token.substr(0, digits));
    } else if (token.rfind("pcie", 0) == 0) {
      id.form_factor = "pcie";
    } else if (token.rfind("nvl", 0) == 0) {
      id.form_factor = "nvl";
    } else if (token.rfind("sxm", 0) == 0 || token.rfind("hbm", 0) == 0) {
      // The module form factor, already the default.
    } else if (id.family.empty() && has_digit && has_alpha) {
      id.family = token;
    }
    token.clear();
  };
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      token += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      finish();
    }
  }
  finish();
  return id;
}

bool same_gpu(std::string_view a, std::string_view b) {
  if (lower(a) == lower(b)) return true;
  const GpuIdentity x = gpu_identity(a), y = gpu_identity(b);
  if (x.family.empty() || x.family != y.family || x.form_factor != y.form_factor) return false;
  return x.memory_gb == 0 || y.memory_gb == 0 || x.memory_gb == y.memory_gb;
}

std::filesystem::path kernel_db_path_for_gpu(const std::filesystem::path& kernels_dir, std::string_view gpu_name) {
  return kernels_dir / (to_lower(gpu_name) + ".jsonl");
}

std::optional<KernelDatabase> load_kernel_db_for_gpu(const std::filesystem::path& kernels_dir, std::string_view gpu_name) {
  const auto path = kernel_db_path_for_gpu(kernels_dir, gpu_name);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  KernelDatabase db = KernelDatabase::load(path);
  if (db.context().gpu.empty()) {
    throw InputError(path.string() + ": context.gpu is empty, so nothing says which GPU measured it; set it to " +
                     std::string(gpu_name) + " (or re-import with `perfplan kernels import TRACE --gpu " +
                     std::string(gpu_name) + "`)");
  }
  if (!same_gpu(db.context().gpu, gpu_name)) {
    throw InputError(path.string() + ": context.gpu '" + db.context().gpu + "' is not " + std::string(gpu_name) +
                     "; the file name must name the GPU it was measured on");
  }
  return db;
}

}  // namespace perfplan::kerneldb
