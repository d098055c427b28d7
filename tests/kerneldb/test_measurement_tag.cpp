// Measurement tags read strictly in one place (reader and Kineto import), 0 s measurements
// refused, and a database checked against the GPU it serves: named, the same GPU, within physics.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/kerneldb/kernel_db.hpp"
#include "perfplan/kerneldb/kineto_import.hpp"
#include "perfplan/kerneldb/measurement_tag.hpp"
#include "perfplan/predictor/kernel_db_check.hpp"
#include "perfplan/predictor/kernel_db_model.hpp"

using namespace perfplan;

namespace {

std::string tag_error(const std::string& tag) {
  try {
    kerneldb::parse_measurement_tag(tag, "db.jsonl:7");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// A database with one measurement: one range and one kernel of `seconds`.
std::string one_measurement(const std::string& gpu, const std::string& tag, double seconds) {
  return fmt::format(R"({{"context": {{"schema_version": 1, "source": "sweep", "gpu": "{}"}}}})", gpu) + "\n" +
         fmt::format(R"({{"type":"range","name":"{}","start_ns":1000,"end_ns":{:.0f}}})", tag, 1000 + seconds * 1e9 + 10) +
         "\n" +
         fmt::format(R"({{"type":"kernel","name":"k","nvtx":"{}","start_ns":1000,"duration_ns":{:.3f}}})", tag,
                     seconds * 1e9) +
         "\n";
}

std::string load_error(const std::string& jsonl) {
  try {
    kerneldb::KernelDatabase::parse(jsonl, "db.jsonl");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

const hardware::HardwareCatalog& catalog() {
  static const auto c = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return c;
}

std::string check_error(const kerneldb::KernelDatabase& db, const std::string& gpu) {
  try {
    predictor::check_kernel_db_for_gpu(db, catalog().gpu(gpu));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("measurement tag: the ops the sweeps write parse, with optional keys") {
  const auto gemm = kerneldb::parse_measurement_tag("perfplan:gemm:BF16:m=4096,n=1024,k=512", "x");
  REQUIRE(gemm);
  CHECK(gemm->op == "gemm");
  CHECK(gemm->dtype == "bf16");
  CHECK(gemm->params.at("n") == "1024");
  const auto bmm = kerneldb::parse_measurement_tag("perfplan:bmm:fp16:m=128,n=128,k=64,batch=32", "x");
  REQUIRE(bmm);
  CHECK(bmm->params.at("batch") == "32");
  const auto attention = kerneldb::parse_measurement_tag("perfplan:attention:bf16:b=1,h=32,s=4096,d=128,causal=1,pass=bwd", "x");
  REQUIRE(attention);
  CHECK(attention->params.size() == 6);
  const auto norm = kerneldb::parse_measurement_tag("perfplan:layernorm:bf16:rows=8192,width=4096,bytes=134217728", "x");
  REQUIRE(norm);
  CHECK(norm->params.at("bytes") == "134217728");
  // Not measurements: no "perfplan:" prefix, or no dtype part.
  CHECK_FALSE(kerneldb::parse_measurement_tag("step", "x"));
  CHECK_FALSE(kerneldb::parse_measurement_tag("perfplan:step", "x"));
}

TEST_CASE("measurement tag: shape values must be whole numbers from 1, written in digits") {
  for (const char* bad : {"48.9", "1024x", "-5", "0", "1e20", "99999999999999999999", ""}) {
    const std::string message = tag_error(fmt::format("perfplan:gemm:bf16:m={},n=1024,k=1024", bad));
    INFO(bad, message);
    CHECK(contains(message, fmt::format("db.jsonl:7: measurement tag 'perfplan:gemm:bf16:m={},n=1024,k=1024': m={} is "
                                        "invalid; accepted: a whole number from 1 to 2^53, in digits",
                                        bad, bad)));
  }
  CHECK(contains(tag_error("perfplan:attention:bf16:b=0,h=4,s=512,d=128,causal=1,pass=fwd"), "b=0 is invalid"));
  CHECK(contains(tag_error("perfplan:attention:bf16:b=1,h=4,s=512,d=128,causal=7"), "causal=7 is invalid; accepted: 0 or 1"));
  CHECK(contains(tag_error("perfplan:attention:bf16:b=1,h=4,s=512,d=128,pass=sideways"),
                 "pass=sideways is invalid; accepted: fwd or bwd"));
}

TEST_CASE("measurement tag: unknown ops, dtypes and keys, duplicates and missing keys are refused") {
  CHECK(contains(tag_error("perfplan:frobnicate:bf16:m=1"), "unknown op 'frobnicate'; accepted: gemm, bmm, attention, norm"));
  CHECK(contains(tag_error("perfplan:gemm:int3:m=1,n=1,k=1"), "unknown dtype 'int3'; accepted: bf16, fp16, fp8, fp32"));
  CHECK(contains(tag_error("perfplan:gemm:bf16:m=1024,m=2048,n=1,k=1"), "key 'm' given twice"));
  CHECK(contains(tag_error("perfplan:gemm:bf16:m=1,n=1,k=1,q=3"),
                 "unknown key 'q' for gemm; accepted: m, n, k (optional: batch)"));
  CHECK(contains(tag_error("perfplan:gemm:bf16:m=1024,n=1024"), "missing key 'k'; gemm needs m, n, k"));
  CHECK(contains(tag_error("perfplan:norm:bf16:rows=8"), "missing key 'bytes'"));
  CHECK(contains(tag_error("perfplan:gemm:bf16:m=1,n=1,k=1,"), "'' is not key=value"));
  CHECK(contains(tag_error("perfplan:gemm:bf16"), "missing key 'm'"));
}

TEST_CASE("measurement tag: the database reader refuses a bad tag with its file and line, and a 0 s measurement") {
  const std::string bad = one_measurement("H100-SXM5-80GB", "perfplan:attention:bf16:b=0,h=4,s=512,d=128,causal=1,pass=fwd", 1e-6);
  CHECK(contains(load_error(bad), "db.jsonl:2: measurement tag 'perfplan:attention:bf16:b=0,h=4,s=512,d=128,causal=1,"
                                  "pass=fwd': b=0 is invalid"));
  const std::string zero = one_measurement("H100-SXM5-80GB", "perfplan:gemm:bf16:m=256,n=256,k=256", 0.0);
  CHECK(contains(load_error(zero), "db.jsonl: measurement 'perfplan:gemm:bf16:m=256,n=256,k=256': its kernels take 0 s "
                                   "in total over 1 occurrence(s); accepted: a duration > 0"));
  // A marker range without a dtype part is not a measurement and stays ignored.
  const auto db = kerneldb::KernelDatabase::parse(one_measurement("H100-SXM5-80GB", "perfplan:step", 1e-3), "db.jsonl");
  CHECK(db.entries().empty());
}

TEST_CASE("measurement tag: the Kineto import refuses a bad tag at its event, and --gpu names the GPU") {
  using json = nlohmann::json;
  const auto trace = [](const std::string& tag, double dur) {
    return json{{"traceEvents",
                 {{{"ph", "X"}, {"cat", "gpu_user_annotation"}, {"name", tag}, {"ts", 10.0}, {"dur", 50.0}},
                  {{"ph", "X"}, {"cat", "kernel"}, {"name", "k"}, {"ts", 10.0}, {"dur", dur}}}}}
        .dump();
  };
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(trace("perfplan:gemm:bf16:m=-5,n=8,k=8", 20), {"t.json", ""}),
                       doctest::Contains("t.json: traceEvents[0]: measurement tag 'perfplan:gemm:bf16:m=-5,n=8,k=8': "
                                         "m=-5 is invalid"),
                       InputError);
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(trace("perfplan:gemm:bf16:m=8,n=8,k=8", 0), {"t.json", ""}),
                       doctest::Contains("its kernels take 0 s"), InputError);
  // Without deviceProperties the GPU is null, or what --gpu says.
  const std::string plain = kerneldb::kineto_trace_to_jsonl(trace("perfplan:gemm:bf16:m=8,n=8,k=8", 20), {"t.json", ""});
  CHECK(kerneldb::KernelDatabase::parse(plain, "x").context().gpu.empty());
  const std::string named =
      kerneldb::kineto_trace_to_jsonl(trace("perfplan:gemm:bf16:m=8,n=8,k=8", 20), {"t.json", "H100-SXM5-80GB"});
  CHECK(kerneldb::KernelDatabase::parse(named, "x").context().gpu == "H100-SXM5-80GB");
  // --gpu that contradicts the trace's own device is refused.
  json with_device = json::parse(trace("perfplan:gemm:bf16:m=8,n=8,k=8", 20));
  with_device["deviceProperties"] = {{{"name", "NVIDIA A100-SXM4-80GB"}}};
  CHECK_THROWS_WITH_AS(kerneldb::kineto_trace_to_jsonl(with_device.dump(), {"t.json", "H100-SXM5-80GB"}),
                       doctest::Contains("deviceProperties[0] names NVIDIA A100-SXM4-80GB, not H100-SXM5-80GB"), InputError);
}

TEST_CASE("kernel database check: a GEMM of 2*262144^3 FLOP in 1 ns is faster than an H100") {
  const auto db = kerneldb::KernelDatabase::parse(
      one_measurement("NVIDIA H100 80GB HBM3", "perfplan:gemm:bf16:m=262144,n=262144,k=262144", 1e-9), "fast.jsonl");
  const std::string message = check_error(db, "H100-SXM5-80GB");
  INFO(message);
  // 2 * 262144^3 = 3.603e16 FLOP in 1e-9 s = 3.603e13 TFLOP/s; the bound 1.1 x 989.4 = 1088 TFLOP/s.
  CHECK(contains(message, "fast.jsonl: measurement perfplan:gemm:bf16:k=262144,m=262144,n=262144 on "
                          "H100-SXM5-80GB is faster than it can run: 3.603e+13 TFLOP/s in 1e-09 s, above 1088 (110 % of H100-SXM5-80GB's "
                          "bf16 peak of 989.4 TFLOP/s)"));
  // A plausible 4096^3 GEMM passes: 2 * 4096^3 FLOP in 200 us = 687 TFLOP/s.
  const auto ok = kerneldb::KernelDatabase::parse(
      one_measurement("NVIDIA H100 80GB HBM3", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", 200e-6), "ok.jsonl");
  CHECK(check_error(ok, "H100-SXM5-80GB").empty());
  // Nor a GEMM taking 1000 s: 0.137 GFLOP/s is below 1 % of the peak for a kernel past 1 ms.
  const auto slow = kerneldb::KernelDatabase::parse(
      one_measurement("NVIDIA H100 80GB HBM3", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", 1000.0), "slow.jsonl");
  CHECK(contains(check_error(slow, "H100-SXM5-80GB"), "is slower than it can run: 0.0001374 TFLOP/s in 1000 s, below 1 %"));
  // A tiny launch-bound GEMM far below the peak is fine: 2 * 64^3 FLOP in 10 us.
  const auto tiny = kerneldb::KernelDatabase::parse(
      one_measurement("NVIDIA H100 80GB HBM3", "perfplan:gemm:bf16:m=64,n=64,k=64", 10e-6), "tiny.jsonl");
  CHECK(check_error(tiny, "H100-SXM5-80GB").empty());
}

TEST_CASE("kernel database check: attention and memory-bound measurements are bounded by peak and HBM") {
  // Causal forward at s = 4096: 4*1*32*4096^2*128 * 4097/8192 = 1.3747e11 FLOP; in 0.1 ms = 1375 TFLOP/s > 1088.
  const auto attention = kerneldb::KernelDatabase::parse(
      one_measurement("H100-SXM5-80GB", "perfplan:attention:bf16:b=1,h=32,s=4096,d=128,causal=1,pass=fwd", 1e-4), "a.jsonl");
  CHECK(contains(check_error(attention, "H100-SXM5-80GB"), "1375 TFLOP/s in 0.0001 s, above 1088"));
  // 1 GB in 0.25 ms = 4000 GB/s, above 1.05 x 3350 = 3518 GB/s (1 GB does not fit in the 50 MiB L2).
  const auto stream = kerneldb::KernelDatabase::parse(
      one_measurement("H100-SXM5-80GB", "perfplan:elementwise:bf16:bytes=1000000000", 0.25e-3), "m.jsonl");
  CHECK(contains(check_error(stream, "H100-SXM5-80GB"),
                 "4000 GB/s in 0.00025 s, above 3518 GB/s (105 % of H100-SXM5-80GB's HBM bandwidth of 3350 GB/s)"));
  // 1 MB fits in L2: up to 10x HBM; in 1 ns (1e6 GB/s) it is still impossible.
  const auto cached = kerneldb::KernelDatabase::parse(
      one_measurement("H100-SXM5-80GB", "perfplan:norm:bf16:bytes=1000000", 1e-9), "c.jsonl");
  CHECK(contains(check_error(cached, "H100-SXM5-80GB"), "above 3.35e+04 GB/s (10x H100-SXM5-80GB's HBM bandwidth"));
  // 1 MB in 0.5 us = 2000 GB/s: possible.
  const auto fine = kerneldb::KernelDatabase::parse(
      one_measurement("H100-SXM5-80GB", "perfplan:norm:bf16:bytes=1000000", 0.5e-6), "f.jsonl");
  CHECK(check_error(fine, "H100-SXM5-80GB").empty());
}

TEST_CASE("kernel database check: a database that names no GPU serves none, and says how to fix it") {
  const auto unnamed =
      kerneldb::KernelDatabase::parse(one_measurement("", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", 200e-6), "nodev.jsonl");
  CHECK(contains(check_error(unnamed, "A100-SXM4-80GB"),
                 "nodev.jsonl: context.gpu is empty, so the GPU it was measured on is unknown and it cannot be matched "
                 "with the cluster's A100-SXM4-80GB; re-import the trace with `perfplan kernels import TRACE --gpu NAME`"));
  // The compute model falls back to the roofline for it.
  const predictor::KernelDbModel model(unnamed);
  model::Operator op;
  op.kind = model::OpKind::kGemm;
  op.gemm = model::GemmShape{4096, 4096, 4096, 1};
  op.forward_flops = 2.0 * 4096 * 4096 * 4096;
  op.backward_flops = 2.0 * op.forward_flops;
  const auto& gpu = catalog().gpu("H100-SXM5-80GB");
  CHECK(model.time(op, model::DType::kBf16, gpu).forward_s ==
        doctest::Approx(predictor::RooflineModel().time(op, model::DType::kBf16, gpu).forward_s));
  // Another GPU's database is refused too.
  const auto h100 = kerneldb::KernelDatabase::parse(
      one_measurement("NVIDIA H100 80GB HBM3", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", 200e-6), "h.jsonl");
  CHECK(contains(check_error(h100, "A100-SXM4-80GB"), "measured on NVIDIA H100 80GB HBM3, but the cluster's GPU is A100"));
  // The default database of a GPU must name it.
  const auto dir = std::filesystem::temp_directory_path() / "perfplan-unnamed-kernels";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "h100-sxm5-80gb.jsonl") << one_measurement("", "perfplan:gemm:bf16:m=4096,n=4096,k=4096", 200e-6);
  CHECK_THROWS_WITH_AS(kerneldb::load_kernel_db_for_gpu(dir, "H100-SXM5-80GB"),
                       doctest::Contains("context.gpu is empty, so nothing says which GPU measured it"), InputError);
  std::filesystem::remove_all(dir);
}
