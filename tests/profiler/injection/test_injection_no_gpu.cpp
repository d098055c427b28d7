// The injection library never takes the host program down. On a machine without a GPU (CI):
// a CUDA program launched with CUDA_INJECTION64_PATH exits with its own exit code, and calling
// InitializeInjection directly prints exactly one warning line and returns 1. Without the driver
// library (libcuda.so.1) CUDA never loads the injection library, so the direct call is the one
// that exercises the failure path there. With a GPU the no-GPU checks skip themselves.
#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include <doctest/doctest.h>

namespace {

struct ProbeResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs `environment inject_probe args` through /bin/sh, stdout and stderr apart.
ProbeResult run_probe(const std::string& environment, const std::string& args) {
  std::string err_path = (std::filesystem::temp_directory_path() / "perfplan_inject_err_XXXXXX").string();
  const int fd = mkstemp(err_path.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  close(fd);
  const std::string command =
      environment + " '" + std::string(PERFPLAN_INJECT_PROBE) + "' " + args + " 2>'" + err_path + "'";
  ProbeResult result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  result.err = read_file(err_path);
  std::filesystem::remove(err_path);
  return result;
}

size_t count_occurrences(const std::string& text, const std::string& part) {
  size_t count = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

bool driver_library_present() {
  void* driver = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (driver != nullptr) dlclose(driver);
  return driver != nullptr;
}

}  // namespace

TEST_CASE("injection: a CUDA program under CUDA_INJECTION64_PATH exits normally with at most one warning") {
  const auto out =
      std::filesystem::temp_directory_path() / ("perfplan_inject_test_" + std::to_string(getpid()) + ".jsonl");
  const ProbeResult r = run_probe("CUDA_INJECTION64_PATH='" + std::string(PERFPLAN_INJECT_LIBRARY) +
                                      "' PERFPLAN_PROFILE_OUT='" + out.string() + "'",
                                  "cuda");
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("cudaGetDeviceCount") != std::string::npos);
  const size_t warnings = count_occurrences(r.err, "perfplan profiler:");
  CHECK(warnings <= 1);
  if (!driver_library_present()) {
    // CUDA fails before it would load an injection library: nothing loads, nothing is printed.
    MESSAGE("no libcuda.so.1: CUDA does not load the injection library on this machine");
    CHECK(warnings == 0);
    CHECK_FALSE(std::filesystem::exists(out));
  } else if (r.out.find(" 0 devices") == std::string::npos && warnings == 0) {
    // A GPU: the profile was written, header first.
    REQUIRE(std::filesystem::exists(out));
    const std::string text = read_file(out);
    CHECK(text.rfind("{\"context\":", 0) == 0);
  }
  std::filesystem::remove(out);
}

TEST_CASE("injection: InitializeInjection without a usable GPU warns once and returns 1") {
  if (driver_library_present()) {
    MESSAGE("libcuda.so.1 is present: the no-GPU path of a direct call is not what this machine shows");
    doctest::skip();
    return;
  }
  const ProbeResult r = run_probe("", "dlopen '" + std::string(PERFPLAN_INJECT_LIBRARY) + "'");
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("InitializeInjection: 1 1") != std::string::npos);
  CHECK(count_occurrences(r.err, "perfplan profiler:") == 1);
  CHECK(count_occurrences(r.err, "\n") == 1);
  CHECK(r.err.rfind("perfplan profiler: ", 0) == 0);
  CHECK(r.err.find("; the program runs on without profiling\n") != std::string::npos);
}
