// The published-run reader: a measured figure present but invalid skips its case saying why (null
// keeps meaning "not published"), layout integers are checked against their real ranges, and
// case ids are unique (campaign findings 7, 8, 10, 13).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/common/json_file.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/validation.hpp"

using namespace perfplan;
using nlohmann::json;

namespace {

const hardware::HardwareCatalog& specs() {
  static const auto catalog = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  return catalog;
}

std::filesystem::path fixture() { return std::filesystem::path(PERFPLAN_TEST_DATA_DIR) / "validation_small.json"; }

// The fixture's first case (every value printed) after `change`, written as `name` and read back.
std::vector<validation::ValidationCase> read_changed(const std::string& name, const std::function<void(json&)>& change,
                                                     int copies = 1) {
  const json base = common::read_json_file(fixture())["cases"][0];
  json doc = {{"source", "test"}, {"cases", json::array()}};
  for (int i = 0; i < copies; ++i) {
    json c = base;
    change(c);
    doc["cases"].push_back(c);
  }
  const auto path = std::filesystem::temp_directory_path() / ("perfplan_test_" + name + ".json");
  std::ofstream(path) << doc.dump(2);
  auto cases = validation::load_validation_cases(path, specs());
  std::filesystem::remove(path);
  return cases;
}

std::string skip_reason(const std::string& name, const std::function<void(json&)>& change) {
  return read_changed(name, change).front().skip_reason;
}

}  // namespace

TEST_CASE("A published time, MFU or memory figure present but invalid skips the case with the reason") {
  const std::string time = "derived.iteration_time_s must be a number in [0.0001, 100000] s or null, got ";
  CHECK(skip_reason("time_string", [](json& c) { c["derived"]["iteration_time_s"] = "0.45"; }) == time + "\"0.45\"");
  CHECK(skip_reason("time_negative", [](json& c) { c["derived"]["iteration_time_s"] = -0.45; }) == time + "-0.45");
  CHECK(skip_reason("time_zero", [](json& c) { c["derived"]["iteration_time_s"] = 0; }) == time + "0");
  CHECK(skip_reason("time_tiny", [](json& c) { c["derived"]["iteration_time_s"] = 1e-300; }) == time + "1e-300");
  CHECK(skip_reason("time_huge", [](json& c) { c["derived"]["iteration_time_s"] = 1e300; }) == time + "1e+300");
  CHECK(skip_reason("mfu", [](json& c) { c["measured"]["mfu"] = 4.1; }) ==
        "measured.mfu must be a number in (0, 1] (a fraction of peak) or null, got 4.1");
  CHECK(skip_reason("peak_negative", [](json& c) { c["measured"]["peak_memory_gib"] = -3; }) ==
        "measured.peak_memory_gib must be a number in (0, 1024] GiB or null, got -3");
  CHECK(skip_reason("peak_huge", [](json& c) { c["measured"]["peak_memory_gib"] = 1e9; }) ==
        "measured.peak_memory_gib must be a number in (0, 1024] GiB or null, got 1000000000.0");
  CHECK(skip_reason("split_negative", [](json& c) {
          c["measured"]["memory_breakdown_gib"] = {{"weights_gradients_optimizer", 30}, {"activations", -1}};
        }) == "measured.memory_breakdown_gib.activations must be a number in (0, 1024] GiB or null, got -1");
  // null is "not published": a memory-only case, read without a time and not skipped.
  const auto memory_only = read_changed("time_null", [](json& c) {
    c["derived"]["iteration_time_s"] = nullptr;
    c["measured"]["peak_memory_gib"] = 40;
  });
  CHECK(memory_only.front().skip_reason.empty());
  CHECK_FALSE(memory_only.front().measured_iteration_time_s);
  CHECK(memory_only.front().measured_peak_memory_gib == 40.0);
  // The fixture's own time is read as before.
  CHECK(read_changed("time_ok", [](json&) {}).front().measured_iteration_time_s == 1.0);
}

TEST_CASE("Layout integers in validation files are checked against their real ranges, gpus_per_node 0 included") {
  CHECK(skip_reason("gpn_zero", [](json& c) { c["cluster"]["gpus_per_node"] = 0; }) ==
        "cluster.gpus_per_node must be a whole number from 1 to 1048576, got 0");
  CHECK(skip_reason("gpn_fraction", [](json& c) { c["cluster"]["gpus_per_node"] = 8.5; }) ==
        "cluster.gpus_per_node must be a whole number from 1 to 1048576, got 8.5");
  CHECK(skip_reason("tp_negative", [](json& c) { c["parallel"]["tp"] = -1; }) ==
        "parallel.tp must be a whole number from 1 to 1048576, got -1");
  CHECK(skip_reason("tp_zero", [](json& c) { c["parallel"]["tp"] = 0; }) ==
        "parallel.tp must be a whole number from 1 to 1048576, got 0");
  CHECK(skip_reason("zero_stage", [](json& c) { c["parallel"]["zero_stage"] = 9; }) ==
        "parallel.zero_stage must be a whole number from 0 to 3, got 9");
}

TEST_CASE("A validation case id used twice is refused, naming the file and the id") {
  const auto path = std::filesystem::temp_directory_path() / "perfplan_test_duplicate_id.json";
  std::string message;
  try {
    read_changed(
        "duplicate_id", [](json&) {}, 2);
  } catch (const InputError& e) {
    message = e.what();
  }
  CHECK(message == path.string() + ": case id 'small-gpt-dense-a100' is used twice in this file; ids must be unique");
  std::filesystem::remove(path);
}

TEST_CASE("validation reader: an unknown key (a typo like parallel.recompte) is said in assumed, never silently dropped") {
  const auto cases = read_changed("unknown_key", [](json& c) {
    c["parallel"]["recompte"] = "full";
    c["measured"]["foo"] = 1;
  });
  REQUIRE(cases.size() == 1);
  const auto& assumed = cases.front().assumed;
  const auto has = [&](const std::string& text) { return std::find(assumed.begin(), assumed.end(), text) != assumed.end(); };
  CHECK(has("ignored key 'parallel.recompte' (not a key of the validation format)"));
  CHECK(has("ignored key 'measured.foo' (not a key of the validation format)"));
  // The fixture itself uses only the format's keys.
  const auto plain = read_changed("known_keys", [](json&) {});
  for (const auto& line : plain.front().assumed) CHECK(line.rfind("ignored key", 0) != 0);
}

TEST_CASE("validation reader: the committed published runs use only the format's keys") {
  const std::filesystem::path shared(PERFPLAN_SHARED_VALIDATION_DIR);
  if (!std::filesystem::is_directory(shared)) return;
  for (const auto& c : validation::load_validation_cases(shared, specs())) {
    CAPTURE(c.id);
    for (const auto& line : c.assumed) CHECK(line.rfind("ignored key", 0) != 0);
  }
}
