// Kernel database: reading JSONL, averaging tagged occurrences, exact and interpolated lookup,
// the roofline fallback, GPU name matching, and the Kineto trace importer.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"
#include "perfplan/kerneldb/kineto_import.hpp"


using namespace perfplan;
using namespace perfplan::predictor;

namespace {

constexpr double kPeak = 989.4e12;  // H100 SXM dense bf16

// A made-up, smooth efficiency surface: small dimensions waste tiles and pipeline stages.
double efficiency(double m, double n, double k) { return 0.8 * m / (m + 64) * n / (n + 64) * k / (k + 128); }
double surface_seconds(double m, double n, double k) { return 2.0 * m * n * k / (kPeak * efficiency(m, n, k)); }

std::string header(const std::string& gpu) {
  return fmt::format(R"({{"context": {{"schema_version": 1, "perfplan_version": "0.1.0", "source": "sweep", "gpu": "{}"}}}})",
                     gpu) + "\n";
}

// Two occurrences of each measurement range, at 0.9 and 1.1 of `seconds`, each two kernels.
std::string measurement(const std::string& tag, double seconds, double& clock_ns) {
  std::string out;
  for (double share : {0.9, 1.1}) {
    const double total_ns = seconds * 1e9 * share;
    const double start = clock_ns;
    out += fmt::format(R"({{"type":"range","name":"{}","start_ns":{:.0f},"end_ns":{:.0f}}})", tag, start,
                       start + total_ns + 100) + "\n";
    for (double part : {0.3, 0.7}) {
      out += fmt::format(
                 R"({{"type":"kernel","name":"sm90_xmma_gemm","grid":[132,1,1],"block":[384,1,1],"start_ns":{:.0f},"end_ns":{:.0f},"duration_ns":{:.3f},"nvtx":"{}"}})",
                 clock_ns, clock_ns + part * total_ns, part * total_ns, tag) + "\n";
      clock_ns += part * total_ns;
    }
    clock_ns += 1000;
  }
  return out;
}

std::string gemm_grid_jsonl() {
  std::string out = header("NVIDIA H100 80GB HBM3");
  double clock = 1e9;
  for (double m : {1024, 4096, 16384})
    for (double n : {1024, 4096, 16384})
      for (double k : {1024, 4096, 16384})
        out += measurement(fmt::format("perfplan:gemm:bf16:m={:.0f},n={:.0f},k={:.0f}", m, n, k),
                           surface_seconds(m, n, k), clock);
  // Attention at s = 1024 and 4096 (d = 128, causal, forward): 400 and 500 TFLOP/s executed.
  for (auto [s, rate] : {std::pair{1024.0, 400e12}, std::pair{4096.0, 500e12}}) {
    const double flops = 4.0 * 1 * 32 * s * s * 128 * (s + 1) / (2 * s);
    out += measurement(fmt::format("perfplan:attention:bf16:b=1,h=32,s={:.0f},d=128,causal=1,pass=fwd", s),
                       flops / rate, clock);
  }
  // Streaming: 1 TB/s at 1 MB, 3 TB/s at 1 GB.
  out += measurement("perfplan:elementwise:bf16:bytes=1000000", 1e6 / 1e12, clock);
  out += measurement("perfplan:elementwise:bf16:bytes=1000000000", 1e9 / 3e12, clock);
  out += R"({"type":"counter","name":"ignored"})" "\n";
  out += R"({"type":"memcpy","name":"Memcpy HtoD","bytes":64,"start_ns":5,"end_ns":9,"nvtx":null})" "\n";
  return out;
}

const kerneldb::KernelDatabase& grid_db() {
  static const kerneldb::KernelDatabase db = kerneldb::KernelDatabase::parse(gemm_grid_jsonl(), "grid.jsonl");
  return db;
}

const hardware::GpuSpec& h100() {
  static const hardware::HardwareCatalog catalog = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return catalog.gpu("H100-SXM5-80GB");
}

const hardware::GpuSpec& a100() {
  static const hardware::HardwareCatalog catalog = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return catalog.gpu("A100-SXM4-80GB");
}

model::Operator gemm_op(int64_t m, int64_t n, int64_t k, int64_t count = 1) {
  model::Operator op;
  op.name = "test_gemm";
  op.kind = count > 1 ? model::OpKind::kGroupedGemm : model::OpKind::kGemm;
  op.gemm = model::GemmShape{m, n, k, count};
  op.forward_flops = 2.0 * m * n * k * count;
  op.backward_flops = 2.0 * op.forward_flops;
  return op;
}

}  // namespace

TEST_CASE("kernel database: occurrences are summed per range and averaged") {
  const auto& db = grid_db();
  CHECK(db.context().gpu == "NVIDIA H100 80GB HBM3");
  CHECK(db.context().source == "sweep");
  CHECK(db.entries().size() == 27 + 2 + 2);
  for (const auto& e : db.entries()) {
    CHECK(e.samples == 2);
    if (e.op == "gemm" && e.params.at("m") == "4096" && e.params.at("n") == "4096" && e.params.at("k") == "4096") {
      CHECK(e.seconds == doctest::Approx(surface_seconds(4096, 4096, 4096)).epsilon(1e-6));
    }
  }
}

TEST_CASE("kernel database: GEMM exact, interpolated and out-of-range lookups") {
  const auto& db = grid_db();
  const auto bf16 = model::DType::kBf16;
  // Exact: the measurement itself (~139 us at 4096^3 on this surface).
  CHECK(*db.gemm_seconds(bf16, 4096, 4096, 4096) == doctest::Approx(surface_seconds(4096, 4096, 4096)).epsilon(1e-6));
  CHECK(*db.gemm_seconds(bf16, 1024, 16384, 4096) ==
        doctest::Approx(surface_seconds(1024, 16384, 4096)).epsilon(1e-6));
  // Inside the grid: time per FLOP interpolated in log(m), log(n), log(k) stays within 4% of the
  // surface.
  for (auto [m, n, k] : {std::array{2048.0, 2048.0, 2048.0}, std::array{3000.0, 8192.0, 1536.0},
                         std::array{4096.0, 6000.0, 16384.0}, std::array{12000.0, 1100.0, 5000.0}}) {
    const auto t = db.gemm_seconds(bf16, m, n, k);
    REQUIRE(t);
    CHECK(*t == doctest::Approx(surface_seconds(m, n, k)).epsilon(0.04));
  }
  // Beyond the smallest or largest measured value in any dimension: no answer.
  CHECK_FALSE(db.gemm_seconds(bf16, 512, 4096, 4096));
  CHECK_FALSE(db.gemm_seconds(bf16, 4096, 32768, 4096));
  CHECK_FALSE(db.gemm_seconds(bf16, 4096, 4096, 16385));
  // No fp8 measurements.
  CHECK_FALSE(db.gemm_seconds(model::DType::kFp8, 4096, 4096, 4096));
}

TEST_CASE("kernel database: sparse shapes interpolate by inverse distance") {
  std::string text = header("H100-SXM5-80GB");
  double clock = 0;
  text += measurement("perfplan:gemm:bf16:m=1024,n=1024,k=1024", surface_seconds(1024, 1024, 1024), clock);
  text += measurement("perfplan:gemm:bf16:m=8192,n=8192,k=8192", surface_seconds(8192, 8192, 8192), clock);
  const auto db = kerneldb::KernelDatabase::parse(text, "sparse.jsonl");
  // Equidistant in log space from both: the geometric mean of their time per FLOP.
  const double spf = std::sqrt(surface_seconds(1024, 1024, 1024) / (2.0 * 1024 * 1024 * 1024) *
                               surface_seconds(8192, 8192, 8192) / (2.0 * 8192.0 * 8192 * 8192));
  CHECK(*db.gemm_seconds(model::DType::kBf16, 1024, 8192, 8192 / 8 * 8) > 0);
  CHECK(*db.gemm_seconds(model::DType::kBf16, 1024 * std::sqrt(8.0), 1024 * std::sqrt(8.0), 1024 * std::sqrt(8.0)) ==
        doctest::Approx(spf * 2.0 * std::pow(1024 * std::sqrt(8.0), 3)).epsilon(1e-9));
}

TEST_CASE("kernel database: attention and streaming curves") {
  const auto& db = grid_db();
  const auto bf16 = model::DType::kBf16;
  CHECK(*db.attention_flops_per_s(bf16, 1024, 128, true, false) == doctest::Approx(400e12).epsilon(1e-6));
  // log-linear halfway between 1024 and 4096: the geometric mean.
  CHECK(*db.attention_flops_per_s(bf16, 2048, 128, true, false) == doctest::Approx(std::sqrt(400e12 * 500e12)));
  CHECK_FALSE(db.attention_flops_per_s(bf16, 8192, 128, true, false));
  CHECK_FALSE(db.attention_flops_per_s(bf16, 2048, 64, true, false));
  CHECK_FALSE(db.attention_flops_per_s(bf16, 2048, 128, false, false));
  CHECK_FALSE(db.attention_flops_per_s(bf16, 2048, 128, true, true));
  // 1 TB/s at 1e6 bytes, 3 TB/s at 1e9: at 10^7.5 bytes, sqrt(3) TB/s.
  const double bytes = std::pow(10.0, 7.5);
  CHECK(*db.memory_seconds("elementwise", bf16, bytes) == doctest::Approx(bytes / (std::sqrt(3.0) * 1e12)));
  CHECK_FALSE(db.memory_seconds("elementwise", bf16, 2e9));
  CHECK_FALSE(db.memory_seconds("norm", bf16, 1e8));
}

TEST_CASE("KernelDbModel: measured where covered, roofline elsewhere") {
  const KernelDbModel model(grid_db());
  const RooflineModel roofline;
  const auto bf16 = model::DType::kBf16;

  const auto covered = model.time(gemm_op(4096, 4096, 4096), bf16, h100());
  CHECK(covered.forward_s == doctest::Approx(surface_seconds(4096, 4096, 4096)).epsilon(1e-6));
  CHECK(covered.weight_grad_s == doctest::Approx(surface_seconds(4096, 4096, 4096)).epsilon(1e-6));
  CHECK(covered.backward_s == doctest::Approx(2.0 * surface_seconds(4096, 4096, 4096)).epsilon(1e-6));
  // Grouped: 8 experts of m = 1024 each.
  const auto grouped = model.time(gemm_op(1024, 4096, 16384, 8), bf16, h100());
  CHECK(grouped.forward_s == doctest::Approx(8.0 * surface_seconds(1024, 4096, 16384)).epsilon(1e-6));
  // wgrad (k x n) = (16384 x 4096), reducing over m = 1024.
  CHECK(grouped.weight_grad_s == doctest::Approx(8.0 * surface_seconds(16384, 4096, 1024)).epsilon(1e-6));

  // m = 100000 is beyond the grid: the roofline's time.
  const auto outside = gemm_op(100000, 4096, 4096);
  CHECK(model.time(outside, bf16, h100()).forward_s == roofline.time(outside, bf16, h100()).forward_s);
  CHECK(model.time(outside, bf16, h100()).backward_s == roofline.time(outside, bf16, h100()).backward_s);
  // Another GPU than the one measured: the roofline's time.
  const auto inside = gemm_op(4096, 4096, 4096);
  CHECK(model.time(inside, bf16, a100()).forward_s == roofline.time(inside, bf16, a100()).forward_s);

  // Attention at s = 2048, d = 128: executed FLOPs at the interpolated rate; no backward
  // measurement, so the roofline's backward/forward ratio.
  model::Operator attention;
  attention.name = "attention";
  attention.kind = model::OpKind::kAttention;
  attention.attention = model::AttentionShape{2, 32, 2048, 128, true};
  attention.forward_flops = 4.0 * 2 * 32 * 2048.0 * 2048 * 128;
  attention.backward_flops = 2.0 * attention.forward_flops;
  attention.executed_fraction = 2049.0 / 4096.0;
  const auto a = model.time(attention, bf16, h100());
  CHECK(a.forward_s == doctest::Approx(attention.executed_forward_flops() / std::sqrt(400e12 * 500e12)));
  CHECK(a.backward_s == doctest::Approx(a.forward_s * 2.5 / 0.75));

  // A norm falls back from "norm" measurements (none) to "elementwise" ones.
  model::Operator norm;
  norm.name = "input_norm";
  norm.kind = model::OpKind::kNorm;
  norm.forward_bytes = 1e9;
  norm.backward_bytes = 1e6;
  const auto t = model.time(norm, bf16, h100());
  CHECK(t.forward_s == doctest::Approx(1e9 / 3e12));
  CHECK(t.backward_s == doctest::Approx(1e6 / 1e12));
}

TEST_CASE("kernel database coverage counts operators per layer") {
  model::StepOperators step;
  model::LayerOperators layer;
  layer.count = 4;
  layer.ops = {gemm_op(4096, 4096, 4096), gemm_op(100000, 4096, 4096)};
  step.layer_kinds.push_back(layer);
  step.head = {gemm_op(2048, 2048, 2048)};
  const auto c = coverage(grid_db(), step, model::DType::kBf16);
  CHECK(c.operators == 9);
  CHECK(c.covered == 5);
  REQUIRE(c.missed.size() == 1);
  CHECK(c.missed[0] == "test_gemm (gemm)");
}

TEST_CASE("GPU names: CUDA device names match catalog names by family, form factor and memory") {
  CHECK(kerneldb::same_gpu("NVIDIA H100 80GB HBM3", "H100-SXM5-80GB"));
  CHECK(kerneldb::same_gpu("h100-sxm5-80gb", "H100-SXM5-80GB"));
  CHECK(kerneldb::same_gpu("NVIDIA H100 PCIe", "H100-PCIe-80GB"));
  CHECK_FALSE(kerneldb::same_gpu("NVIDIA H100 PCIe", "H100-SXM5-80GB"));
  CHECK_FALSE(kerneldb::same_gpu("NVIDIA H100 NVL", "H100-SXM5-80GB"));
  CHECK(kerneldb::same_gpu("NVIDIA H200", "H200-SXM-141GB"));
  CHECK(kerneldb::same_gpu("NVIDIA A100-SXM4-80GB", "A100-SXM4-80GB"));
  CHECK_FALSE(kerneldb::same_gpu("NVIDIA A100-SXM4-40GB", "A100-SXM4-80GB"));
  CHECK(kerneldb::same_gpu("Tesla V100-SXM2-32GB", "V100-SXM2-32GB"));
  CHECK(kerneldb::same_gpu("AMD Instinct MI300X", "MI300X"));
  CHECK(kerneldb::same_gpu("NVIDIA GB200", "GB200"));
  CHECK_FALSE(kerneldb::same_gpu("NVIDIA B200", "GB200"));
  const kerneldb::GpuIdentity id = kerneldb::gpu_identity("NVIDIA H100 80GB HBM3");
  CHECK(id.family == "h100");
  CHECK(id.form_factor == "sxm");
  CHECK(id.memory_gb == 80);
}

TEST_CASE("kernel database: malformed input names the file and line") {
  const std::string text = header("H100-SXM5-80GB") + R"({"type":"range","name":"x","start_ns":0,"end_ns":1})" "\n" +
                           "{\"type\":\"kernel\", oops\n";
  try {
    kerneldb::KernelDatabase::parse(text, "bad.jsonl");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("bad.jsonl:3") != std::string::npos);
  }
  // A tagged kernel without times.
  const std::string no_time = header("H100-SXM5-80GB") + R"({"type":"kernel","name":"k","nvtx":"perfplan:gemm:bf16:m=1,n=1,k=1"})" "\n";
  CHECK_THROWS_WITH_AS(kerneldb::KernelDatabase::parse(no_time, "t.jsonl"), doctest::Contains("t.jsonl:2"), InputError);
  CHECK_THROWS_WITH_AS(kerneldb::KernelDatabase::parse(R"({"type":"kernel"})" "\n", "h.jsonl"), doctest::Contains("h.jsonl:1"),
                       InputError);
  CHECK_THROWS_AS(kerneldb::KernelDatabase::load("/nonexistent/kernels.jsonl"), InputError);
}

TEST_CASE("load_kernel_db_for_gpu finds <gpu>.jsonl and checks the GPU it names") {
  const auto dir = std::filesystem::temp_directory_path() / "perfplan_test_kernels";
  std::filesystem::create_directories(dir);
  CHECK_FALSE(kerneldb::load_kernel_db_for_gpu(dir, h100().name));
  CHECK(kerneldb::kernel_db_path_for_gpu(dir, h100().name) == dir / "h100-sxm5-80gb.jsonl");
  {
    std::ofstream(dir / "h100-sxm5-80gb.jsonl") << gemm_grid_jsonl();
  }
  const auto db = kerneldb::load_kernel_db_for_gpu(dir, h100().name);
  REQUIRE(db);
  CHECK(db->entries().size() == 31);
  {
    std::ofstream(dir / "a100-sxm4-80gb.jsonl") << gemm_grid_jsonl();  // says H100 inside
  }
  CHECK_THROWS_AS(kerneldb::load_kernel_db_for_gpu(dir, a100().name), InputError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Kineto import: kernels tagged with the innermost GPU annotation") {
  using json = nlohmann::json;
  const auto x = [](const char* cat, const char* name, double ts, double dur, json args) {
    return json{{"ph", "X"}, {"cat", cat}, {"name", name}, {"pid", 0}, {"tid", 7}, {"ts", ts}, {"dur", dur},
                {"args", args}};
  };
  const json kernel_args = {{"device", 0}, {"stream", 7}, {"correlation", 42}, {"registers per thread", 168},
                            {"shared memory", 135168}, {"grid", {132, 1, 1}}, {"block", {384, 1, 1}}};
  json trace = {{"schemaVersion", 1},
                {"deviceProperties", {{{"id", 0}, {"name", "NVIDIA H100 80GB HBM3"}, {"numSms", 132}}}},
                {"cuda_runtime_version", 12080},
                {"traceEvents",
                 {x("cpu_op", "aten::mm", 1000.0, 5.0, json::object()),
                  x("gpu_user_annotation", "step", 1000.0, 200.0, {{"device", 0}}),
                  x("gpu_user_annotation", "perfplan:gemm:bf16:m=1024,n=1024,k=1024", 1010.0, 50.0, {{"device", 0}}),
                  x("kernel", "sm90_xmma_gemm_a", 1010.0, 20.0, kernel_args),
                  x("kernel", "sm90_xmma_gemm_b", 1035.5, 24.5, kernel_args),
                  x("kernel", "vectorized_elementwise_kernel", 1100.0, 10.0, kernel_args),
                  x("gpu_memcpy", "Memcpy DtoH (Device -> Pageable)", 1300.0, 3.0, {{"device", 0}, {"bytes", 4096}}),
                  {{"ph", "i"}, {"name", "marker"}, {"ts", 1.0}}}}};
  const std::string jsonl = kerneldb::kineto_trace_to_jsonl(trace.dump(), {"trace.json", ""});
  std::vector<json> lines;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    const size_t end = jsonl.find('\n', pos);
    lines.push_back(json::parse(jsonl.substr(pos, end - pos)));
    pos = end + 1;
  }
  REQUIRE(lines.size() == 1 + 2 + 3 + 1);
  CHECK(lines[0]["context"]["gpu"] == "NVIDIA H100 80GB HBM3");
  CHECK(lines[0]["context"]["source"] == "kineto");
  CHECK(lines[0]["context"]["cuda"] == "12080");
  CHECK(lines[1]["type"] == "range");
  CHECK(lines[1]["name"] == "step");
  CHECK(lines[2]["start_ns"] == 1010000);
  CHECK(lines[3]["type"] == "kernel");
  CHECK(lines[3]["nvtx"] == "perfplan:gemm:bf16:m=1024,n=1024,k=1024");
  CHECK(lines[3]["grid"] == json({132, 1, 1}));
  CHECK(lines[3]["registers"] == 168);
  CHECK(lines[4]["nvtx"] == "perfplan:gemm:bf16:m=1024,n=1024,k=1024");
  CHECK(lines[4]["start_ns"] == 1035500);
  CHECK(lines[4]["duration_ns"] == 24500);
  CHECK(lines[5]["nvtx"] == "step");
  CHECK(lines[6]["type"] == "memcpy");
  CHECK(lines[6]["copy_kind"] == "DtoH");
  CHECK(lines[6]["bytes"] == 4096);
  CHECK(lines[6]["nvtx"].is_null());

  // Read back as a database: one measurement, the two GEMM kernels summed.
  const auto db = kerneldb::KernelDatabase::parse(jsonl, "imported.jsonl");
  REQUIRE(db.entries().size() == 1);
  CHECK(db.entries()[0].op == "gemm");
  CHECK(db.entries()[0].seconds == doctest::Approx(44.5e-6));
  CHECK(db.entries()[0].samples == 1);

  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl("{\"traceEvents\": 3}", {"t.json", ""}), doctest::Contains("t.json"),
                       InputError);
  CHECK_THROWS_AS(kerneldb::kineto_trace_to_jsonl("not json", {"t.json", ""}), InputError);
}

TEST_CASE("Kineto import: fields of the wrong type or out of range are input errors (fuzz findings)") {
  // libFuzzer (fuzz/fuzz_kineto_import): a non-string "ph" ended the process in a JSON type error.
  const std::string wrong_ph = R"({"traceEvents": [{"ph": 7, "ts": 1010.0, "dur": 20.0}]})";
  // The event is skipped (no complete event), never a type error; with nothing else the trace
  // holds no GPU activity, which is the error.
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(wrong_ph, {"t.json", ""}), doctest::Contains("no GPU kernel"),
                       InputError);
  const auto kernel = [](const std::string& ts, const std::string& dur) {
    return R"({"traceEvents": [{"ph": "X", "cat": "kernel", "name": "k", "ts": )" + ts + R"(, "dur": )" + dur + "}]}";
  };
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(kernel("10", "-5"), {"t.json", ""}), doctest::Contains("negative"),
                       InputError);
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(kernel("1e300", "5"), {"t.json", ""}), doctest::Contains("out of range"),
                       InputError);
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(kernel("\"soon\"", "5"), {"t.json", ""}), doctest::Contains("number"),
                       InputError);
  const std::string ok = kerneldb::kineto_trace_to_jsonl(kernel("10", "5"), {"t.json", ""});
  CHECK(ok.find("\"duration_ns\":5000") != std::string::npos);
}
