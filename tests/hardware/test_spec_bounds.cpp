// Hardware spec figures within physical bounds, quoted as the file holds them; one problem for an
// unknown GPU or link in a cluster file; NVLink domains no larger than their link allows.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/hardware/calibration.hpp"
#include "perfplan/hardware/hardware.hpp"

namespace hardware = perfplan::hardware;
using nlohmann::json;

namespace {

// A copy of the shipped hardware_specs/ with one file edited; removed at the end of the test.
class EditedSpecs {
 public:
  EditedSpecs() {
    static std::atomic<int> counter{0};
    root_ = std::filesystem::temp_directory_path() /
            ("perfplan-bounds-test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
             "-" + std::to_string(counter++));
    for (const char* sub : {"gpus", "networks", "clusters", "frameworks"}) {
      std::filesystem::create_directories(root_ / sub);
      for (const auto& entry : std::filesystem::directory_iterator(hardware::default_hardware_directory() / sub)) {
        std::filesystem::copy_file(entry.path(), root_ / sub / entry.path().filename());
      }
    }
  }
  ~EditedSpecs() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  // Reads `relative`, lets `edit` change it, writes it back.
  void edit(const std::string& relative, const std::function<void(json&)>& edit) const {
    json doc = perfplan::common::read_json_file(root_ / relative);
    edit(doc);
    std::ofstream(root_ / relative) << doc.dump(2);
  }
  // The message of loading the edited tree ("" when it loads).
  std::string load_error() const {
    try {
      hardware::HardwareCatalog::load(root_);
    } catch (const perfplan::InputError& e) {
      return e.what();
    }
    return "";
  }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const hardware::HardwareCatalog& shipped() {
  static const auto catalog = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return catalog;
}

// The message of loading cluster file `doc` against the shipped catalog.
std::string cluster_file_error(const json& doc) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("perfplan-bounds-cluster-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".json");
  std::ofstream(path) << doc.dump();
  std::string message;
  try {
    shipped().cluster(path.string(), 8);
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  std::filesystem::remove(path);
  return message;
}

json dgx_h100() { return perfplan::common::read_json_file(hardware::default_hardware_directory() / "clusters/dgx-h100.json"); }

}  // namespace

TEST_CASE("spec bounds: a GPU peak of 1e300 TFLOP/s is quoted as written, with the real bound, not as inf") {
  EditedSpecs specs;
  specs.edit("gpus/h100-sxm5-80gb.json", [](json& d) { d["peak_bf16_tflops"] = 1e300; });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "gpus/h100-sxm5-80gb.json: peak_bf16_tflops: must be between 0.1 and 1000000 TFLOP/s, "
                          "or 0 where absent (got 1e+300)"));
  CHECK(contains(message, "1 problem:"));
  CHECK_FALSE(contains(message, "inf"));
}

TEST_CASE("spec bounds: HBM capacity 1e305 MiB and bandwidth 1e-300 GB/s are refused with their values") {
  EditedSpecs specs;
  specs.edit("gpus/h100-sxm5-80gb.json", [](json& d) {
    d["hbm_gb"] = 1e300;
    d["hbm_usable_mib"] = 1e305;
    d["hbm_bandwidth_gb_per_s"] = 1e-300;
  });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "hbm_gb: must be between 1 and 32768 GB (got 1e+300)"));
  CHECK(contains(message, "hbm_usable_mib: must be between 1024 and 33554432 MiB (got 1e+305)"));
  CHECK(contains(message, "hbm_bandwidth_gb_per_s: must be between 10 and 1000000 GB/s (got 1e-300)"));
  CHECK(contains(message, "3 problems"));
}

TEST_CASE("spec bounds: SM count, L2 and the GPU's NVLink bandwidth have physical ranges") {
  EditedSpecs specs;
  specs.edit("gpus/a100-sxm4-80gb.json", [](json& d) {
    d["sm_count"] = 1000000;
    d["l2_mib"] = 0.001;
    d["nvlink_gb_per_s"] = 1e-9;
  });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "sm_count: must be between 1 and 4096 SMs (got 1000000)"));
  CHECK(contains(message, "l2_mib: must be between 0.25 and 4096 MiB (got 0.001)"));
  CHECK(contains(message, "nvlink_gb_per_s: must be between 1 and 200000 GB/s, or 0 where absent (got 1e-09)"));
}

TEST_CASE("spec bounds: a NIC of 1e-200 Gb/s, an NVLink of 1e9 GB/s and a latency of 0 are refused") {
  EditedSpecs specs;
  specs.edit("networks/ib-ndr.json", [](json& d) { d["bandwidth_gbit_per_s"] = 1e-200; });
  specs.edit("networks/nvlink4-nvswitch.json", [](json& d) {
    d["bandwidth_gb_per_s"] = 1e9;
    d["latency_us"] = 0;
  });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "networks/ib-ndr.json: bandwidth_gbit_per_s: must be between 1 and 200000 Gb/s (got 1e-200)"));
  CHECK(contains(message,
                 "networks/nvlink4-nvswitch.json: bandwidth_gb_per_s: must be between 1 and 200000 GB/s (got 1000000000.0)"));
  CHECK(contains(message, "networks/nvlink4-nvswitch.json: latency_us: must be between 0.01 and 1000 us (got 0)"));
}

TEST_CASE("spec bounds: the SI structs' problems() apply the same ranges") {
  hardware::GpuSpec gpu = shipped().gpu("H100-SXM5-80GB");
  gpu.hbm_bytes_per_s = 1e-300 * 1e9;
  hardware::LinkSpec link = shipped().link("ib-ndr");
  link.latency_s = 2.0;  // 2 s per hop
  REQUIRE(gpu.problems().size() == 1);
  CHECK(gpu.problems()[0] == "hbm_bandwidth_gb_per_s: must be between 10 and 1000000 GB/s (got 1e-300)");
  REQUIRE(link.problems().size() == 1);
  CHECK(link.problems()[0] == "latency_us: must be between 0.01 and 1000 us (got 2e+06)");
}

TEST_CASE("spec bounds: every shipped link names its largest NVLink domain or spans one node") {
  CHECK(shipped().link("nvlink4-nvswitch").max_domain_gpus == 256);
  CHECK(shipped().link("nvlink5-nvswitch").max_domain_gpus == 576);
  CHECK(shipped().link("nvlink3-nvswitch").max_domain_gpus == 8);
  CHECK(shipped().link("pcie5").max_domain_gpus == 0);
  CHECK(shipped().cluster("gb200-nvl72", 72).nvlink_domain_size == 72);
}

TEST_CASE("spec bounds: an NVLink domain of 8,000,000 GPUs exceeds what nvlink4-nvswitch allows") {
  json doc = dgx_h100();
  doc["nvlink_domain_size"] = 8000000;
  const std::string message = cluster_file_error(doc);
  INFO(message);
  CHECK(contains(message, "nvlink_domain_size: must be at most 256 GPUs, the largest domain nvlink4-nvswitch allows "
                          "(its max_domain_gpus) (got 8000000)"));
  CHECK(contains(message, "1 problem:"));
  // A PCIe link gives no max_domain_gpus: the domain is one node.
  doc["intra_node_link"] = "pcie5";
  doc["nvlink_domain_size"] = 16;
  CHECK(contains(cluster_file_error(doc),
                 "nvlink_domain_size: must be at most 8 GPUs, one node: pcie5 gives no max_domain_gpus (got 16)"));
}

TEST_CASE("spec bounds: an unknown GPU in a cluster file is one problem, with an H100 suggested for H100-FOO") {
  json doc = dgx_h100();
  doc["gpu"] = "H100-FOO";
  const std::string message = cluster_file_error(doc);
  INFO(message);
  CHECK(contains(message, ": 1 problem: "));
  CHECK(contains(message, "gpu: unknown GPU 'H100-FOO'; did you mean 'H100-"));
  CHECK_FALSE(contains(message, "gpu.name"));
  CHECK_FALSE(contains(message, "gpu.peak_fp32_tflops"));
  // A missing GPU, a GPU given as an object, and an unknown link are one problem each too.
  doc.erase("gpu");
  CHECK(contains(cluster_file_error(doc), ": 1 problem: "));
  doc["gpu"] = json::object();
  CHECK(contains(cluster_file_error(doc), ": 1 problem: "));
  doc = dgx_h100();
  doc["inter_node_link"] = "ib-zzz";
  const std::string link = cluster_file_error(doc);
  INFO(link);
  CHECK(contains(link, ": 1 problem: "));
  CHECK(contains(link, "inter_node_link: unknown link 'ib-zzz'; did you mean 'ib-"));
}

TEST_CASE("spec bounds: the did-you-mean suggestion prefers a shared prefix, then shared parts") {
  const auto suggestion = [](const std::string& name) {
    try {
      shipped().gpu(name);
    } catch (const perfplan::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(contains(suggestion("H100-ZZZ"), "did you mean 'H100-"));
  CHECK(contains(suggestion("sxm4-a100"), "did you mean 'A100-SXM4-"));
}

TEST_CASE("spec bounds: the unknown-key message is punctuated before its accepted keys") {
  json doc = dgx_h100();
  doc["price_per_gpu_hour_usd"] = 3;
  const std::string message = cluster_file_error(doc);
  CHECK(contains(message, "price_per_gpu_hour_usd: unknown key; accepted keys: name source"));
  doc.erase("price_per_gpu_hour_usd");
  doc["topolgy"] = "fat tree";
  CHECK(contains(cluster_file_error(doc), "topolgy: unknown key; did you mean 'topology'? Accepted keys: name"));
}

TEST_CASE("spec bounds: a [low, high] pair in the wrong order is shown as the file holds it") {
  EditedSpecs specs;
  specs.edit("gpus/h100-sxm5-80gb.json", [](json& d) { d["calibration"]["bounds"]["gemm_efficiency"] = {0.9, 0.1}; });
  specs.edit("frameworks/megatron-core.json", [](json& d) { d["host"]["bounds"]["launch_us"] = {60, 5}; });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "calibration.bounds.gemm_efficiency: must be [low, high] with low <= high, got [0.9, 0.1]"));
  CHECK(contains(message, "got [60, 5]"));
  CHECK_FALSE(contains(message, "an array of 2 values"));
}

TEST_CASE("spec bounds: a calibration band that is inverted names its index, families and values") {
  json doc = perfplan::common::read_json_file(hardware::default_hardware_directory() / "calibration.json");
  REQUIRE(doc["bands"].size() >= 2);
  doc["bands"][1]["low_ratio"] = 1.5;
  doc["bands"][1]["high_ratio"] = 0.5;
  const std::string gpu = doc["bands"][1]["gpu_family"].get<std::string>();
  std::string message;
  try {
    hardware::calibration_from_json(doc, "calibration.json");
  } catch (const perfplan::InputError& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(contains(message, "bands[1] (gpu_family " + gpu + ", framework_family "));
  CHECK(contains(message, "low_ratio must be > 0 and at most high_ratio, got low_ratio 1.5, high_ratio 0.5"));
}

TEST_CASE("spec bounds: framework collective SMs above every GPU's, a 1e9 GiB reserve and 0-parameter buckets") {
  EditedSpecs specs;
  specs.edit("frameworks/megatron-core.json", [](json& d) {
    d["communication"]["collective_sm_count"] = 100000;
    d["memory"]["runtime_reserve_gib"] = 1e9;
    d["data_parallel"]["bucket_params_per_rank"] = 0;
  });
  const std::string message = specs.load_error();
  INFO(message);
  CHECK(contains(message, "frameworks/megatron-core.json: communication.collective_sm_count: must be at most 304 SMs, "
                          "the most of any GPU (MI300X) (got 100000)"));
  CHECK(contains(message, "memory.runtime_reserve_gib: must be between 0 and 64 GiB (got 1e+09)"));
  CHECK(contains(message, "data_parallel.bucket_params_per_rank: must be > 0 parameters (got 0)"));
  CHECK(contains(message, "3 problems"));
}
