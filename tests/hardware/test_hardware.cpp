// Hardware specs: the catalog in hardware_specs/ loads, converts vendor units to SI, and reports
// bad input as one InputError naming every problem with its file and JSON path.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/hardware/calibration.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace hardware = perfplan::hardware;

namespace {

using perfplan::InputError;
using perfplan::model::DType;
using perfplan::hardware::ClusterSpec;
using perfplan::hardware::HardwareCatalog;
using perfplan::hardware::LinkKind;

const hardware::HardwareCatalog& catalog() {
  static const hardware::HardwareCatalog kCatalog = hardware::HardwareCatalog::load(perfplan::hardware::default_hardware_directory());
  return kCatalog;
}

// The message of the InputError `action` throws ("" when it throws nothing).
template <typename Action>
std::string input_error(Action&& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A scratch hardware_specs/ tree, removed at the end of the test.
class ScratchSpecs {
 public:
  ScratchSpecs() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("perfplan-hw-test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "-" +
             std::to_string(counter++));
    for (const char* sub : {"gpus", "networks", "clusters", "frameworks"}) std::filesystem::create_directories(root_ / sub);
  }
  ~ScratchSpecs() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  void write(const std::string& relative, const std::string& text) const { std::ofstream(root_ / relative) << text; }
  // The shipped GPU, link, cluster and framework specs, to break one of them.
  void copy_shipped_specs() const {
    for (const char* sub : {"gpus", "networks", "clusters", "frameworks"}) {
      for (const auto& entry : std::filesystem::directory_iterator(hardware::default_hardware_directory() / sub)) {
        std::filesystem::copy_file(entry.path(), root_ / sub / entry.path().filename());
      }
    }
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace

TEST_CASE("hardware catalog loads every GPU, link and cluster") {
  CHECK(catalog().gpus().size() == 10);
  CHECK(catalog().links().size() == 12);
  CHECK(catalog().clusters().size() == 9);
  CHECK(catalog().frameworks().size() == 12);
  for (const auto& gpu : catalog().gpus()) CHECK_MESSAGE(gpu.problems().empty(), gpu.name);
  for (const auto& link : catalog().links()) CHECK_MESSAGE(link.problems().empty(), link.name);
  for (const auto& cluster : catalog().clusters()) CHECK_MESSAGE(cluster.problems().empty(), cluster.name);
}

TEST_CASE("hardware GPU peaks come from the datasheets, dense, in FLOP/s") {
  const auto& h100 = catalog().gpu("H100-SXM5-80GB");
  CHECK(h100.peak_bf16_flops_per_s == doctest::Approx(989.4e12));
  CHECK(h100.peak_flops_per_s(DType::kBf16) == doctest::Approx(989.4e12));
  CHECK(h100.peak_flops_per_s(DType::kFp8) == doctest::Approx(1978.9e12));
  CHECK(h100.peak_flops_per_s(DType::kFp32) == doctest::Approx(494.7e12));  // TF32 tensor cores
  CHECK(h100.hbm_bytes_per_s == doctest::Approx(3.35e12));
  CHECK(h100.nvlink_bytes_per_s == doctest::Approx(450e9));
  CHECK(h100.sm_count == 132);
  CHECK(h100.l2_bytes == doctest::Approx(50.0 * 1024 * 1024));
  CHECK(h100.kernel_launch_s == doctest::Approx(4e-6));
  // FP8 GEMMs use their own calibration; bf16 and fp16 share one.
  CHECK(h100.gemm_efficiency_for(DType::kFp8) == h100.fp8_gemm_efficiency);
  CHECK(h100.gemm_efficiency_for(DType::kBf16) == h100.gemm_efficiency);
  // The efficiencies used are calibrate's (hardware_specs/calibration.json) where it fitted them,
  // inside the bounds of the spec file; the spec file's values are the priors.
  const auto priors = hardware::HardwareCatalog::load(hardware::default_hardware_directory(),
                                                      hardware::CalibrationUse::kPriors);
  CHECK(priors.gpu("H100-SXM5-80GB").gemm_efficiency == 0.75);
  const auto& fitted = catalog().calibration().constants;
  if (const auto it = fitted.find("H100-SXM5-80GB.gemm_efficiency"); it != fitted.end()) {
    CHECK(h100.gemm_efficiency == it->second);
    CHECK(catalog().gpu("H200-SXM-141GB").gemm_efficiency == it->second);  // fits as H100 (same die)
  }
  CHECK(h100.gemm_efficiency >= 0.55);
  CHECK(h100.gemm_efficiency <= 0.85);

  const auto& a100 = catalog().gpu("A100-SXM4-80GB");
  CHECK(a100.peak_flops_per_s(DType::kBf16) == doctest::Approx(312e12));
  CHECK(a100.peak_flops_per_s(DType::kFp32) == doctest::Approx(156e12));
  // No FP8 on Ampere: fp8 recipes run as bf16, at the bf16 GEMM efficiency.
  CHECK(a100.peak_fp8_flops_per_s == 0);
  CHECK(a100.peak_flops_per_s(DType::kFp8) == doctest::Approx(312e12));
  CHECK(a100.gemm_efficiency_for(DType::kFp8) == doctest::Approx(a100.gemm_efficiency));

  // V100: fp16 tensor cores only; fp32 GEMMs run on CUDA cores, bf16 is planned as fp16.
  const auto& v100 = catalog().gpu("V100-SXM2-32GB");
  CHECK(v100.peak_flops_per_s(DType::kFp32) == doctest::Approx(15.7e12));
  CHECK(v100.peak_flops_per_s(DType::kBf16) == doctest::Approx(125e12));
}

TEST_CASE("hardware HBM capacity is what CUDA reports, in bytes") {
  // deviceQuery on H100 80GB HBM3: 81090 MiB.
  CHECK(catalog().gpu("H100-SXM5-80GB").hbm_bytes == doctest::Approx(81090.0 * 1048576));
  CHECK(catalog().gpu("A100-SXM4-40GB").hbm_bytes < catalog().gpu("A100-SXM4-80GB").hbm_bytes);
  for (const auto& gpu : catalog().gpus()) {
    CHECK_MESSAGE(gpu.hbm_bytes > 30e9, gpu.name);
    CHECK_MESSAGE(gpu.price_per_gpu_hour_usd > 0, gpu.name);
    CHECK_MESSAGE(!gpu.price_source.empty(), gpu.name);
    CHECK_MESSAGE(!gpu.calibration_source.empty(), gpu.name);
  }
}

TEST_CASE("hardware lookups are case-insensitive and accept a unique prefix") {
  CHECK(catalog().gpu("h100-sxm5-80gb").name == "H100-SXM5-80GB");
  CHECK(catalog().gpu("mi300x").name == "MI300X");
  CHECK(catalog().gpu("H200").name == "H200-SXM-141GB");
  CHECK(catalog().link("IB-NDR").name == "ib-ndr");
  const std::string ambiguous = input_error([] { catalog().gpu("H100"); });
  CHECK(contains(ambiguous, "ambiguous"));
  CHECK(contains(ambiguous, "H100-SXM5-80GB"));
  CHECK(contains(ambiguous, "H100-PCIe-80GB"));
}

TEST_CASE("hardware unknown GPU name suggests the closest and lists the accepted names") {
  const std::string message = input_error([] { catalog().gpu("H100-SXM-80GB"); });
  CHECK(contains(message, "unknown GPU 'H100-SXM-80GB'"));
  CHECK(contains(message, "did you mean 'H100-SXM5-80GB'?"));
  CHECK(contains(message, "MI300X"));
  const std::string link = input_error([] { catalog().link("ib-nrd"); });
  CHECK(contains(link, "did you mean 'ib-ndr'?"));
}

TEST_CASE("hardware links convert Gb/s and GB/s per direction to bytes/s") {
  const auto& ndr = catalog().link("ib-ndr");
  CHECK(ndr.kind == hardware::LinkKind::kInfiniband);
  CHECK(ndr.bandwidth_bytes_per_s == doctest::Approx(50e9));  // 400 Gb/s
  CHECK(ndr.latency_s == doctest::Approx(5e-6));
  CHECK(catalog().link("ib-hdr").bandwidth_bytes_per_s == doctest::Approx(25e9));
  CHECK(catalog().link("nvlink4-nvswitch").bandwidth_bytes_per_s == doctest::Approx(450e9));
  CHECK(catalog().link("nvlink3-nvswitch").bandwidth_bytes_per_s == doctest::Approx(300e9));
  CHECK(catalog().link("nvlink5-nvswitch").bandwidth_bytes_per_s == doctest::Approx(900e9));
  CHECK(catalog().link("xgmi-mi300x").kind == hardware::LinkKind::kXgmi);
}

TEST_CASE("hardware clusters resolve their GPU and links") {
  const hardware::ClusterSpec dgx = catalog().cluster("dgx-h100", 16);
  CHECK(dgx.gpus_per_node == 8);
  CHECK(dgx.nics_per_node == 8);
  CHECK(dgx.num_gpus == 16);
  CHECK(dgx.gpu.name == "H100-SXM5-80GB");
  CHECK(dgx.intra_node.name == "nvlink4-nvswitch");
  CHECK(dgx.inter_node.name == "ib-ndr");
  CHECK(dgx.inter_node.bandwidth_bytes_per_s == doctest::Approx(50e9));

  const hardware::ClusterSpec nvl72 = catalog().cluster("gb200-nvl72", 72);
  CHECK(nvl72.nvlink_domain_size == 72);
  CHECK(nvl72.gpus_per_node == 4);
  CHECK(nvl72.intra_node.bandwidth_bytes_per_s == doctest::Approx(900e9));

  CHECK(catalog().cluster("dgx-h100", 4).num_gpus == 4);  // part of one node
}

TEST_CASE("hardware cluster GPU counts beyond one node fill whole nodes") {
  const std::string message = input_error([] { catalog().cluster("dgx-h100", 12); });
  CHECK(contains(message, "12 GPUs"));
  CHECK(contains(message, "multiple of 8"));
  CHECK(contains(input_error([] { catalog().cluster("dgx-h100", 0); }), "must be positive"));
  CHECK(contains(input_error([] { catalog().cluster("dgx-h1000", 8); }), "did you mean 'dgx-h100'?"));
}

TEST_CASE("hardware cluster_for_gpu uses the GPU family's node") {
  const hardware::ClusterSpec a100 = catalog().cluster_for_gpu("A100-SXM4-40GB", 64, 8);
  CHECK(a100.gpu.name == "A100-SXM4-40GB");
  CHECK(a100.intra_node.name == "nvlink3-nvswitch");
  CHECK(a100.inter_node.name == "ib-hdr");
  CHECK(a100.num_gpus == 64);

  const hardware::ClusterSpec half_node = catalog().cluster_for_gpu("H100-SXM5-80GB", 16, 4);
  CHECK(half_node.gpus_per_node == 4);
  CHECK(half_node.nvlink_domain_size == 4);
  CHECK(half_node.nics_per_node == 4);

  const hardware::ClusterSpec nvl72 = catalog().cluster_for_gpu("GB200", 144, 4);
  CHECK(nvl72.nvlink_domain_size == 72);
  CHECK(contains(input_error([] { catalog().cluster_for_gpu("A100-SXM4-40GB", 12, 8); }), "multiple of 8"));
}

TEST_CASE("hardware cluster from a JSON file path") {
  ScratchSpecs scratch;
  scratch.write("clusters/mine.json", R"({"name": "my-h100", "source": "our lab", "gpu": "h100-sxm5-80gb",
    "gpus_per_node": 8, "nics_per_node": 4, "intra_node_link": "nvlink4-nvswitch",
    "inter_node_link": "roce-400"})");
  const hardware::ClusterSpec mine = catalog().cluster((scratch.root() / "clusters/mine.json").string(), 32);
  CHECK(mine.name == "my-h100");
  CHECK(mine.nvlink_domain_size == 8);  // defaults to the node
  CHECK(mine.inter_node.bandwidth_bytes_per_s == doctest::Approx(50e9));

  scratch.write("clusters/bad.json", R"({"name": "bad", "source": "x", "gpu": "H100-SXM5-8GB", "gpus_per_node": 8,
    "nics_per_node": 8, "intra_node_link": "nvlink4-nvswitch", "inter_node_link": "ib-nrd"})");
  const std::string message =
      input_error([&] { catalog().cluster((scratch.root() / "clusters/bad.json").string(), 8); });
  CHECK(contains(message, "bad.json: gpu: unknown GPU 'H100-SXM5-8GB'; did you mean 'H100-SXM5-80GB'?"));
  CHECK(contains(message, "bad.json: inter_node_link: unknown link 'ib-nrd'; did you mean 'ib-ndr'?"));
}

TEST_CASE("hardware malformed specs give one InputError listing every problem with its path") {
  ScratchSpecs scratch;
  // Negative bandwidth and a missing sm_count.
  scratch.write("gpus/bad.json", R"({
    "name": "Bad-GPU", "source": "test",
    "peak_fp32_tflops": 10, "peak_tf32_tflops": null, "peak_bf16_tflops": 100, "peak_fp16_tflops": 100,
    "peak_fp8_tflops": null, "hbm_gb": 80, "hbm_usable_mib": 80000, "hbm_bandwidth_gb_per_s": -2000,
    "l2_mib": 40, "nvlink_gb_per_s": 0, "price_per_gpu_hour_usd": 1, "price_source": "test",
    "calibration": {"gemm_efficiency": 0.8, "fp8_gemm_efficiency": null, "attention_efficiency": 0.6,
                    "hbm_efficiency": 0.9, "kernel_launch_us": 4, "gemm_tile_overhead_k": 256,
                    "attention_backward_rate_ratio": 0.75, "source": "test"}})");
  // The shipped framework spec with collectives on no SMs.
  nlohmann::json framework =
      perfplan::common::read_json_file(hardware::default_hardware_directory() / "frameworks" / "megatron-core.json");
  framework["communication"]["collective_sm_count"] = 0;
  scratch.write("frameworks/f.json", framework.dump());
  scratch.write("clusters/c.json", R"({"name": "c", "source": "test", "gpu": "Bad-GPU", "gpus_per_node": 8,
    "nics_per_node": 8, "intra_node_link": "nvlink9", "inter_node_link": "ib-ndr"})");
  const std::string message = input_error([&] { hardware::HardwareCatalog::load(scratch.root()); });
  INFO(message);
  CHECK(contains(message, "gpus/bad.json: hbm_bandwidth_gb_per_s: must be between 10 and 1000000 GB/s (got -2000)"));
  CHECK(contains(message, "gpus/bad.json: sm_count: missing"));
  CHECK(contains(message, "clusters/c.json: intra_node_link: unknown link 'nvlink9'"));
  CHECK(contains(message, "clusters/c.json: inter_node_link: unknown link 'ib-ndr'"));
  CHECK(contains(message, "frameworks/f.json: communication.collective_sm_count: must be > 0 SMs (got 0)"));
  CHECK(contains(message, "5 problems"));

  scratch.write("gpus/typo.json", R"({"name": "Typo", "peak_bf16_tflop": 1})");
  const std::string typo = input_error([&] { hardware::HardwareCatalog::load(scratch.root()); });
  CHECK(contains(typo, "gpus/typo.json: peak_bf16_tflop: unknown key; did you mean 'peak_bf16_tflops'?"));

  scratch.write("networks/broken.json", "{ not json");
  CHECK(contains(input_error([&] { hardware::HardwareCatalog::load(scratch.root()); }), "broken.json: malformed JSON"));
}

TEST_CASE("hardware spec problems() check the SI structs built in code") {
  perfplan::hardware::GpuSpec gpu = catalog().gpu("H100-SXM5-80GB");
  CHECK(gpu.problems().empty());
  gpu.gemm_efficiency = 1.5;
  gpu.hbm_bytes = 0;
  const auto problems = gpu.problems();
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == "hbm_usable_mib: must be between 1024 and 33554432 MiB (got 0)");
  CHECK(problems[1] == "calibration.gemm_efficiency: must be a fraction in (0, 1] (got 1.5)");

  hardware::ClusterSpec cluster = catalog().cluster("dgx-h100", 8);
  cluster.inter_node = cluster.intra_node;
  CHECK(contains(cluster.problems().front(), "inter_node_link: 'nvlink4-nvswitch' is not a scale-out link"));
}

TEST_CASE("hardware framework spec: Megatron-Core's figures in SI units, kernel counts by operator") {
  const hardware::FrameworkSpec& f = catalog().framework();
  CHECK(f.name == "megatron-core");
  // The launch cost is a free constant: the spec file holds the prior, calibration.json the fit.
  const auto priors = hardware::HardwareCatalog::load(hardware::default_hardware_directory(),
                                                      hardware::CalibrationUse::kPriors);
  CHECK(priors.framework().host_launch_s == doctest::Approx(25e-6));
  CHECK(f.host_launch_s == doctest::Approx(
                               catalog().calibration().constants.at("megatron-core.host.launch_us") * 1e-6));
  CHECK(f.host_sync_s == doctest::Approx(30e-6));
  CHECK(f.collective_sm_count == 16);
  // Megatron DDP: max(40M, 1M x DP) parameters per bucket.
  CHECK(f.dp_bucket_params(8) == doctest::Approx(40e6));
  CHECK(f.dp_bucket_params(64) == doctest::Approx(64e6));
  CHECK(f.optimizer_state_bytes_per_parameter == 12.0);
  CHECK(f.optimizer_step_bytes_per_parameter == 34.0);
  CHECK(f.runtime_reserve_bytes == doctest::Approx(1.5 * 1024 * 1024 * 1024));
  const hardware::KernelCount topk = f.kernels("router_topk", {1, 1});
  CHECK(topk.forward == 12);
  CHECK(topk.backward == 8);
  const hardware::KernelCount other = f.kernels("qkv_proj", {3, 6});
  CHECK(other.forward == 3);
  CHECK(other.backward == 6);
  CHECK(&catalog().framework("Megatron-Core") == &f);
  CHECK(contains(input_error([] { catalog().framework("megatron-cor"); }), "did you mean 'megatron-core'?"));
}

TEST_CASE("hardware framework profiles: by name, else the family's default profile, else Megatron-Core") {
  std::string fallback;
  CHECK(catalog().framework_for("torchtitan", "pytorch", fallback).name == "torchtitan");
  CHECK(fallback.empty());
  const auto& jax = catalog().framework_for("levanter", "jax", fallback);
  CHECK(jax.name == "maxtext");
  CHECK(contains(fallback, "levanter has no profile: using maxtext, the jax family's default"));
  fallback.clear();
  CHECK(catalog().framework_for("in-house", "other", fallback).name == "megatron-core");
  CHECK_FALSE(fallback.empty());
  // Stacks of one code path share their free constants.
  CHECK(catalog().framework("nemo").fit_group == "megatron-core");
  CHECK(catalog().framework("nemo").host_launch_s == catalog().framework("megatron-core").host_launch_s);
  CHECK(catalog().framework("pytorch-fsdp").defaults.attention == "flash");  // 2.9: cuDNN SDPA on Hopper
  CHECK(catalog().framework("megatron-lm").defaults.attention == "unfused");
  CHECK(catalog().framework("maxtext").recompute_policies.at("save_qkv_proj") == std::vector<std::string>{"qkv_proj"});
}

TEST_CASE("hardware attention rates: the FlashAttention-3 paper's figures as utilisation of H100 and H200") {
  const auto& h100 = catalog().gpu("H100-SXM5-80GB");
  REQUIRE(h100.attention_rates);
  CHECK(h100.attention_rates->architecture == "hopper");
  // TE's fused attention on Hopper is cuDNN: causal forward, head dim 128, seq 4k = 518 TFLOP/s
  // (FA3 paper Fig. 5) of 989.4.
  const auto* cudnn = h100.attention_table(perfplan::model::AttentionKernel::kFlash);
  REQUIRE(cudnn);
  CHECK(cudnn->forward(4096, 128, true) == doctest::Approx(518.0 / 989.4));
  CHECK(cudnn->forward(4096, 128, false) == doctest::Approx(609.0 / 989.4));
  // Backward with a causal mask: non-causal 499 x forward causal / non-causal 518 / 609.
  CHECK(cudnn->backward(4096, 128, true) == doctest::Approx(499.0 * 518.0 / 609.0 / 989.4));
  // Between printed points: linear in log2 of the length (3k between 2k 484 and 4k 518) and of
  // the head dimension (MLA's 192 halfway between 128 and 256 in log2 is at 0.585).
  const double t = std::log2(3072.0 / 2048.0);
  CHECK(cudnn->forward(3072, 128, true) == doctest::Approx((484.0 + t * (518.0 - 484.0)) / 989.4));
  const double u = std::log2(192.0 / 128.0);
  CHECK(cudnn->forward(4096, 192, true) == doctest::Approx((518.0 + u * (483.0 - 518.0)) / 989.4));
  // Beyond the printed points: the nearest (seq 256 -> 512; 32k -> 16k; backward head dim 256 -> 128).
  CHECK(cudnn->forward(256, 128, true) == doctest::Approx(315.0 / 989.4));
  CHECK(cudnn->forward(32768, 128, true) == doctest::Approx(539.0 / 989.4));
  CHECK(cudnn->backward(4096, 256, false) == doctest::Approx(499.0 / 989.4));
  const auto* fa2 = h100.attention_table(perfplan::model::AttentionKernel::kFlash2);
  REQUIRE(fa2);
  CHECK(fa2->forward(8192, 128, false) == doctest::Approx(370.0 / 989.4));
  CHECK(h100.attention_table(perfplan::model::AttentionKernel::kUnfused) == nullptr);
  // H200 has the same die: the same utilisation; Ampere has no published table here.
  CHECK(catalog().gpu("H200-SXM-141GB").attention_rates == h100.attention_rates);
  CHECK(catalog().gpu("A100-SXM4-80GB").attention_rates == nullptr);
}

TEST_CASE("hardware attention rates: a broken table names the file, key and what is accepted") {
  ScratchSpecs scratch;
  scratch.copy_shipped_specs();
  std::filesystem::create_directories(scratch.root() / "attention");
  scratch.write("attention/bad.json", R"({"name": "bad", "architecture": "hopper", "measured_on": "H100-SXM5-80GB",
    "dtype": "bf16", "source": "test", "seq": [512, 1024],
    "kernels": {"flash9": {}, "flash2": {"forward": {"noncausal": {"128": [300, 2000]}, "causal": {"x": [1, 2]}},
                                         "backward": {"noncausal": {"128": [200]}}}}})");
  const std::string message = input_error([&] { hardware::HardwareCatalog::load(scratch.root()); });
  INFO(message);
  CHECK(contains(message, "attention/bad.json: kernels.flash9: accepted kernels: flash3, cudnn, flash2"));
  CHECK(contains(message, "kernels.flash2.forward.noncausal.128: TFLOP/s must be > 0 and at most the measured GPU's dense peak"));
  CHECK(contains(message, "kernels.flash2.forward.causal.x: a head dimension must be a whole number 1-4096"));
  CHECK(contains(message, "kernels.flash2.backward.noncausal.128: must hold 2 TFLOP/s values, one per seq"));
}

TEST_CASE("hardware framework releases: exact, the nearest earlier (said so), a year by release date, the oldest") {
  const auto& fsdp = catalog().framework("pytorch-fsdp");
  REQUIRE(fsdp.release == "2.9");
  std::string note;
  // Exact: no note.
  auto at = fsdp.at_release("2.5.0", note);
  CHECK(at.defaults.attention == "flash");
  CHECK(at.release == "2.5.0");
  CHECK(note.empty());
  // 2.3 is not described: 2.2's behaviour (FlashAttention-2), and the note says so.
  at = fsdp.at_release("2.3", note);
  CHECK(at.defaults.attention == "flash2");
  CHECK(contains(note, "pytorch-fsdp 2.3: not described; predicted as the nearest earlier release, 2.2"));
  // Newer than the newest: the newest, silently nearest-earlier.
  at = fsdp.at_release("2.10.1", note);
  CHECK(at.release == "2.9");
  CHECK(contains(note, "nearest earlier release, 2.9"));
  // A year: the latest release dated in or before it (2.5.1, 2024-11).
  at = fsdp.at_release("2024 (IBM fms-fsdp)", note);
  CHECK(at.release == "2.5.1");
  CHECK(at.defaults.attention == "flash2");
  CHECK(contains(note, "released 2024-11"));
  // Older than every described release: the oldest, said so.
  at = fsdp.at_release("1.13", note);
  CHECK(at.release == "2.2");
  CHECK(contains(note, "older than every described release"));
  // Fields a release does not change stay the profile's; the copy holds no releases.
  CHECK(at.host_launch_s == fsdp.host_launch_s);
  CHECK(at.releases.empty());
  CHECK(perfplan::hardware::release_key("core_r0.8.0") == std::vector<int64_t>{0, 8, 0});
  CHECK(perfplan::hardware::release_key("v2.5.1+cu124") == std::vector<int64_t>{2, 5, 1});
  CHECK(perfplan::hardware::release_key("nightly").empty());
}

TEST_CASE("hardware framework releases: out of order, unsourced or unknown fields are refused with their path") {
  ScratchSpecs scratch;
  scratch.copy_shipped_specs();
  nlohmann::json f =
      perfplan::common::read_json_file(hardware::default_hardware_directory() / "frameworks" / "pytorch-fsdp.json");
  f["versions"] = nlohmann::json::parse(R"([
    {"release": "2.5", "source": "notes", "defaults": {"attention": "flash2"}},
    {"release": "2.2", "defaults": {"attention": "flash9", "overlap": true}},
    {"release": "3.0", "source": "notes"}])");
  scratch.write("frameworks/pytorch-fsdp.json", f.dump());
  const std::string message = input_error([&] { hardware::HardwareCatalog::load(scratch.root()); });
  INFO(message);
  CHECK(contains(message, "versions.1.source: missing"));
  CHECK(contains(message, "versions.1.defaults.attention: accepted: flash, flash2, flash3, unfused (got 'flash9')"));
  CHECK(contains(message, "versions.1.defaults.overlap: unknown key"));
  CHECK(contains(message, "versions.1.release: releases must be oldest first"));
  CHECK(contains(message, "versions.2.release: must be earlier than the profile's release 2.9"));
}

TEST_CASE("calibration.json: a case count that is negative, fractional or beyond int64 is refused, never wrapped") {
  for (const std::string cases : {"-1", "2.5", "18446744073709551615", "\"12\""}) {
    CAPTURE(cases);
    const auto doc = nlohmann::json::parse(R"({"generated_by": "perfplan calibrate", "objective": "x",
        "fitted_on": [], "cases": )" + cases + R"(, "residual": 0.1, "constants": {}, "bands": []})");
    CHECK_THROWS_WITH_AS(hardware::calibration_from_json(doc, "calibration.json"),
                         doctest::Contains(("cases = " + cases + " must be a whole number >= 0").c_str()), perfplan::InputError);
  }
}
