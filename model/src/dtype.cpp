#include "perfplan/model/dtype.hpp"

#include <algorithm>
#include <cctype>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/names.hpp"

namespace perfplan::model {

DType parse_dtype(std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "fp32" || lower == "float32") return DType::kFp32;
  if (lower == "bf16" || lower == "bfloat16") return DType::kBf16;
  if (lower == "fp16" || lower == "float16") return DType::kFp16;
  if (lower == "fp8") return DType::kFp8;
  throw InputError("unknown dtype '" + std::string(text) + "': accepted are fp32, bf16, fp16, fp8");
}

std::string to_string(DType dtype) {
  switch (dtype) {
    case DType::kFp32: return "fp32";
    case DType::kBf16: return "bf16";
    case DType::kFp16: return "fp16";
    case DType::kFp8: return "fp8";
  }
  return "?";
}

double bytes_per_element(DType dtype) {
  switch (dtype) {
    case DType::kFp32: return 4.0;
    case DType::kBf16:
    case DType::kFp16: return 2.0;
    case DType::kFp8: return 1.0;
  }
  return 2.0;
}

double activation_bytes_per_element(DType dtype) {
  return dtype == DType::kFp32 ? 4.0 : 2.0;
}

}  // namespace perfplan::model
