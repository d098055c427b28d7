#include "perfplan/common/json_file.hpp"

#include <fstream>
#include <sstream>

#include "perfplan/common/input_error.hpp"

namespace perfplan::common {

nlohmann::json parse_json_text(std::string_view text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(origin + ": malformed JSON (" + e.what() + ")");
  }
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path.string() + ": is a directory, expected a JSON file");
  }
  std::ifstream in(path);
  if (!in) throw InputError(path.string() + ": cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), path.string());
}

}  // namespace perfplan::common
