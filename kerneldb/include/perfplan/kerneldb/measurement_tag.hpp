#pragma once
// The measurement tag: an NVTX / record_function range named
//   perfplan:<op>:<dtype>:<key>=<value>,...
// read strictly, in this one place, by the kernel-database reader and the Kineto import alike.
// The sweeps that write them: profiler/sweeps/gemm_sweep.cpp (gemm, elementwise) and
// profiler/sweeps/sweep_torch.py (attention, norm, layernorm, activation, elementwise).
//
//   op                        required keys   optional keys
//   gemm, bmm                 m, n, k         batch
//   attention                 b, h, s, d      causal (0 | 1, default 0), pass (fwd | bwd, default fwd)
//   memory-bound ops (*)      bytes           rows, width
// (*) norm, layernorm, activation, elementwise, softmax, dropout, rotary, router, permute,
//     embedding, loss: the memory-bound operator kinds the predictor looks up.
// dtype: bf16, fp16, fp8 or fp32 (case-insensitive, stored lower case). Shape values are whole
// numbers from 1 to 2^53 written in digits; no key may repeat or be unknown.
// A range with "perfplan:" but no dtype part ("perfplan:step") is not a measurement.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace perfplan::kerneldb {

struct MeasurementTag {
  std::string op;
  std::string dtype;
  std::map<std::string, std::string> params;  // as written (values validated)
};

// The tag of a range `name`, nullopt when it is not a measurement; InputError "<where>: tag
// '<name>': <what is wrong>; accepted: ..." when it is one and is malformed.
std::optional<MeasurementTag> parse_measurement_tag(std::string_view name, const std::string& where);

// Whether `name` starts with the tag prefix "perfplan:".
bool has_tag_prefix(std::string_view name);

}  // namespace perfplan::kerneldb
