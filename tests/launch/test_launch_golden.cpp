// Whole launch configs against golden files: every line of what each framework is given, for the
// launch tests' dense layout (Llama-3.1-70B on 512 GPUs) and MoE layout (Mixtral 8x7B, ep 8). Regenerate with PERFPLAN_UPDATE_GOLDEN=1 after a
// deliberate change, and read the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "model/catalog_fixture.hpp"
#include "launch/layouts.hpp"
#include "perfplan/launch/launch_config.hpp"

using namespace perfplan;

namespace {

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PERFPLAN_GOLDEN_DIR) + "/" + name;
  if (std::getenv("PERFPLAN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << actual;
    return;
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing golden file " << path);
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(actual == expected.str());
}

}  // namespace

TEST_CASE("launch golden: Llama-3.1-70B on 512 GPUs, every framework") {
  for (const auto framework : {launch::LaunchFramework::kMegatron, launch::LaunchFramework::kMegatronBridge, launch::LaunchFramework::kNemo,
                               launch::LaunchFramework::kTorchtitan}) {
    CAPTURE(launch::to_string(framework));
    check_golden("llama-3.1-70b_512_" + launch::to_string(framework) + ".txt",
                 launch::render_launch_config(framework, test::arch("llama-3.1-70b"), test::llama70b_layout(), 512, 8));
  }
}

TEST_CASE("launch golden: Mixtral 8x7B with ep 8 on 16 GPUs, every framework") {
  for (const auto framework : {launch::LaunchFramework::kMegatron, launch::LaunchFramework::kMegatronBridge, launch::LaunchFramework::kNemo,
                               launch::LaunchFramework::kTorchtitan}) {
    CAPTURE(launch::to_string(framework));
    check_golden("mixtral-8x7b_16_" + launch::to_string(framework) + ".txt",
                 launch::render_launch_config(framework, test::arch("mixtral-8x7b"), test::mixtral_layout(), 16, 8));
  }
}
