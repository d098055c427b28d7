// `perfplan calibrate`: recovers a constant it can see, keeps priors it cannot, and the committed
// hardware_specs/calibration.json is exactly what it produces from the shared validation set.
#include <doctest/doctest.h>

#include <filesystem>

#include "perfplan/common/input_error.hpp"
#include "perfplan/hardware/hardware.hpp"
#include "perfplan/validation/calibrate.hpp"
#include "perfplan/validation/cross_validation.hpp"

using namespace perfplan;

namespace {

const hardware::HardwareCatalog& priors() {
  static const auto catalog =
      hardware::HardwareCatalog::load(hardware::default_hardware_directory(), hardware::CalibrationUse::kPriors);
  return catalog;
}

}  // namespace

TEST_CASE("calibrate recovers the A100 GEMM efficiency that produced the 'measured' times") {
  // The fixture's fully specified A100 case at four global batches in fp16 with unfused attention
  // (so no attention constant enters), its measured time replaced by the prediction with
  // gemm_efficiency 0.62 (inside the bounds, away from the prior 0.80). GEMM-bound steps leave
  // the host-launch constant unseen: it must keep its prior.
  const auto base = validation::load_validation_cases(std::string(PERFPLAN_TEST_DATA_DIR) + "/validation_small.json", priors());
  REQUIRE(base.front().id == "small-gpt-dense-a100");
  hardware::HardwareCatalog truth = priors();
  truth.set_constant("A100-SXM4-80GB.gemm_efficiency", 0.62);
  std::vector<validation::ValidationCase> cases;
  for (int64_t gbs : {32, 64, 128, 256}) {
    validation::ValidationCase c = base.front();
    c.id += "-gbs" + std::to_string(gbs);
    c.config.global_batch_size = gbs;
    c.config.dtype = model::DType::kFp16;
    c.config.attention = model::AttentionKernel::kUnfused;
    c.measured_iteration_time_s = *validation::validate_case(c, truth).predicted_iteration_time_s;
    cases.push_back(c);
  }
  const validation::CalibrationFit fit = validation::calibrate(cases, priors());
  CHECK(fit.cases == 4);
  CHECK(fit.prior_objective > 0.05);
  CHECK(fit.objective < 0.005);
  bool seen = false;
  for (const auto& c : fit.constants) {
    if (c.constant.key == "A100-SXM4-80GB.gemm_efficiency") {
      seen = true;
      CHECK(c.fitted);
      CHECK(c.cases == 4);
      CHECK(c.value == doctest::Approx(0.62).epsilon(0.01));
    }
    if (c.constant.key == "megatron-core.host.launch_us") CHECK(c.value == c.constant.prior);
    if (c.constant.key == "H100-SXM5-80GB.gemm_efficiency") {
      CHECK_FALSE(c.fitted);  // no H100 case: the prior stays
      CHECK(c.value == 0.75);
    }
  }
  CHECK(seen);
  // Bounds are enforced where constants are set.
  hardware::HardwareCatalog copy = priors();
  CHECK_THROWS_AS(copy.set_constant("A100-SXM4-80GB.gemm_efficiency", 0.99), InputError);
  CHECK_THROWS_AS(copy.set_constant("A100-SXM4-80GB.no_such_field", 0.7), InputError);
}

TEST_CASE("the committed calibration.json is what calibrate --write produces from ../shared/validation") {
  const std::filesystem::path shared(PERFPLAN_SHARED_VALIDATION_DIR);
  if (!std::filesystem::is_directory(shared)) {
    MESSAGE("skipped: " << shared << " is not beside the checkout");
    return;
  }
  const auto cases = validation::load_validation_cases(shared, priors());
  const auto fit = validation::calibrate(cases, priors());
  const hardware::Calibration produced = validation::full_calibration(cases, priors(), fit);
  const auto committed = hardware::HardwareCatalog::load(hardware::default_hardware_directory()).calibration();
  CHECK(committed.command == produced.command);
  CHECK(committed.fitted_on == produced.fitted_on);
  CHECK(committed.cases == produced.cases);
  CHECK(committed.residual == produced.residual);
  CHECK(committed.constants == produced.constants);
  REQUIRE(committed.bands.size() == produced.bands.size());
  for (size_t i = 0; i < committed.bands.size(); ++i) {
    CAPTURE(committed.bands[i].band.basis);
    CHECK(committed.bands[i].gpu_family == produced.bands[i].gpu_family);
    CHECK(committed.bands[i].framework_family == produced.bands[i].framework_family);
    CHECK(committed.bands[i].band.low_ratio == produced.bands[i].band.low_ratio);
    CHECK(committed.bands[i].band.high_ratio == produced.bands[i].band.high_ratio);
    CHECK(committed.bands[i].band.cases == produced.bands[i].band.cases);
  }
}

TEST_CASE("cross-validation does not depend on the number of threads") {
  const auto cases = validation::load_validation_cases(std::string(PERFPLAN_TEST_DATA_DIR) + "/validation_small.json", priors());
  // Two folds: split the fixture's cases by framework.
  const auto one = validation::cross_validate(cases, priors(), priors(), validation::FoldBy::kFramework, 1);
  const auto two = validation::cross_validate(cases, priors(), priors(), validation::FoldBy::kFramework, 2);
  REQUIRE(one.out_of_sample.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].id);
    CHECK(one.out_of_sample[i].error_pct == two.out_of_sample[i].error_pct);
    CHECK(one.fold_of[i] == two.fold_of[i]);
  }
  CHECK(one.out_of_sample_summary.median_pct == two.out_of_sample_summary.median_pct);
}
