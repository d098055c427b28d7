// libperfplan_inject.so: a thin CUPTI Activity-API adapter loaded by CUDA through
// CUDA_INJECTION64_PATH (entry point InitializeInjection). It copies kernel, memcpy, memset,
// NVTX-marker and device records into plain structs and, at process exit, hands them to the pure
// core (records.cpp) which writes the kernel database. Rules from research/cupti-profiling.md §0:
// CONCURRENT_KERNEL (never KERNEL), one heap buffer per request with a cap on live buffers, a
// forced flush only at exit, invalid records dropped and counted, and never take the host down.
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include <cupti.h>

#include "cuda_check.hpp"
#include "perfplan/profiler/records.hpp"

namespace perfplan::profiler {
namespace {

constexpr size_t kBufferBytes = size_t{8} << 20;  // NVIDIA samples: 8 MiB; CUPTI recommends 1-10 MB
constexpr size_t kBufferAlignment = 8;
constexpr int kMaxLiveBuffers = 64;                  // 512 MiB of records in flight at most
constexpr uint32_t kBufferRejectionMinVersion = 27;  // returning null crashes CUPTI before API 27

struct DeviceInfo {
  uint32_t id = 0;
  std::string name;
  uint32_t sm_count = 0;
};

struct State {
  std::mutex mutex;  // guards everything below; never held across a CUPTI call
  std::vector<KernelRecord> kernels;
  std::vector<MemoryOpRecord> memory_ops;
  std::vector<MarkerEvent> markers;
  std::vector<DeviceInfo> devices;
  uint64_t dropped_by_cupti = 0;
  uint64_t rejected_buffers = 0;
  int live_buffers = 0;
  uint32_t cupti_version = 0;
};

State& state() {
  static State* s = new State();  // leaked on purpose: CUPTI may call back during static destruction
  return *s;
}

std::atomic<bool> g_initialized{false};
std::atomic<bool> g_warned{false};

void warn_once(const std::string& what) {
  if (g_warned.exchange(true)) return;
  std::fprintf(stderr, "perfplan profiler: %s; the program runs on without profiling\n", what.c_str());
}

const char* memcpy_kind_name(uint8_t kind) {
  switch (kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD:
      return "HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH:
      return "DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOA:
      return "HtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOH:
      return "AtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOA:
      return "AtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOD:
      return "AtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOA:
      return "DtoA";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD:
      return "DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH:
      return "HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP:
      return "PtoP";
    default:
      return "unknown";
  }
}

void copy_record(const CUpti_Activity* record, State& s) {
  switch (record->kind) {
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
    case CUPTI_ACTIVITY_KIND_KERNEL: {
      const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
      KernelRecord r;
      r.mangled_name = k->name ? k->name : "";
      r.device_id = k->deviceId;
      r.context_id = k->contextId;
      r.stream_id = k->streamId;
      r.grid = {k->gridX, k->gridY, k->gridZ};
      r.block = {k->blockX, k->blockY, k->blockZ};
      r.registers_per_thread = k->registersPerThread;
      r.shared_memory_bytes =
          static_cast<uint64_t>(k->staticSharedMemory) + static_cast<uint64_t>(k->dynamicSharedMemory);
      r.start_ns = k->start;
      r.end_ns = k->end;
      r.correlation_id = k->correlationId;
      s.kernels.push_back(std::move(r));
      break;
    }
    case CUPTI_ACTIVITY_KIND_MEMCPY: {
      const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(record);
      s.memory_ops.push_back({MemoryOpKind::kMemcpy, memcpy_kind_name(m->copyKind), m->bytes, m->deviceId, m->contextId,
                              m->streamId, m->start, m->end, m->correlationId});
      break;
    }
    case CUPTI_ACTIVITY_KIND_MEMSET: {
      const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(record);
      s.memory_ops.push_back({MemoryOpKind::kMemset, "", m->bytes, m->deviceId, m->contextId, m->streamId, m->start,
                              m->end, m->correlationId});
      break;
    }
    case CUPTI_ACTIVITY_KIND_MARKER: {
      const auto* m = reinterpret_cast<const CUpti_ActivityMarker2*>(record);
      const bool is_start = (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_START) != 0;
      const bool is_end = (m->flags & CUPTI_ACTIVITY_FLAG_MARKER_END) != 0;
      if (!is_start && !is_end) break;  // instantaneous marks carry no range
      s.markers.push_back({m->id, is_start, m->timestamp, (is_start && m->name) ? m->name : ""});
      break;
    }
    case CUPTI_ACTIVITY_KIND_DEVICE: {
      const auto* d = reinterpret_cast<const CUpti_ActivityDevice5*>(record);
      s.devices.push_back({d->id, d->name ? d->name : "", d->numMultiprocessors});
      break;
    }
    default:
      break;
  }
}

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_num_records) {
  State& s = state();
  *max_num_records = 0;  // fill the buffer
  *size = 0;
  *buffer = nullptr;
  {
    std::lock_guard lock(s.mutex);
    if (s.live_buffers >= kMaxLiveBuffers && s.cupti_version >= kBufferRejectionMinVersion) {
      ++s.rejected_buffers;  // CUPTI drops and counts the records it cannot place
      return;
    }
    ++s.live_buffers;
  }
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(kBufferAlignment, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  if (*buffer == nullptr) {
    std::lock_guard lock(s.mutex);
    --s.live_buffers;
    ++s.rejected_buffers;
  }
}

void CUPTIAPI buffer_completed(CUcontext context, uint32_t stream_id, uint8_t* buffer, size_t /*size*/,
                               size_t valid_size) {
  State& s = state();
  try {
    std::vector<const CUpti_Activity*> records;
    CUpti_Activity* record = nullptr;
    while (true) {
      const CUptiResult status = cuptiActivityGetNextRecord(buffer, valid_size, &record);
      if (status == CUPTI_ERROR_MAX_LIMIT_REACHED) break;  // the normal end of a buffer
      PERFPLAN_CUDA_CHECK(status);
      records.push_back(record);
    }
    size_t dropped = 0;
    PERFPLAN_CUDA_CHECK(cuptiActivityGetNumDroppedRecords(context, stream_id, &dropped));
    std::lock_guard lock(s.mutex);
    const bool over_cap = s.live_buffers > kMaxLiveBuffers;  // pre-API-27 CUPTI: discard past the cap
    for (const CUpti_Activity* r : records) {
      if (over_cap) {
        ++s.dropped_by_cupti;
      } else {
        copy_record(r, s);
      }
    }
    s.dropped_by_cupti += dropped;
  } catch (const std::exception& e) {
    warn_once(std::string("reading an activity buffer failed: ") + e.what());
  }
  std::free(buffer);
  std::lock_guard lock(s.mutex);
  --s.live_buffers;
}

void CUPTIAPI on_callback(void*, CUpti_CallbackDomain, CUpti_CallbackId, const void*) {}

std::string output_path() {
  const char* env = std::getenv("PERFPLAN_PROFILE_OUT");
  std::string path = (env && *env) ? env : "perfplan_profile.jsonl";
  // "%p" becomes the process id, so every rank of a multi-process job writes its own file.
  for (size_t at = path.find("%p"); at != std::string::npos; at = path.find("%p"))
    path.replace(at, 2, std::to_string(getpid()));
  return path;
}

template <typename Fn>
Fn find_symbol(void* handle, const char* name) {
  return reinterpret_cast<Fn>(dlsym(handle, name));
}

// Versions of the loaded driver and of the host program's runtime, when they can be found.
void fill_versions(ProfileContext& context) {
  if (void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD)) {
    using DriverGetVersion = CUresult (*)(int*);
    if (auto fn = find_symbol<DriverGetVersion>(driver, "cuDriverGetVersion")) {
      int version = 0;
      PERFPLAN_CUDA_CHECK(fn(&version));
      context.driver_version = version;
    }
    dlclose(driver);
  }
  using RuntimeGetVersion = int (*)(int*);
  if (auto fn = find_symbol<RuntimeGetVersion>(RTLD_DEFAULT, "cudaRuntimeGetVersion")) {
    int version = 0;
    PERFPLAN_CUDA_CHECK(RuntimeStatus{fn(&version)});
    context.cuda_version = version;
  }
}

void write_at_exit() {
  try {
    PERFPLAN_CUDA_CHECK(cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED));
  } catch (const std::exception& e) {
    warn_once(std::string("flushing at exit failed: ") + e.what());
  }
  State& s = state();
  ProfileRecords records;
  uint64_t rejected_buffers = 0;
  {
    std::lock_guard lock(s.mutex);
    records.kernels = std::move(s.kernels);
    records.memory_ops = std::move(s.memory_ops);
    records.ranges = pair_markers(s.markers);
    records.context.dropped_records = s.dropped_by_cupti;
    records.context.cupti_version = s.cupti_version;
    rejected_buffers = s.rejected_buffers;
    if (!s.devices.empty()) {
      const uint32_t wanted = records.kernels.empty() ? s.devices.front().id : records.kernels.front().device_id;
      const DeviceInfo* chosen = &s.devices.front();
      for (const DeviceInfo& d : s.devices)
        if (d.id == wanted) chosen = &d;
      records.context.gpu = chosen->name;
      records.context.sm_count = chosen->sm_count;
    }
  }
  try {
    fill_versions(records.context);
  } catch (const std::exception&) {
    // Versions are context only; a profile without them is still a profile.
  }
  const std::string path = output_path();
  std::ofstream out(path);
  if (!out) {
    warn_once("cannot write " + path + ": " + std::strerror(errno));
    return;
  }
  const uint64_t dropped = records.context.dropped_records + write_profile(records, out);
  out.flush();
  if (!out) {
    warn_once("writing " + path + " failed: " + std::strerror(errno));
    return;
  }
  if (dropped > 0 || rejected_buffers > 0) {
    std::fprintf(stderr, "perfplan profiler: %llu records dropped (%llu buffers refused at the cap); see %s\n",
                 static_cast<unsigned long long>(dropped), static_cast<unsigned long long>(rejected_buffers),
                 path.c_str());
  }
}

// Points NVTX at libcupti so that nvtxRangePush/Pop reach CUPTI as MARKER records, unless the
// user already chose an NVTX tool. Must happen before the program's first NVTX call to count;
// `perfplan profile` sets it in the child's environment for that reason too.
void route_nvtx_to_cupti() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cuptiGetVersion), &info) != 0 && info.dli_fname != nullptr)
    setenv("NVTX_INJECTION64_PATH", info.dli_fname, 0);
}

void start() {
  State& s = state();
  uint32_t version = 0;
  PERFPLAN_CUDA_CHECK(cuptiGetVersion(&version));
  {
    std::lock_guard lock(s.mutex);
    s.cupti_version = version;
  }
  CUpti_SubscriberHandle subscriber{};
  try {
    PERFPLAN_CUDA_CHECK(cuptiSubscribe(&subscriber, &on_callback, nullptr));
  } catch (const CudaError& e) {
    if (e.code() == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
      throw CudaError("cuptiSubscribe",
                      std::string(e.what()) +
                          " (another CUPTI client is attached: nsys, compute-sanitizer, a Kineto "
                          "daemon (KINETO_USE_DAEMON); turn it off)",
                      e.code());
    throw;
  }
  PERFPLAN_CUDA_CHECK(cuptiActivityRegisterCallbacks(&buffer_requested, &buffer_completed));
  PERFPLAN_CUDA_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_DEVICE));
  PERFPLAN_CUDA_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  PERFPLAN_CUDA_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMCPY));
  PERFPLAN_CUDA_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMSET));
  PERFPLAN_CUDA_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MARKER));
  route_nvtx_to_cupti();
  if (std::atexit(&write_at_exit) != 0) throw CudaError("atexit", "cannot register the exit handler", 0);
}

}  // namespace
}  // namespace perfplan::profiler

// Called by CUDA once per process when CUDA_INJECTION64_PATH names this library. Returning 1
// tells CUDA to carry on; it is returned on failure too, after one warning line.
extern "C" __attribute__((visibility("default"))) int InitializeInjection(void) {
  using namespace perfplan::profiler;
  static std::mutex init_mutex;
  std::lock_guard lock(init_mutex);
  if (g_initialized.exchange(true)) return 1;
  try {
    start();
  } catch (const std::exception& e) {
    warn_once(e.what());
  } catch (...) {
    warn_once("unexpected failure");
  }
  return 1;
}
