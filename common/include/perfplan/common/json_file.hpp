#pragma once
// Reading JSON files and text with errors that name the file (shared by every loader).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace perfplan::common {

// Deeper nesting is refused (the project's own files nest at most 6 levels).
inline constexpr int kMaxJsonDepth = 64;

// JSON text / a JSON file; InputError naming `origin` when malformed, nested deeper than
// kMaxJsonDepth or holding a number that is not finite (1e400). A directory or a missing file
// says so.
nlohmann::json parse_json_text(std::string_view text, const std::string& origin);
nlohmann::json read_json_file(const std::filesystem::path& path);
// A whole input file (a JSON file, a kernel database, a trace) as text, at most
// limits::kMaxInputFileBytes: a larger one is an InputError before it is read into memory (a
// FIFO or device is read up to the bound). A directory or a missing file says so.
std::string read_input_file(const std::filesystem::path& path, const std::string& what);
// An integer within [low, high] (an integral number written as 4096.0 counts); nullopt for any
// other value (a fraction, a string, an integer out of range) -- never a truncating cast.
std::optional<int64_t> json_integer(const nlohmann::json& value, int64_t low, int64_t high);
// A value for an error message: a scalar as written (at most `max_chars`), a container by its
// kind and size, never the whole value.
std::string json_excerpt(const nlohmann::json& value, size_t max_chars = 60);

}  // namespace perfplan::common
