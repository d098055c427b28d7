#pragma once
// Reading JSON files and text with errors that name the file (shared by every loader).
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace perfplan::common {

nlohmann::json parse_json_text(std::string_view text, const std::string& origin);
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace perfplan::common
