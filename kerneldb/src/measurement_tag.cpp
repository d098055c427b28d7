#include "perfplan/kerneldb/measurement_tag.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <vector>

#include "perfplan/common/input_error.hpp"

namespace perfplan::kerneldb {
namespace {

constexpr std::string_view kTagPrefix = "perfplan:";

// 2^53: every whole number up to it is exact in a double, the type the lookups compute in.
// No tensor dimension or byte count of one kernel comes near it (an H200 holds 2^37 bytes).
constexpr uint64_t kMaxShapeValue = uint64_t{1} << 53;

struct OpKeys {
  std::vector<std::string_view> required;
  std::vector<std::string_view> optional;
};

constexpr std::array<std::string_view, 11> kMemoryOps = {"norm",   "layernorm", "activation", "elementwise",
                                                          "softmax", "dropout",  "rotary",     "router",
                                                          "permute", "embedding", "loss"};
constexpr std::array<std::string_view, 4> kDtypes = {"bf16", "fp16", "fp8", "fp32"};

std::optional<OpKeys> keys_of(std::string_view op) {
  if (op == "gemm" || op == "bmm") return OpKeys{{"m", "n", "k"}, {"batch"}};
  if (op == "attention") return OpKeys{{"b", "h", "s", "d"}, {"causal", "pass"}};
  if (std::find(kMemoryOps.begin(), kMemoryOps.end(), op) != kMemoryOps.end()) {
    return OpKeys{{"bytes"}, {"rows", "width"}};
  }
  return std::nullopt;
}

std::string joined(const auto& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + std::string(item);
  return out;
}

std::string accepted_keys(const OpKeys& keys) {
  std::string out = joined(keys.required);
  if (!keys.optional.empty()) out += " (optional: " + joined(keys.optional) + ")";
  return out;
}

bool whole_number(const std::string& text) {
  if (text.empty() || text.size() > 16) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  const uint64_t value = std::stoull(text);
  return value >= 1 && value <= kMaxShapeValue;
}

// Why `value` is not accepted for `key`, empty when it is.
std::string value_problem(const std::string& key, const std::string& value) {
  if (key == "causal") return value == "0" || value == "1" ? "" : "accepted: 0 or 1";
  if (key == "pass") return value == "fwd" || value == "bwd" ? "" : "accepted: fwd or bwd";
  return whole_number(value) ? "" : "accepted: a whole number from 1 to 2^53, in digits";
}

}  // namespace

bool has_tag_prefix(std::string_view name) { return name.substr(0, kTagPrefix.size()) == kTagPrefix; }

std::optional<MeasurementTag> parse_measurement_tag(std::string_view name, const std::string& where) {
  if (!has_tag_prefix(name)) return std::nullopt;
  const std::string rest(name.substr(kTagPrefix.size()));
  const size_t op_end = rest.find(':');
  if (op_end == std::string::npos) return std::nullopt;  // "perfplan:step": a marker, not a measurement
  const std::string text(name);
  const auto fail = [&](const std::string& what) {
    throw InputError(where + ": measurement tag '" + text + "': " + what +
                     " (format: perfplan:<op>:<dtype>:<key>=<value>,...)");
  };
  MeasurementTag tag;
  tag.op = rest.substr(0, op_end);
  const auto keys = keys_of(tag.op);
  if (!keys) {
    fail("unknown op '" + tag.op + "'; accepted: gemm, bmm, attention, " + joined(kMemoryOps));
  }
  const size_t dtype_end = rest.find(':', op_end + 1);
  std::string dtype = rest.substr(op_end + 1, dtype_end == std::string::npos ? std::string::npos : dtype_end - op_end - 1);
  for (char& c : dtype) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(kDtypes.begin(), kDtypes.end(), dtype) == kDtypes.end()) {
    fail("unknown dtype '" + dtype + "'; accepted: " + joined(kDtypes));
  }
  tag.dtype = dtype;
  const std::string shape = dtype_end == std::string::npos ? std::string() : rest.substr(dtype_end + 1);
  std::vector<std::string> pairs;  // every piece between commas, empty ones included
  for (size_t start = 0; !shape.empty() && start <= shape.size();) {
    const size_t end = std::min(shape.find(',', start), shape.size());
    pairs.push_back(shape.substr(start, end - start));
    start = end + 1;
  }
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) fail("'" + pair + "' is not key=value");
    const std::string key = pair.substr(0, eq), value = pair.substr(eq + 1);
    const bool known = std::find(keys->required.begin(), keys->required.end(), key) != keys->required.end() ||
                       std::find(keys->optional.begin(), keys->optional.end(), key) != keys->optional.end();
    if (!known) fail("unknown key '" + key + "' for " + tag.op + "; accepted: " + accepted_keys(*keys));
    if (tag.params.count(key)) fail("key '" + key + "' given twice");
    if (const std::string why = value_problem(key, value); !why.empty()) {
      fail(key + "=" + value + " is invalid; " + why);
    }
    tag.params[key] = value;
  }
  for (const auto& key : keys->required) {
    if (!tag.params.count(std::string(key))) {
      fail("missing key '" + std::string(key) + "'; " + tag.op + " needs " + accepted_keys(*keys));
    }
  }
  return tag;
}

}  // namespace perfplan::kerneldb
