// `perfplan kernels import` round trip, `kernels show`, and `predict --kernels FILE`.
#include <doctest/doctest.h>

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
