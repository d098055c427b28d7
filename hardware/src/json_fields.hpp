#pragma once
// Typed reading of spec-file fields, each problem reported with its JSON path (private to the
// hardware module; shared by the GPU, link, cluster and framework readers).
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hardware_json.hpp"
#include "spec_bounds.hpp"

namespace perfplan::hardware::detail {

std::string join_path(const std::string& prefix, const std::string& key);
// A value shortened for an error message.
std::string describe(const nlohmann::json& value);
// Reports keys that are not in `accepted` (typos would otherwise silently keep a default).
void check_keys(const nlohmann::json& object, const std::string& prefix, const std::vector<std::string>& accepted,
                SpecProblems& problems);
std::string read_text(const nlohmann::json& object, const std::string& prefix, const char* key,
                      SpecProblems& problems, bool required = true);
// A number in vendor units; `nullable` accepts null for "absent" (read as nullopt).
std::optional<double> read_number(const nlohmann::json& object, const std::string& prefix, const char* key,
                                  const char* expected, SpecProblems& problems, bool nullable = false);
std::optional<int64_t> read_integer(const nlohmann::json& object, const std::string& prefix, const char* key,
                                    const char* expected, SpecProblems& problems);
// Reports `key` when it holds a number outside `bound`, quoted as written ("got 1e+300"); 0 is
// accepted when `zero_allowed` (a figure the hardware lacks). Absent or non-numbers: read_number's.
void check_bound(const nlohmann::json& object, const std::string& prefix, const char* key, const Bound& bound,
                 SpecProblems& problems, bool zero_allowed = false);
// A source is a string, or an object naming the source of each figure ({"gemm_efficiency": "..."}).
std::string read_sources(const nlohmann::json& object, const std::string& prefix, const char* key,
                         SpecProblems& problems);
// {"field": [low, high], ...}: ranges of free constants (low <= high, finite); absent: empty.
std::map<std::string, std::pair<double, double>> read_bounds(const nlohmann::json& object, const std::string& prefix,
                                                             const char* key, SpecProblems& problems);
// The source object's entry `key` (e.g. the source of the bounds); empty when absent.
std::string source_entry(const nlohmann::json& object, const char* key);
const nlohmann::json* read_object(const nlohmann::json& object, const char* key, SpecProblems& problems);
bool is_document(const nlohmann::json& doc, const char* what, SpecProblems& problems);

}  // namespace perfplan::hardware::detail
