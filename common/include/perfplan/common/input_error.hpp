#pragma once
// The one exception type for bad user input: what was wrong, where, and what is accepted.
#include <stdexcept>
#include <string>

namespace perfplan {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace perfplan
