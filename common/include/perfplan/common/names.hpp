#pragma once
// Matching names the way users type them: case-insensitive, punctuation-insensitive, and the
// closest name for "did you mean".
#include <cstddef>
#include <string>
#include <string_view>

namespace perfplan {

std::string to_lower(std::string_view text);
// Lower-case letters and digits only ("Llama-3.1 8B" -> "llama318b").
std::string alphanumeric_lower(std::string_view text);
// Levenshtein distance.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace perfplan
