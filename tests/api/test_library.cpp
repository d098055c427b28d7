// The public API (perfplan/perfplan.hpp): data found without the source tree's help, predict /
// plan / throughput_matrix with the CLI's option names, bad input as InputError, and 16 threads
// calling all three at once getting exactly what one thread gets (run under ThreadSanitizer by
// `make tsan`).
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "perfplan/perfplan.hpp"

using namespace perfplan;

namespace {

const api::Library& library() {
  static const api::Library lib;
  return lib;
}

api::PlanOptions plan_options() {
  api::PlanOptions o;
  o.model = "llama-3.1-8b";
  o.cluster = "dgx-h100";
  o.gpus = 64;
  o.gbs = 256;
  o.seq = 4096;
  o.top = 3;
  o.threads = 1;
  return o;
}

api::PredictOptions predict_options() {
  api::PredictOptions o;
  o.model = "llama-3.1-70b";
  o.cluster = "dgx-h100";
  o.gpus = 512;
  o.tp = 8;
  o.pp = 4;
  o.vp = 5;
  o.sp = true;
  o.distributed_optimizer = true;
  o.recompute = "selective";
  o.mbs = 1;
  o.gbs = 512;
  o.seq = 8192;
  return o;
}

std::vector<api::Job> jobs() {
  return {{"8b", "llama-3.1-8b", 256, 4096, "bf16"}, {"mixtral", "mixtral-8x7b", 256, 4096, "bf16"}};
}

// What must be identical between runs: every number and layout a caller reads.
std::string fingerprint(const predictor::Prediction& p) {
  return std::to_string(p.iteration_time_s) + "/" + std::to_string(p.tokens_per_s) + "/" +
         std::to_string(p.memory.peak.total_bytes());
}
std::string fingerprint(const planner::PlanResult& r) {
  std::string out;
  for (const auto& c : r.top) out += predictor::to_string(c.config) + "=" + fingerprint(c.prediction) + ";";
  return out;
}
std::string fingerprint(const api::ThroughputMatrix& m) {
  std::string out;
  for (const auto& c : m.cells) {
    out += c.job + "/" + c.gpu_type + "/" + std::to_string(c.gpus) + "=" + c.layout_text + "@" +
           std::to_string(c.tokens_per_s) + c.empty_reason + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("api: predict with the CLI's names gives the CLI's numbers") {
  const auto p = library().predict(predict_options());
  CHECK(p.iteration_time_s > 0);
  CHECK(p.micro_batches == 32);  // 512 / (dp 16 x mbs 1)
  CHECK(p.band.has_value());
  // The same as the predictor called directly with the same layout.
  predictor::ParallelConfig c;
  c.tp = 8;
  c.pp = 4;
  c.vp = 5;
  c.dp = 16;
  c.sequence_parallel = true;
  c.distributed_optimizer = true;
  c.recompute = model::Recompute::kSelective;
  c.global_batch_size = 512;
  c.seq_len = 8192;
  c.schedule = predictor::PipelineSchedule::kInterleaved;
  const auto fw = library().framework("megatron-core");
  c.attention = model::parse_attention_kernel(fw.defaults.attention);
  const auto direct =
      predictor::predict(library().model("llama-3.1-70b"), library().cluster("dgx-h100", 512), fw, c).value();
  CHECK(p.iteration_time_s == doctest::Approx(direct.iteration_time_s).epsilon(1e-12));
}

TEST_CASE("api: plan and a model given as in-memory JSON") {
  const auto r = library().plan(plan_options());
  REQUIRE(r.top.size() == 3);
  CHECK(r.top.front().prediction.tokens_per_s >= r.top.back().prediction.tokens_per_s);
  const auto tiny = library().model_from_json(
      R"({"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 8, "num_attention_heads": 16,
          "num_key_value_heads": 8, "intermediate_size": 4096, "vocab_size": 32000, "max_position_embeddings": 4096})",
      "tiny");
  CHECK(tiny.num_layers == 8);
  CHECK_THROWS_AS(library().model_from_json("{not json", "bad"), InputError);
}

TEST_CASE("api: bad input is an InputError that says what was wrong") {
  auto o = plan_options();
  o.model = "no-such-model";
  CHECK_THROWS_AS(library().plan(o), InputError);
  o = plan_options();
  o.rank = "speed";
  CHECK_THROWS_WITH_AS(library().plan(o), doctest::Contains("speed"), InputError);
  o = plan_options();
  o.tp = -2;
  CHECK_THROWS_WITH_AS(library().plan(o), doctest::Contains("tp must be a positive degree"), InputError);
  auto p = predict_options();
  p.tp = 3;  // 64 heads do not split over 3
  CHECK_THROWS_AS(library().predict(p), InputError);
  CHECK_THROWS_AS(library().throughput_matrix(jobs(), {"no-such-cluster"}, {8}, "megatron-core"), InputError);
  CHECK_THROWS_AS(library().throughput_matrix(jobs(), {"dgx-h100"}, {0}, "megatron-core"), InputError);
}

TEST_CASE("api: the throughput matrix holds each job's best on each type and count, or why not") {
  const auto m = library().throughput_matrix(jobs(), {"dgx-h100", "dgx-a100"}, {8, 12, 64}, "megatron-core", 2);
  REQUIRE(m.cells.size() == 2 * 2 * 3);
  const auto& h100 = m.at("8b", "dgx-h100", 64);
  REQUIRE(h100.feasible);
  CHECK(h100.tokens_per_s_low < h100.tokens_per_s);
  CHECK(h100.tokens_per_s < h100.tokens_per_s_high);
  CHECK(h100.layout.num_gpus() == 64);
  // The cell is the plan's best for that request.
  auto o = plan_options();
  o.top = 1;
  const auto best = library().plan(o).top.front();
  CHECK(h100.layout_text == predictor::to_string(best.config));
  CHECK(h100.tokens_per_s == doctest::Approx(best.prediction.tokens_per_s));
  // H100 beats A100 on the same job and count; more GPUs give more throughput.
  CHECK(h100.tokens_per_s > m.at("8b", "dgx-a100", 64).tokens_per_s);
  CHECK(m.at("8b", "dgx-h100", 64).tokens_per_s > m.at("8b", "dgx-h100", 8).tokens_per_s);
  // 12 GPUs are not whole 8-GPU nodes: an empty cell with its reason.
  const auto& partial = m.at("mixtral", "dgx-h100", 12);
  CHECK_FALSE(partial.feasible);
  CHECK_FALSE(partial.empty_reason.empty());
  CHECK_THROWS_AS(m.at("8b", "dgx-h100", 16), std::out_of_range);
}

TEST_CASE("api: a GPU type that cannot run the job's dtype is an empty cell saying why, not an error of the matrix") {
  // bf16 on V100 (no bf16 tensor cores): the bench's 5-type matrix threw from planner::plan.
  const auto m = library().throughput_matrix(jobs(), {"dgx-h100", "dgx-v100"}, {8}, "megatron-core", 2);
  REQUIRE(m.cells.size() == 2 * 2);
  CHECK(m.at("8b", "dgx-h100", 8).feasible);
  const auto& v100 = m.at("8b", "dgx-v100", 8);
  CHECK_FALSE(v100.feasible);
  CHECK(v100.empty_reason.find("V100-SXM2-32GB has no bf16 tensor cores") == 0);
}

TEST_CASE("api: 16 threads calling predict, plan and throughput_matrix at once get what one thread gets") {
  const auto& lib = library();
  const std::string want_predict = fingerprint(lib.predict(predict_options()));
  const std::string want_plan = fingerprint(lib.plan(plan_options()));
  const std::string want_matrix = fingerprint(lib.throughput_matrix(jobs(), {"dgx-h100"}, {8, 16}, "megatron-core", 1));
  std::vector<std::string> got(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&, t]() {
      switch (t % 3) {
        case 0:
          got[t] = fingerprint(lib.predict(predict_options()));
          break;
        case 1:
          got[t] = fingerprint(lib.plan(plan_options()));
          break;
        default:
          got[t] = fingerprint(lib.throughput_matrix(jobs(), {"dgx-h100"}, {8, 16}, "megatron-core", 2));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 16; ++t) {
    CAPTURE(t);
    CHECK(got[t] == (t % 3 == 0 ? want_predict : t % 3 == 1 ? want_plan : want_matrix));
  }
}
