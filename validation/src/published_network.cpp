#include "perfplan/validation/published_network.hpp"

#include <array>
#include <cctype>
#include <regex>
#include <utility>

namespace perfplan::validation {
namespace {

// Intel Omni-Path Architecture 100 Series: 100 Gb/s per port (Intel OPA product brief).
constexpr double kOmniPathGbit = 100.0;

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string format_gbit(double g) {
  const double rounded = static_cast<double>(static_cast<int64_t>(g));
  return rounded == g ? std::to_string(static_cast<int64_t>(g)) : std::to_string(g);
}

// "8", "8x", "eight" -> 8; 0 when not a count.
int64_t count_word(const std::string& word) {
  static const std::array<std::pair<const char*, int64_t>, 8> kWords = {
      {{"one", 1}, {"two", 2}, {"four", 4}, {"six", 6}, {"eight", 8}, {"ten", 10}, {"twelve", 12}, {"sixteen", 16}}};
  for (const auto& [name, n] : kWords) {
    if (word == name) return n;
  }
  if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0]))) return std::stoll(word);
  return 0;
}

}  // namespace

std::optional<PublishedNetwork> read_published_network(const std::string& text) {
  const std::string t = lower(text);
  PublishedNetwork n;
  std::smatch m;
  // "4 OmniPath links", "four Omni-Path links"
  static const std::regex omni(R"(\b(\d+|two|four|eight)\s+omni-?\s?path\s+links?)");
  if (std::regex_search(t, m, omni)) {
    n.links = count_word(m[1].str());
    n.gbit_per_node = static_cast<double>(n.links) * kOmniPathGbit;
    n.reading = std::to_string(n.links) + " Omni-Path links of 100 Gb/s per node (Intel OPA 100 Series)";
    return n.links > 0 ? std::optional<PublishedNetwork>(n) : std::nullopt;
  }
  // A rate: "200 Gb/s", "200Gbps", "800 Gbit/s".
  static const std::regex rate(R"((\d+(?:\.\d+)?)\s*(?:gb/s|gbps|gbit/s|gb\/s))");
  if (!std::regex_search(t, m, rate)) return std::nullopt;
  const double gbit = std::stod(m[1].str());
  if (!(gbit > 0 && gbit <= 1e5)) return std::nullopt;
  // A count of links before the rate: "8x HDR InfiniBand 200 Gb/s", "eight ... 200gbps ... hcas per node".
  static const std::regex counted(
      R"(\b(\d+|two|four|six|eight|ten|twelve|sixteen)(?:\s*x\s*|\s+)(?:[a-z\-]+\s+){0,4}?\d+(?:\.\d+)?\s*(?:gb/s|gbps|gbit/s))");
  const bool per_node = t.find("per node") != std::string::npos;
  if (per_node && std::regex_search(t, m, counted)) {
    n.links = count_word(m[1].str());
    if (n.links > 0 && n.links <= 64) {
      n.gbit_per_node = static_cast<double>(n.links) * gbit;
      n.reading = std::to_string(n.links) + " links of " + format_gbit(gbit) + " Gb/s per node";
      return n;
    }
    n.links = 0;
  }
  // A lone rate: the whole node's scale-out bandwidth ("800Gbps inter-node interconnect",
  // "400Gbps network connectivity").
  n.gbit_per_node = gbit;
  n.reading = format_gbit(gbit) + " Gb/s of scale-out bandwidth per node (link count not printed)";
  return n;
}

}  // namespace perfplan::validation
