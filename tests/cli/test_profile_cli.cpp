// `perfplan profile`: the summary of a kernel database the test writes itself, and the errors.
// Running a real program under the profiler needs a GPU and is not covered here.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

namespace {

// Two steps; "gemm" runs 3 times (3 ms), "softmax" twice (0.5 ms), "init" once outside any range.
constexpr const char* kProfile =
    R"jsonl({"context":{"schema_version":1,"perfplan_version":"0.1.0","source":"cupti","gpu":"NVIDIA H100 80GB HBM3","sm_count":132,"driver":13000,"cuda":13000,"cupti":130001,"dropped_records":4}}
{"type":"range","name":"step","start_ns":1000000,"end_ns":4000000,"duration_ns":3000000}
{"type":"range","name":"step","start_ns":5000000,"end_ns":10000000,"duration_ns":5000000}
{"type":"kernel","name":"init_kernel","mangled":"init_kernel","device":0,"context":1,"stream":7,"grid":[1,1,1],"block":[32,1,1],"registers":16,"shared_memory_bytes":0,"start_ns":500000,"end_ns":600000,"duration_ns":100000,"correlation_id":1,"nvtx":null}
{"type":"memcpy","copy_kind":"HtoD","bytes":2000000,"device":0,"context":1,"stream":7,"start_ns":700000,"end_ns":900000,"duration_ns":200000,"correlation_id":2}
{"type":"kernel","name":"void gemm<float>(float*)","mangled":"_Z4gemmIfEvPT_","device":0,"context":1,"stream":7,"grid":[128,1,1],"block":[256,1,1],"registers":96,"shared_memory_bytes":49152,"start_ns":1100000,"end_ns":2100000,"duration_ns":1000000,"correlation_id":3,"nvtx":"step"}
{"type":"kernel","name":"softmax","mangled":"softmax","device":0,"context":1,"stream":7,"grid":[64,1,1],"block":[128,1,1],"registers":32,"shared_memory_bytes":0,"start_ns":2200000,"end_ns":2450000,"duration_ns":250000,"correlation_id":4,"nvtx":"step"}
{"type":"kernel","name":"void gemm<float>(float*)","mangled":"_Z4gemmIfEvPT_","device":0,"context":1,"stream":7,"grid":[128,1,1],"block":[256,1,1],"registers":96,"shared_memory_bytes":49152,"start_ns":5100000,"end_ns":6100000,"duration_ns":1000000,"correlation_id":5,"nvtx":"step"}
{"type":"kernel","name":"softmax","mangled":"softmax","device":0,"context":1,"stream":7,"grid":[64,1,1],"block":[128,1,1],"registers":32,"shared_memory_bytes":0,"start_ns":6200000,"end_ns":6450000,"duration_ns":250000,"correlation_id":6,"nvtx":"step"}
{"type":"kernel","name":"void gemm<float>(float*)","mangled":"_Z4gemmIfEvPT_","device":0,"context":1,"stream":7,"grid":[128,1,1],"block":[256,1,1],"registers":96,"shared_memory_bytes":49152,"start_ns":7000000,"end_ns":8000000,"duration_ns":1000000,"correlation_id":7,"nvtx":"step"}
{"type":"memset","bytes":4096,"device":0,"context":1,"stream":7,"start_ns":8100000,"end_ns":8110000,"duration_ns":10000,"correlation_id":8}
)jsonl";

std::filesystem::path write_profile_file(const char* tag, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("perfplan_profile_cli_" + std::string(tag) + "_" + std::to_string(getpid()) + ".jsonl");
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("cli profile --summarize: top kernels, ranges and steps of a kernel database") {
  const auto path = write_profile_file("ok", kProfile);
  const CliResult r = run_perfplan({"profile", "--summarize", path.string(), "--steps-range", "step"});
  std::filesystem::remove(path);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(contains(r.out, "NVIDIA H100 80GB HBM3, 6 kernels, 3.600 ms kernel time, 4 dropped records"));
  CHECK(contains(r.out, "memcpy: 1 (2.0 MB, 0.200 ms)   memset: 1 (0.010 ms)"));
  // count, total ms, mean us, share, name: gemm first (3 of 3.6 ms).
  CHECK(contains(r.out, "       3       3.000    1000.000   83.3%  void gemm<float>(float*)\n"));
  CHECK(contains(r.out, "       2       0.500     250.000   13.9%  softmax\n"));
  CHECK(contains(r.out, "       1       0.100     100.000    2.8%  init_kernel\n"));
  CHECK(r.out.find("void gemm<float>") < r.out.find("softmax"));
  CHECK(contains(r.out, "       5       3.500  step\n"));
  CHECK(contains(r.out, "       1       0.100  (none)\n"));
  // Steps: mean of 3 ms and 5 ms; kernel time 1.25 ms and 2.25 ms.
  CHECK(contains(r.out, "2 steps, mean 4.000 ms per step (range), mean 1.750 ms of kernel time per step"));
}

TEST_CASE("cli profile --summarize --top 1: only the first kernel, then a count of the rest") {
  const auto path = write_profile_file("top", kProfile);
  const CliResult r = run_perfplan({"profile", "--summarize", path.string(), "--top", "1"});
  std::filesystem::remove(path);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "void gemm<float>(float*)"));
  CHECK_FALSE(contains(r.out, "init_kernel"));
  CHECK(contains(r.out, "... 2 more kernels (--top)"));
  CHECK_FALSE(contains(r.out, "steps ("));
}

TEST_CASE("cli profile: no program to run is an error that shows the usage") {
  const CliResult r = run_perfplan({"profile"});
  INFO("stderr: " << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != -1);
  CHECK(r.out.empty());
  CHECK(line_count(r.err) == 1);
  CHECK(contains(r.err, "no program to run"));
  CHECK(contains(r.err, "-- COMMAND"));
}

TEST_CASE("cli profile --summarize: a missing file and a malformed line are named") {
  const CliResult missing = run_perfplan({"profile", "--summarize", "/nonexistent/profile.jsonl"});
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.err, "/nonexistent/profile.jsonl"));
  const auto path = write_profile_file("bad", "{\"context\":{}}\n{\"type\": \"kernel\"}\n");
  const CliResult bad = run_perfplan({"profile", "--summarize", path.string()});
  std::filesystem::remove(path);
  CHECK(bad.exit_code == 1);
  CHECK(line_count(bad.err) == 1);
  CHECK(contains(bad.err, path.string() + ":2"));
}

TEST_CASE("cli profile -- COMMAND: without the injection library the profiler says it is not available") {
#ifdef PERFPLAN_HAS_INJECT_LIBRARY
  // Built with CUPTI: `true` does no CUDA work, so no profile is written and the command says so.
  const auto out =
      std::filesystem::temp_directory_path() / ("perfplan_profile_cli_none_" + std::to_string(getpid()) + ".jsonl");
  const CliResult r = run_perfplan({"profile", "--out", out.string(), "--", "true"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "wrote no profile"));
  const CliResult failing = run_perfplan({"profile", "--out", out.string(), "--", "sh", "-c", "exit 7"});
  CHECK(failing.exit_code == 7);
  CHECK(contains(failing.err, "exited with code 7"));
#else
  const CliResult r = run_perfplan({"profile", "--", "true"});
  CHECK(r.exit_code == 1);
  CHECK(line_count(r.err) == 1);
  CHECK(contains(r.err, "perfplan was built without CUDA/CUPTI: the profiler is not available"));
#endif
}
