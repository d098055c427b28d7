// `perfplan kernels import` round trip, `kernels show`, and `predict --kernels FILE`.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;
using json = nlohmann::json;

namespace {

// A torch.profiler trace: one tagged GEMM range holding two kernels, and an untagged kernel.
std::string small_trace() {
  const auto x = [](const char* cat, const std::string& name, double ts, double dur) {
    return json{{"ph", "X"}, {"cat", cat}, {"name", name}, {"pid", 0}, {"tid", 7}, {"ts", ts}, {"dur", dur},
                {"args", {{"device", 0}, {"stream", 7}, {"grid", {132, 1, 1}}, {"block", {256, 1, 1}}}}};
  };
  json events = json::array();
  double ts = 100.0;
  for (int repetition = 0; repetition < 2; ++repetition) {
    events.push_back(x("gpu_user_annotation", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", ts, 150.0));
    events.push_back(x("kernel", "sm90_xmma_gemm", ts, 140.0));
    events.push_back(x("kernel", "splitk_reduce", ts + 140.0, 10.0));
    ts += 200.0;
  }
  events.push_back(x("kernel", "elementwise", ts, 5.0));
  return json{{"traceEvents", events}, {"deviceProperties", {{{"name", "NVIDIA H100 80GB HBM3"}}}}}.dump();
}

}  // namespace

TEST_CASE("perfplan kernels import writes a kernel database that show and predict read") {
  const auto dir = std::filesystem::temp_directory_path() / "perfplan_kernels_cli_test";
  std::filesystem::create_directories(dir);
  const auto trace = dir / "trace.json";
  const auto db = dir / "h100.jsonl";
  std::ofstream(trace) << small_trace();

  const CliResult imported = run_perfplan({"kernels", "import", trace.string(), "-o", db.string()});
  REQUIRE(imported.exit_code == 0);
  CHECK(contains(imported.err, "1 tagged measurements"));
  const std::string text = read_whole_file(db);
  CHECK(line_count(text) == 1 + 2 + 5);
  const json head = json::parse(text.substr(0, text.find('\n')));
  CHECK(head["context"]["source"] == "kineto");
  CHECK(head["context"]["gpu"] == "NVIDIA H100 80GB HBM3");

  // Without -o: the same lines on stdout.
  const CliResult to_stdout = run_perfplan({"kernels", "import", trace.string()});
  CHECK(to_stdout.exit_code == 0);
  CHECK(to_stdout.out == text);

  const CliResult shown = run_perfplan({"kernels", "show", db.string()});
  REQUIRE(shown.exit_code == 0);
  CHECK(contains(shown.out, "k=4096,m=4096,n=4096"));
  CHECK(contains(shown.out, "150.000 us  x2"));

  const std::vector<std::string> predict = {"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100",
                                            "--gpus", "8", "--seq", "4096", "--gbs", "64"};
  auto with_kernels = predict;
  with_kernels.insert(with_kernels.end(), {"--kernels", db.string(), "--json"});
  const CliResult measured = run_perfplan(with_kernels);
  REQUIRE(measured.exit_code == 0);
  CHECK(contains(measured.err, "kernel database"));
  auto roofline = predict;
  roofline.insert(roofline.end(), {"--no-kernels", "--json"});
  const CliResult plain = run_perfplan(roofline);
  REQUIRE(plain.exit_code == 0);
  // The 4096^3 measurement covers Llama-8B's o_proj forward (m = 4096 tokens, n = k = 4096) at
  // 150 us; every other operator keeps its roofline time, so the step time changes.
  const double t_measured = json::parse(measured.out)["iteration_time_s"].get<double>();
  const double t_plain = json::parse(plain.out)["iteration_time_s"].get<double>();
  CHECK(t_measured != t_plain);

  CHECK(run_perfplan({"kernels", "import", (dir / "missing.json").string()}).exit_code == 1);
  CHECK(run_perfplan({"kernels", "frobnicate"}).exit_code == 1);
  auto both = predict;
  both.insert(both.end(), {"--kernels", db.string(), "--no-kernels"});
  CHECK(run_perfplan(both).exit_code == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("perfplan kernels import --gpu names the GPU of a trace without deviceProperties, and predict refuses none") {
  const auto dir = std::filesystem::temp_directory_path() / "perfplan_kernels_gpu_cli_test";
  std::filesystem::create_directories(dir);
  json trace = json::parse(small_trace());
  trace.erase("deviceProperties");
  const auto trace_path = dir / "nodev.json";
  std::ofstream(trace_path) << trace.dump();
  const auto unnamed = dir / "nodev.jsonl";
  const CliResult plain = run_perfplan({"kernels", "import", trace_path.string(), "-o", unnamed.string()});
  REQUIRE(plain.exit_code == 0);
  CHECK(contains(plain.err, "GPU unknown"));
  CHECK(contains(plain.err, "rerun with --gpu NAME"));

  const std::vector<std::string> predict = {"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-a100",
                                            "--gpus", "8", "--tp", "8", "--kernels"};
  auto on_a100 = predict;
  on_a100.push_back(unnamed.string());
  const CliResult refused = run_perfplan(on_a100);
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "context.gpu is empty, so the GPU it was measured on is unknown"));
  CHECK(contains(refused.err, "--gpu NAME"));

  // --gpu takes a GPU spec name (as typed: lower case is fine) and records the spec's name.
  const auto named = dir / "h100.jsonl";
  const CliResult imported =
      run_perfplan({"kernels", "import", trace_path.string(), "--gpu", "h100-sxm5-80gb", "-o", named.string()});
  REQUIRE(imported.exit_code == 0);
  CHECK(contains(imported.err, "GPU H100-SXM5-80GB, 1 tagged measurements"));
  CHECK(run_perfplan({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "--tp", "8",
                      "--kernels", named.string()})
            .exit_code == 0);
  // On an A100 the H100 database is refused.
  auto on_a100_named = predict;
  on_a100_named.push_back(named.string());
  CHECK(contains(run_perfplan(on_a100_named).err, "measured on H100-SXM5-80GB, but the cluster's GPU is A100-SXM4-80GB"));
  const CliResult unknown = run_perfplan({"kernels", "import", trace_path.string(), "--gpu", "H100-FOO"});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "unknown GPU 'H100-FOO'; did you mean 'H100-"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("perfplan kernels import and predict refuse malformed tags and measurements faster than the GPU") {
  const auto dir = std::filesystem::temp_directory_path() / "perfplan_kernels_bad_cli_test";
  std::filesystem::create_directories(dir);
  std::string text = small_trace();
  const std::string good = "m=4096,n=4096,k=4096";
  text.replace(text.find(good), good.size(), "m=48.9,n=4096,k=4096");
  const auto bad_trace = dir / "bad.json";
  std::ofstream(bad_trace) << text;
  const CliResult bad = run_perfplan({"kernels", "import", bad_trace.string()});
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "measurement tag 'perfplan:gemm:bf16:m=48.9,n=4096,k=4096': m=48.9 is invalid"));

  // 2 * 4096^3 FLOP in 1 ns: 1.4e8 TFLOP/s on an H100 of 989 TFLOP/s.
  const auto fast = dir / "fast.jsonl";
  std::ofstream(fast) << R"({"context": {"schema_version": 1, "source": "sweep", "gpu": "H100-SXM5-80GB"}})" "\n"
                      << R"({"type":"kernel","name":"k","nvtx":"perfplan:gemm:bf16:m=4096,n=4096,k=4096","start_ns":0,"duration_ns":1})"
                      << "\n";
  const CliResult refused = run_perfplan({"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8",
                                          "--kernels", fast.string()});
  CHECK(refused.exit_code == 1);
  CHECK(contains(refused.err, "on H100-SXM5-80GB is faster than it can run: 1.374e+08 TFLOP/s"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("plan uses the GPU's default kernel database as predict does, so both give one layout one time") {
  namespace fs = std::filesystem;
  const fs::path source = fs::path(PERFPLAN_TEST_DATA_DIR).parent_path().parent_path();
  const fs::path data = fs::temp_directory_path() / "perfplan_plan_kernels_data";
  fs::remove_all(data);
  fs::create_directories(data);
  for (const char* part : {"hardware_specs", "model", "launch"}) {
    fs::copy(source / part, data / part, fs::copy_options::recursive);
  }
  const fs::path trace = data / "trace.json";
  std::ofstream(trace) << small_trace();
  const fs::path db = data / "hardware_specs" / "kernels" / "h100-sxm5-80gb.jsonl";
  REQUIRE(run_perfplan({"kernels", "import", trace.string(), "--gpu", "H100-SXM5-80GB", "-o", db.string()}).exit_code == 0);
  REQUIRE(setenv("PERFPLAN_DATA_DIR", data.c_str(), 1) == 0);
  const std::vector<std::string> plan = {"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8",
                                         "--gbs", "8", "--tp", "1", "--pp", "1", "--top", "1", "--json"};
  const CliResult measured = run_perfplan(plan);
  auto roofline_args = plan;
  roofline_args.push_back("--no-kernels");
  const CliResult roofline = run_perfplan(roofline_args);
  REQUIRE(measured.exit_code == 0);
  REQUIRE(roofline.exit_code == 0);
  const json top = json::parse(measured.out)["top"][0];
  const json& l = top["layout"];
  // The 4096^3 GEMM at 150 us replaces the roofline's o_proj time in the plan too.
  CHECK(top["iteration_time_s"].get<double>() != json::parse(roofline.out)["top"][0]["iteration_time_s"].get<double>());
  std::vector<std::string> predict = {"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8",
                                      "--tp", "1", "--dp", "8", "--mbs", std::to_string(l["mbs"].get<int64_t>()),
                                      "--gbs", "8", "--recompute", l["recompute"].get<std::string>(), "--zero",
                                      std::to_string(l["zero_stage"].get<int64_t>()), "--json"};
  if (l["distributed_optimizer"].get<bool>()) predict.push_back("--distributed-optimizer");
  const CliResult predicted = run_perfplan(predict);
  unsetenv("PERFPLAN_DATA_DIR");
  REQUIRE(predicted.exit_code == 0);
  CHECK(json::parse(predicted.out)["iteration_time_s"].get<double>() ==
        doctest::Approx(top["iteration_time_s"].get<double>()).epsilon(1e-9));
  fs::remove_all(data);
}
