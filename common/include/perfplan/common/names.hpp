#pragma once
// Matching names the way users type them: case-insensitive, punctuation-insensitive, and the
// closest name for "did you mean".
#include <cstddef>
#include <string>
#include <string_view>

namespace perfplan {

std::string to_lower(std::string_view text);
// Lower-case letters and digits, separators (space - _ .) dropped ("Llama-3.1 8B" -> "llama318b");
// any other character is kept, so it matches no name ("dgx-h100\u00e9" is not "dgx-h100").
std::string alphanumeric_lower(std::string_view text);
// Levenshtein distance.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace perfplan
