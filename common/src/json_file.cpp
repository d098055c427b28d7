#include "perfplan/common/json_file.hpp"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/limits.hpp"

namespace perfplan::common {

std::string json_excerpt(const nlohmann::json& value, size_t max_chars) {
  // Shallow: a container is named by its kind and size, so printing never recurses deeply.
  std::string text;
  if (value.is_object()) {
    text = "an object of " + std::to_string(value.size()) + " keys";
  } else if (value.is_array()) {
    text = "an array of " + std::to_string(value.size()) + " values";
  } else {
    text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "...";
  return text;
}

std::optional<int64_t> json_integer(const nlohmann::json& value, int64_t low, int64_t high) {
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    const auto v = static_cast<int64_t>(u);
    return v >= low && v <= high ? std::optional<int64_t>(v) : std::nullopt;
  }
  if (value.is_number_integer()) {
    const int64_t v = value.get<int64_t>();
    return v >= low && v <= high ? std::optional<int64_t>(v) : std::nullopt;
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || d != std::floor(d) || std::abs(d) > 9007199254740992.0) return std::nullopt;
    const auto v = static_cast<int64_t>(d);
    return v >= low && v <= high ? std::optional<int64_t>(v) : std::nullopt;
  }
  return std::nullopt;
}

nlohmann::json parse_json_text(std::string_view text, const std::string& origin) {
  // Nesting and numbers are checked while parsing: a value nested deeper than kMaxJsonDepth
  // (perfplan's own files nest 6 deep) would exhaust the stack of whatever walks it later, and
  // a number that is not finite (1e400) is no quantity. A key given twice in one object is
  // refused: nlohmann keeps the last, so `"vocab_size": 128256, "vocab_size": 5` would silently
  // mean 5. One set of keys per open object.
  std::vector<std::set<std::string>> open_objects;
  const nlohmann::json::parser_callback_t check =
      [&origin, &open_objects](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        if (depth > kMaxJsonDepth) {
          throw InputError(origin + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        }
        if (event == nlohmann::json::parse_event_t::object_start) open_objects.emplace_back();
        if (event == nlohmann::json::parse_event_t::object_end && !open_objects.empty()) open_objects.pop_back();
        if (event == nlohmann::json::parse_event_t::key && !open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second) {
          throw InputError(origin + ": duplicate key " + json_excerpt(parsed) +
                           " in one JSON object; each key may appear once");
        }
        if (event == nlohmann::json::parse_event_t::value && parsed.is_number_float() &&
            !std::isfinite(parsed.get<double>())) {
          throw InputError(origin + ": a number out of range (not finite); numbers must be finite");
        }
        return true;
      };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), check);
  } catch (const nlohmann::json::parse_error& e) {
    // Without the parser's "last read: '...'": it quotes the file's text, which may be a secret
    // (a path given by mistake); the position says where to look.
    std::string what = e.what();
    if (const size_t quote = what.find("; last read: "); quote != std::string::npos) {
      const size_t expected = what.find("; expected ", quote);
      what.erase(quote, expected == std::string::npos ? std::string::npos : expected - quote);
    }
    throw InputError(origin + ": malformed JSON (" + what + ")");
  } catch (const nlohmann::json::out_of_range& e) {
    throw InputError(origin + ": a number out of range in JSON (" + e.what() + ")");
  }
}

std::string read_input_file(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError(path.string() + ": is a directory, expected " + what);
  }
  const auto too_large = [&] {
    return InputError(path.string() + ": larger than " + std::to_string(limits::kMaxInputFileBytes >> 20) +
                      " MiB, the most perfplan reads as " + what);
  };
  if (std::filesystem::is_regular_file(path, ec)) {
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > static_cast<uintmax_t>(limits::kMaxInputFileBytes)) throw too_large();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open file (expected " + what + ")");
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (static_cast<int64_t>(text.size()) > limits::kMaxInputFileBytes) throw too_large();
  }
  return text;
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_text(read_input_file(path, "a JSON file"), path.string());
}

}  // namespace perfplan::common
