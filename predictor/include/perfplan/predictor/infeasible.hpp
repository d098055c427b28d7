#pragma once
// An impossible layout is a value, not an error: the planner meets millions of them. Bad input
// (an unknown GPU, a malformed file) stays an InputError.
#include <string>
#include <utility>
#include <variant>

namespace perfplan::predictor {

enum class InfeasibleKind {
  kInvalidDegree,  // a degree, batch or stage count that is not a positive integer
  kGpuCount,       // tp x pp x dp x cp is not the number of GPUs
  kDivisibility,   // a degree does not divide what it shards (heads, experts, layers, batch, ...)
  kUnsupported,    // a combination the modelled frameworks do not run (vp without pp, ...)
  kPlacement,      // stages or replicas that do not fit the parts of a mixed cluster
  kMemory,         // does not fit in GPU memory (the planner's cut; predict() reports fits = false)
};
std::string to_string(InfeasibleKind kind);

struct Infeasible {
  InfeasibleKind kind = InfeasibleKind::kUnsupported;
  std::string detail;  // what is wrong and what would be accepted
};

// A prediction or why there is none.
template <typename T>
class Outcome {
 public:
  Outcome(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Outcome(Infeasible why) : v_(std::move(why)) {}  // NOLINT(google-explicit-constructor)

  bool feasible() const { return std::holds_alternative<T>(v_); }
  const Infeasible& infeasible() const { return std::get<Infeasible>(v_); }
  // The value; for callers whose layout is user input, an infeasible one is an InputError with
  // the detail.
  const T& value() const&;
  T& value() &;
  T value() &&;

 private:
  void throw_if_infeasible() const;
  std::variant<T, Infeasible> v_;
};

[[noreturn]] void throw_infeasible(const Infeasible& why);  // InputError(why.detail)

template <typename T>
void Outcome<T>::throw_if_infeasible() const {
  if (!feasible()) throw_infeasible(infeasible());
}
template <typename T>
const T& Outcome<T>::value() const& {
  throw_if_infeasible();
  return std::get<T>(v_);
}
template <typename T>
T& Outcome<T>::value() & {
  throw_if_infeasible();
  return std::get<T>(v_);
}
template <typename T>
T Outcome<T>::value() && {
  throw_if_infeasible();
  return std::move(std::get<T>(v_));
}

}  // namespace perfplan::predictor
