// Every catalog model on every catalog cluster, over a spread of layouts: a prediction is either
// a clear InputError or finite, positive and self-consistent (never NaN, never a crash).
#include <doctest/doctest.h>

#include <cmath>

#include "perfplan/model/catalog.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/predictor/predict.hpp"


using namespace perfplan;

TEST_CASE("predict over catalog models, clusters and layouts stays finite and consistent") {
  const auto catalog = model::Catalog::load(model::default_catalog_directory());
  const auto hardware = hardware::HardwareCatalog::load(hardware::default_hardware_directory());
  struct Layout {
    int64_t tp, pp, cp, ep, vp;
    model::Recompute recompute;
    model::DType dtype;
    int zero;
  };
  const Layout layouts[] = {
      {1, 1, 1, 1, 1, model::Recompute::kNone, model::DType::kBf16, 0},
      {8, 1, 1, 1, 1, model::Recompute::kSelective, model::DType::kBf16, 1},
      {4, 4, 2, 1, 2, model::Recompute::kFull, model::DType::kFp8, 1},
      {2, 2, 1, 8, 1, model::Recompute::kNone, model::DType::kFp8, 1},
      {1, 1, 1, 1, 1, model::Recompute::kNone, model::DType::kBf16, 3},
  };
  int predicted = 0, rejected = 0;
  for (const auto& cluster_spec : hardware.clusters()) {
    const auto cluster = hardware.cluster(cluster_spec.name, 128);
    for (const auto& entry : catalog.entries()) {
      for (const auto& l : layouts) {
        predictor::ParallelConfig c;
        c.tp = l.tp;
        c.pp = l.pp;
        c.cp = l.cp;
        c.ep = l.ep;
        c.vp = l.vp;
        c.schedule = l.vp > 1 ? predictor::PipelineSchedule::kInterleaved : predictor::PipelineSchedule::kOneFOneB;
        c.sequence_parallel = l.tp > 1;
        c.dp = 128 / (l.tp * l.pp * l.cp);
        c.global_batch_size = c.dp * 8;
        c.seq_len = 4096;
        c.recompute = l.recompute;
        c.dtype = l.dtype;
        c.zero_stage = l.zero;
        c.distributed_optimizer = l.zero >= 1;
        CAPTURE(entry.name);
        CAPTURE(cluster.name);
        CAPTURE(l.tp);
        CAPTURE(l.ep);
        const auto outcome = predictor::predict(entry.architecture, cluster, hardware.framework(), c);
        const bool dtype_missing = (l.dtype == model::DType::kFp8 && !(cluster.gpu.peak_fp8_flops_per_s > 0)) ||
                                   (l.dtype == model::DType::kBf16 && !(cluster.gpu.peak_bf16_flops_per_s > 0));
        if (dtype_missing) {
          // A GPU without tensor cores of the dtype (FP8 on A100, bf16 on V100) runs nothing in it.
          REQUIRE_FALSE(outcome.feasible());
          const std::string& detail = outcome.infeasible().detail;
          CHECK((detail.find(cluster.gpu.name + " has no ") == 0 ||  // else the layout was already invalid
                 detail.find("invalid parallel layout for " + entry.architecture.name) == 0));
          ++rejected;
        } else if (outcome.feasible()) {
          const auto& p = outcome.value();
          ++predicted;
          CHECK(std::isfinite(p.iteration_time_s));
          CHECK(p.iteration_time_s > 0);
          CHECK(p.mfu > 0);
          CHECK(p.mfu < 1);
          CHECK(std::isfinite(p.memory.peak.total_bytes()));
          CHECK(p.tokens_per_s == doctest::Approx(static_cast<double>(c.global_batch_size * c.seq_len) / p.iteration_time_s));
        } else {
          ++rejected;
          CHECK(outcome.infeasible().detail.find("invalid parallel layout for " + entry.architecture.name) == 0);
        }
      }
    }
  }
  CHECK(predicted > 200);
  MESSAGE("predicted " << predicted << ", rejected " << rejected);
}
