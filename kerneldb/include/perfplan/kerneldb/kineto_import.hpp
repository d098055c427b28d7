#pragma once
// PyTorch profiler (Kineto) Chrome traces -> the kernel-database JSON Lines of kernel_db.hpp, so
// traces users already have can feed the predictor.
#include <string>
#include <string_view>

namespace perfplan::kerneldb {

struct KinetoImportOptions {
  std::string input;  // the trace's file name, recorded in the header's context.inputs
  // The GPU the trace was taken on, for traces without deviceProperties; empty: none given.
  // InputError when the trace names a different GPU (kerneldb::same_gpu).
  std::string gpu;
};

// Converts the text of a torch.profiler trace ({"traceEvents": [...], "deviceProperties":
// [...]}). The header names the GPU of deviceProperties[0] (else options.gpu, else null) with source
// "kineto"; then "range" lines for the GPU-side annotations (cat "gpu_user_annotation": NVTX
// ranges and record_function blocks as they ran on the GPU), and "kernel", "memcpy" and
// "memset" lines (cat "kernel", "gpu_memcpy", "gpu_memset"), all in start order, with Kineto's
// microseconds converted to ns. A kernel's "nvtx" is the innermost GPU annotation on its device
// containing its start (the one that started last; ties: the shorter), else null. CPU-side
// events are not measurements and are left out. InputError when the text is not such a trace, or
// an annotation is a malformed measurement tag (parse_measurement_tag), or the result would not
// read back as a kernel database (a measurement of 0 s).
std::string kineto_trace_to_jsonl(std::string_view trace_json, const KinetoImportOptions& options);

}  // namespace perfplan::kerneldb
