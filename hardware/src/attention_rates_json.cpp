#include "hardware_json.hpp"
#include "json_fields.hpp"

#include <algorithm>
#include <cmath>

namespace perfplan::hardware::detail {
namespace {

using nlohmann::json;

// {"64": [TFLOP/s per seq], ...} as utilisation of `peak_tflops`.
std::map<int, std::vector<double>> read_grid(const json& object, const std::string& path, size_t points,
                                             double peak_tflops, SpecProblems& problems) {
  std::map<int, std::vector<double>> grid;
  if (!object.is_object() || object.empty()) {
    problems.add(path, "must map head dimensions (\"64\", \"128\", ...) to TFLOP/s per sequence length");
    return grid;
  }
  for (const auto& [key, row] : object.items()) {
    const std::string at = path + "." + key;
    int head_dim = 0;
    try {
      size_t used = 0;
      head_dim = std::stoi(key, &used);
      if (used != key.size()) head_dim = 0;
    } catch (const std::exception&) {
      head_dim = 0;
    }
    if (head_dim <= 0 || head_dim > 4096) {
      problems.add(at, "a head dimension must be a whole number 1-4096 (got '" + key + "')");
      continue;
    }
    if (!row.is_array() || row.size() != points) {
      problems.add(at, "must hold " + std::to_string(points) + " TFLOP/s values, one per seq (got " + describe(row) + ")");
      continue;
    }
    std::vector<double> values;
    for (const auto& v : row) {
      const double x = v.is_number() ? v.get<double>() : -1.0;
      if (!(std::isfinite(x) && x > 0 && x <= peak_tflops)) {
        problems.add(at, "TFLOP/s must be > 0 and at most the measured GPU's dense peak " + describe(json(peak_tflops)) +
                             " (got " + describe(v) + ")");
        values.clear();
        break;
      }
      values.push_back(x / peak_tflops);
    }
    if (!values.empty()) grid[head_dim] = std::move(values);
  }
  return grid;
}

}  // namespace

AttentionRates attention_rates_from_json(const json& doc, SpecProblems& problems, const std::vector<GpuSpec>& gpus) {
  AttentionRates rates;
  if (!is_document(doc, "an attention rate table", problems)) return rates;
  check_keys(doc, "", {"name", "architecture", "measured_on", "dtype", "source", "notes", "seq", "kernels"}, problems);
  rates.name = read_text(doc, "", "name", problems);
  rates.architecture = read_text(doc, "", "architecture", problems);
  rates.measured_on = read_text(doc, "", "measured_on", problems);
  rates.source = read_text(doc, "", "source", problems);
  if (read_text(doc, "", "dtype", problems) != "bf16") problems.add("dtype", "accepted: bf16 (the rates of BF16 attention)");
  const auto gpu = std::find_if(gpus.begin(), gpus.end(), [&](const GpuSpec& g) { return g.name == rates.measured_on; });
  if (gpu == gpus.end()) {
    if (!rates.measured_on.empty()) problems.add("measured_on", "no GPU spec named '" + rates.measured_on + "' in gpus/");
    return rates;
  }
  if (gpu->architecture != rates.architecture) {
    problems.add("architecture", "'" + rates.architecture + "' differs from " + gpu->name + "'s architecture '" +
                                     gpu->architecture + "'");
  }
  const double peak_tflops = gpu->peak_bf16_flops_per_s / kTeraflop;
  std::vector<double> seq;
  const json* seq_field = doc.contains("seq") ? &doc.at("seq") : nullptr;
  if (seq_field && seq_field->is_array()) {
    for (const auto& v : *seq_field) {
      const double x = v.is_number() ? v.get<double>() : -1.0;
      if (!(std::isfinite(x) && x >= 1 && x <= 1e8 && (seq.empty() || x > seq.back()))) {
        problems.add("seq", "sequence lengths must be ascending numbers 1-1e8 (got " + describe(v) + ")");
        seq.clear();
        break;
      }
      seq.push_back(x);
    }
  }
  if (seq.size() < 2) {
    problems.add("seq", "must list at least two ascending sequence lengths");
    return rates;
  }
  const json* kernels = read_object(doc, "kernels", problems);
  if (!kernels) return rates;
  for (const auto& item : kernels->items()) {
    const std::string kernel = item.key();
    const json& spec = item.value();
    const std::string path = "kernels." + kernel;
    if (kernel != "flash3" && kernel != "cudnn" && kernel != "flash2") {
      problems.add(path, "accepted kernels: flash3, cudnn, flash2");
      continue;
    }
    if (!spec.is_object()) {
      problems.add(path, "must be an object with forward and backward");
      continue;
    }
    check_keys(spec, path, {"forward", "backward"}, problems);
    AttentionRateTable table;
    table.seq = seq;
    const auto pass = [&](const char* name, std::vector<const char*> masks) -> const json* {
      if (!spec.contains(name) || !spec.at(name).is_object()) {
        problems.add(path + "." + name, "missing (an object with " + std::string(masks.front()) + ")");
        return nullptr;
      }
      check_keys(spec.at(name), path + "." + name, {masks.begin(), masks.end()}, problems);
      return &spec.at(name);
    };
    const auto grid = [&](const json* pass_object, const char* pass_name, const char* mask) {
      const std::string at = path + "." + pass_name + "." + mask;
      if (!pass_object || !pass_object->contains(mask)) {
        if (pass_object) problems.add(at, "missing");
        return std::map<int, std::vector<double>>{};
      }
      return read_grid(pass_object->at(mask), at, seq.size(), peak_tflops, problems);
    };
    const json* forward = pass("forward", {"noncausal", "causal"});
    const json* backward = pass("backward", {"noncausal"});
    table.forward_noncausal = grid(forward, "forward", "noncausal");
    table.forward_causal = grid(forward, "forward", "causal");
    table.backward_noncausal = grid(backward, "backward", "noncausal");
    // Backward with a causal mask: the non-causal backward scaled by the forward's causal /
    // non-causal ratio at the same length and head dimension (stated in the data file's notes).
    for (const auto& [head_dim, row] : table.backward_noncausal) {
      const auto nc = table.forward_noncausal.find(head_dim), c = table.forward_causal.find(head_dim);
      if (nc == table.forward_noncausal.end() || c == table.forward_causal.end()) {
        problems.add(path + ".backward.noncausal." + std::to_string(head_dim),
                     "needs the forward rates of this head dimension, causal and not");
        continue;
      }
      std::vector<double> derived(row.size());
      for (size_t i = 0; i < row.size(); ++i) derived[i] = row[i] * c->second[i] / nc->second[i];
      table.backward_causal[head_dim] = std::move(derived);
    }
    rates.kernels[kernel] = std::move(table);
  }
  if (rates.kernels.empty()) problems.add("kernels", "must hold at least one of flash3, cudnn, flash2");
  return rates;
}

}  // namespace perfplan::hardware::detail
