#include "perfplan/common/json_file.hpp"
#include "json_fields.hpp"

#include <algorithm>
#include <cmath>

#include "perfplan/common/names.hpp"

namespace perfplan::hardware::detail {

using nlohmann::json;

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string describe(const json& value) {
  // A short array of scalars (a [low, high] pair) is shown whole: "[0.9, 0.1]".
  if (value.is_array() && !value.empty() && value.size() <= 4 &&
      std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_primitive(); })) {
    std::string text = "[";
    for (const auto& v : value) text += (text.size() > 1 ? ", " : "") + common::json_excerpt(v, 20);
    return text + "]";
  }
  return common::json_excerpt(value, 40);
}

// Reports keys that are not in `accepted` (typos would otherwise silently keep a default).
void check_keys(const json& object, const std::string& prefix, const std::vector<std::string>& accepted,
                SpecProblems& problems) {
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    if (std::find(accepted.begin(), accepted.end(), key) != accepted.end()) continue;
    std::string what = "unknown key";
    const std::string* closest = nullptr;
    size_t best = SIZE_MAX;
    for (const auto& candidate : accepted) {
      const size_t distance = edit_distance(key, candidate);
      if (distance < best) {
        best = distance;
        closest = &candidate;
      }
    }
    if (closest != nullptr && best <= 3) {
      what += "; did you mean '";
      what += *closest;
      what += "'?";
    }
    what += closest != nullptr && best <= 3 ? " Accepted keys:" : "; accepted keys:";
    for (const auto& candidate : accepted) what += " " + candidate;
    problems.add(join_path(prefix, key), what);
  }
}

std::string read_text(const json& object, const std::string& prefix, const char* key, SpecProblems& problems,
                      bool required) {
  const std::string path = join_path(prefix, key);
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) problems.add(path, "missing (expected a non-empty string)");
    return {};
  }
  if (!it->is_string() || it->get<std::string>().empty()) {
    problems.add(path, "must be a non-empty string, got " + describe(*it));
    return {};
  }
  return it->get<std::string>();
}

// A number in vendor units; `nullable` accepts null for "the GPU lacks this" (read as nullopt).
std::optional<double> read_number(const json& object, const std::string& prefix, const char* key, const char* expected,
                                  SpecProblems& problems, bool nullable) {
  const std::string path = join_path(prefix, key);
  auto it = object.find(key);
  if (it == object.end()) {
    std::string what = "missing (expected ";
    what += expected;
    if (nullable) what += ", or null where absent";
    what += ")";
    problems.add(path, what);
    return std::nullopt;
  }
  if (it->is_null()) {
    if (!nullable) {
      std::string what = "must be a number (";
      what += expected;
      what += "), got null";
      problems.add(path, what);
    }
    return std::nullopt;
  }
  if (!it->is_number()) {
    std::string what = "must be a number (";
    what += expected;
    what += "), got " + describe(*it);
    problems.add(path, what);
    return std::nullopt;
  }
  return it->get<double>();
}

std::optional<int64_t> read_integer(const json& object, const std::string& prefix, const char* key,
                                    const char* expected, SpecProblems& problems) {
  const std::optional<double> value = read_number(object, prefix, key, expected, problems);
  if (!value) return std::nullopt;
  if (*value != std::floor(*value) || std::fabs(*value) > 1e15) {
    std::string what = "must be a whole number (";
    what += expected;
    what += "), got " + describe(object.at(key));
    problems.add(join_path(prefix, key), what);
    return std::nullopt;
  }
  return static_cast<int64_t>(*value);
}

void check_bound(const json& object, const std::string& prefix, const char* key, const Bound& bound,
                 SpecProblems& problems, bool zero_allowed) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return;
  const double value = it->get<double>();
  if ((zero_allowed && value == 0) || (value >= bound.low && value <= bound.high)) return;
  problems.add(join_path(prefix, key), bound_text(bound) + (zero_allowed ? ", or 0 where absent" : "") + " (got " +
                                           describe(*it) + ")");
}

// A source is a string, or an object naming the source of each figure ({"gemm_efficiency": "..."}).
std::string read_sources(const json& object, const std::string& prefix, const char* key, SpecProblems& problems) {
  const std::string path = join_path(prefix, key);
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    problems.add(path, "missing (expected a string, or an object naming the source of each figure)");
    return {};
  }
  if (it->is_string()) return read_text(object, prefix, key, problems);
  if (!it->is_object() || it->empty()) {
    problems.add(path, "must be a string or an object of strings, got " + describe(*it));
    return {};
  }
  std::string joined;
  for (const auto& item : it->items()) {
    if (!item.value().is_string() || item.value().get<std::string>().empty()) {
      problems.add(join_path(path, item.key()), "must be a non-empty string, got " + describe(item.value()));
      continue;
    }
    if (!joined.empty()) joined += "; ";
    joined += item.key() + ": " + item.value().get<std::string>();
  }
  return joined;
}

const json* read_object(const json& object, const char* key, SpecProblems& problems) {
  auto it = object.find(key);
  if (it == object.end()) {
    problems.add(key, "missing (expected an object)");
    return nullptr;
  }
  if (!it->is_object()) {
    problems.add(key, "must be an object, got " + describe(*it));
    return nullptr;
  }
  return &*it;
}

bool is_document(const json& doc, const char* what, SpecProblems& problems) {
  if (doc.is_object()) return true;
  std::string text = "the file must hold one JSON object (";
  text += what;
  text += "), got " + describe(doc);
  problems.add("(file)", text);
  return false;
}

std::map<std::string, std::pair<double, double>> read_bounds(const json& object, const std::string& prefix,
                                                             const char* key, SpecProblems& problems) {
  std::map<std::string, std::pair<double, double>> out;
  const auto it = object.find(key);
  if (it == object.end()) return out;
  const std::string path = join_path(prefix, key);
  if (!it->is_object()) {
    problems.add(path, "must be an object of [low, high] ranges, got " + describe(*it));
    return out;
  }
  for (const auto& item : it->items()) {
    const json& v = item.value();
    const bool pair = v.is_array() && v.size() == 2 && v[0].is_number() && v[1].is_number();
    if (!pair || !(v[0].get<double>() <= v[1].get<double>()) || !std::isfinite(v[0].get<double>()) ||
        !std::isfinite(v[1].get<double>())) {
      problems.add(join_path(path, item.key()), "must be [low, high] with low <= high, got " + describe(v));
      continue;
    }
    out[item.key()] = {v[0].get<double>(), v[1].get<double>()};
  }
  return out;
}

std::string source_entry(const json& object, const char* key) {
  const auto it = object.find("source");
  if (it == object.end() || !it->is_object()) return {};
  const auto entry = it->find(key);
  return entry != it->end() && entry->is_string() ? entry->get<std::string>() : std::string();
}

}  // namespace perfplan::hardware::detail
