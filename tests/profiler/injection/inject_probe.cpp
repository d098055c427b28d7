// A tiny CUDA program for the injection test: `inject_probe cuda` calls the runtime
// (cudaGetDeviceCount, cudaMalloc) the way any program would, so that with CUDA_INJECTION64_PATH
// set CUDA loads the injection library; `inject_probe dlopen LIB` loads LIB itself and calls
// InitializeInjection twice (for machines without a driver, where CUDA never loads LIB).
// Exit code: 0, whatever CUDA says; 3 if LIB cannot be loaded or lacks the entry point.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>

#include <cuda_runtime_api.h>

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "cuda") == 0) {
    int devices = 0;
    const cudaError_t count_status = cudaGetDeviceCount(&devices);
    std::printf("cudaGetDeviceCount: %s, %d devices\n", cudaGetErrorString(count_status), devices);
    void* memory = nullptr;
    const cudaError_t malloc_status = cudaMalloc(&memory, 1 << 20);
    std::printf("cudaMalloc: %s\n", cudaGetErrorString(malloc_status));
    if (malloc_status == cudaSuccess) cudaFree(memory);
    return 0;
  }
  if (argc >= 3 && std::strcmp(argv[1], "dlopen") == 0) {
    void* library = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      std::printf("dlopen failed: %s\n", dlerror());
      return 3;
    }
    using Initialize = int (*)();
    auto initialize = reinterpret_cast<Initialize>(dlsym(library, "InitializeInjection"));
    if (initialize == nullptr) {
      std::printf("no InitializeInjection\n");
      return 3;
    }
    const int first = initialize();
    const int second = initialize();  // idempotent: no second warning
    std::printf("InitializeInjection: %d %d\n", first, second);
    return 0;
  }
  std::fprintf(stderr, "usage: inject_probe cuda | dlopen LIB\n");
  return 2;
}
