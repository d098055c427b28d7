#pragma once
// The one way the injection library calls CUDA or CUPTI: PERFPLAN_CUDA_CHECK(call) evaluates the
// call and, on failure, throws CudaError naming the call and the vendor's error string. The
// injection entry points catch it, print one warning line and let the host program run on.
#include <cupti.h>

#include <stdexcept>
#include <string>

namespace perfplan::profiler {

class CudaError : public std::runtime_error {
 public:
  CudaError(const std::string& call, const std::string& vendor_message, int code)
      : std::runtime_error(call + ": " + vendor_message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A CUDA runtime status reached through dlsym (the library does not link cudart: it would be a
// second runtime next to the host program's); `message` is cudaGetErrorString's when available.
struct RuntimeStatus {
  int code = 0;
  const char* message = nullptr;
};

namespace detail {

inline void check(CUptiResult status, const char* call) {
  if (status == CUPTI_SUCCESS) return;
  const char* message = nullptr;
  if (cuptiGetResultString(status, &message) != CUPTI_SUCCESS || message == nullptr) message = "unknown CUPTI error";
  throw CudaError(call, message, static_cast<int>(status));
}

inline void check(CUresult status, const char* call) {
  if (status == CUDA_SUCCESS) return;
  // cuGetErrorString is not called: the driver entry points are resolved lazily by dlsym.
  throw CudaError(call, "CUDA driver error " + std::to_string(static_cast<int>(status)), static_cast<int>(status));
}

inline void check(RuntimeStatus status, const char* call) {
  if (status.code == 0) return;
  throw CudaError(call, status.message ? status.message : "CUDA runtime error " + std::to_string(status.code),
                  status.code);
}

}  // namespace detail
}  // namespace perfplan::profiler

#define PERFPLAN_CUDA_CHECK(call) ::perfplan::profiler::detail::check((call), #call)
