#pragma once
// Training data types and their storage sizes.
#include <string>
#include <string_view>

namespace perfplan::model {

enum class DType { kFp32, kBf16, kFp16, kFp8 };

// Parses "fp32", "bf16", "fp16", "fp8" (case-insensitive); InputError otherwise.
DType parse_dtype(std::string_view text);
std::string to_string(DType dtype);

// Bytes of one element of a GEMM operand in this dtype.
double bytes_per_element(DType dtype);

// Bytes of one element of an activation tensor kept for backward. FP8 training (Transformer
// Engine) keeps activations and the tensors between kernels in bf16; only GEMM inputs are cast.
double activation_bytes_per_element(DType dtype);

}  // namespace perfplan::model
