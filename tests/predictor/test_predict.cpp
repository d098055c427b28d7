// Step composition on a hand-built cluster with round numbers (so the tests do not move when the
// catalog's calibration does): per-operator roofline times add up to the iteration, the pipeline
// part follows the schedules' closed forms, recomputation adds one forward, MFU and throughput
// are the textbook ratios, and a bad layout is an InputError saying what is accepted.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "perfplan/model/hf_config.hpp"
#include "perfplan/common/input_error.hpp"
#include "perfplan/model/step_operators.hpp"
#include "perfplan/predictor/compute_model.hpp"
#include "perfplan/predictor/collectives.hpp"
#include "perfplan/predictor/predict.hpp"


using namespace perfplan;
using predictor::ParallelConfig;
using predictor::PipelineSchedule;
using predictor::Prediction;

namespace {

constexpr double kPeakFlopsPerS = 100e12;
constexpr double kHbmBytesPerS = 1e12;
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// 100 TFLOP/s in every tensor type, 1 TB/s HBM, every efficiency 1 and no launch floor. One SM:
// each 128 x 128 tile is its own wave, so with dimensions in multiples of 128 the wave
// efficiency is exactly 1 (a large SM count would instead leave small GEMMs a partial wave).
hardware::GpuSpec round_gpu() {
  hardware::GpuSpec gpu;
  gpu.name = "round-gpu";
  gpu.source = "test";
  gpu.peak_fp32_flops_per_s = kPeakFlopsPerS;
  gpu.peak_tf32_flops_per_s = kPeakFlopsPerS;
  gpu.peak_bf16_flops_per_s = kPeakFlopsPerS;
  gpu.peak_fp16_flops_per_s = kPeakFlopsPerS;
  gpu.peak_fp8_flops_per_s = kPeakFlopsPerS;
  gpu.sm_count = 1;
  gpu.hbm_bytes = 80.0 * kGiB;
  gpu.hbm_bytes_per_s = kHbmBytesPerS;
  gpu.l2_bytes = 50e6;
  gpu.nvlink_bytes_per_s = 100e9;
  gpu.gemm_efficiency = 1.0;
  gpu.fp8_gemm_efficiency = 1.0;
  gpu.attention_efficiency = 1.0;
  gpu.hbm_efficiency = 1.0;
  gpu.kernel_launch_s = 0.0;
  return gpu;
}

hardware::LinkSpec round_link(const char* name, hardware::LinkKind kind, double bytes_per_s) {
  hardware::LinkSpec link;
  link.name = name;
  link.kind = kind;
  link.bandwidth_bytes_per_s = bytes_per_s;
  link.latency_s = 0.0;
  link.all_reduce_efficiency = 1.0;
  link.all_gather_efficiency = 1.0;
  link.all_to_all_efficiency = 1.0;
  link.p2p_efficiency = 1.0;
  return link;
}

// Eight GPUs per node; `link_bytes_per_s` for both tiers (huge: communication is free).
hardware::ClusterSpec round_cluster(int64_t num_gpus, double link_bytes_per_s = 100e9) {
  hardware::ClusterSpec cluster;
  cluster.name = "round-cluster";
  cluster.gpu = round_gpu();
  cluster.gpus_per_node = 8;
  cluster.nvlink_domain_size = 8;
  cluster.nics_per_node = 8;
  cluster.intra_node = round_link("round-nvlink", hardware::LinkKind::kNvlink, link_bytes_per_s);
  cluster.inter_node = round_link("round-ib", hardware::LinkKind::kInfiniband, link_bytes_per_s);
  cluster.num_gpus = num_gpus;
  return cluster;
}

constexpr double kFreeLinks = 1e30;

// A small Llama: 8 layers (so pp 4 x vp 2 splits evenly), every GEMM dimension a multiple of 128.
model::Architecture small_llama() {
  const nlohmann::json config = {{"model_type", "llama"},       {"hidden_size", 512},
                                 {"num_hidden_layers", 8},      {"num_attention_heads", 8},
                                 {"num_key_value_heads", 8},    {"intermediate_size", 1536},
                                 {"vocab_size", 1024},          {"max_position_embeddings", 4096},
                                 {"tie_word_embeddings", false}};
  return model::architecture_from_hf_config(config, "small-llama");
}

// ~400B parameters: never fits one 80 GiB GPU.
model::Architecture huge_llama() {
  const nlohmann::json config = {{"model_type", "llama"},    {"hidden_size", 16384},
                                 {"num_hidden_layers", 126}, {"num_attention_heads", 128},
                                 {"num_key_value_heads", 8}, {"intermediate_size", 53248},
                                 {"vocab_size", 128256},     {"max_position_embeddings", 131072}};
  return model::architecture_from_hf_config(config, "huge-llama");
}

ParallelConfig layout(int64_t tp, int64_t pp, int64_t dp, int64_t global_batch) {
  ParallelConfig c;
  c.tp = tp;
  c.pp = pp;
  c.dp = dp;
  c.micro_batch_size = 1;
  c.global_batch_size = global_batch;
  c.seq_len = 1024;
  c.dtype = model::DType::kBf16;
  return c;
}

// Forward and backward kernel seconds of one micro-batch through the whole model, summed from
// the roofline times of the step's operators.
struct PassTimes {
  double forward_s = 0;
  double backward_s = 0;
  double layers_forward_s = 0;  // the transformer layers' share of forward_s
};

PassTimes roofline_pass_times(const model::StepOperators& step, model::DType dtype, const hardware::GpuSpec& gpu) {
  const predictor::RooflineModel roofline;
  PassTimes out;
  auto add = [&](const std::vector<model::Operator>& ops, double times, bool layer) {
    for (const auto& op : ops) {
      const auto t = roofline.time(op, dtype, gpu);
      out.forward_s += times * t.forward_s;
      out.backward_s += times * t.backward_s;
      if (layer) out.layers_forward_s += times * t.forward_s;
    }
  };
  add(step.embedding, 1.0, false);
  for (const auto& kind : step.layer_kinds) add(kind.ops, static_cast<double>(kind.count), true);
  add(step.head, 1.0, false);
  return out;
}

// A stack with round figures: 25 us per eager kernel launch and 30 us per host sync (0 for a
// GPU that never waits on the host), NCCL on 16 SMs, Megatron's buckets of max(40M, 1M x DP)
// parameters, Adam (12 state bytes, 34 bytes streamed per step), no runtime reserve.
hardware::FrameworkSpec round_framework(double host_launch_s = 25e-6, double host_sync_s = 30e-6) {
  hardware::FrameworkSpec f;
  f.name = "round";
  f.host_launch_s = host_launch_s;
  f.host_sync_s = host_sync_s;
  f.collective_sm_count = 16;
  f.dp_bucket_min_params = 40e6;
  f.dp_bucket_params_per_rank = 1e6;
  f.optimizer = "adam";
  f.optimizer_state_bytes_per_parameter = 12;
  f.optimizer_step_bytes_per_parameter = 34;
  return f;
}

// The GPU never waits on the host here, so only kernels and communication take time.
const hardware::FrameworkSpec kKernelsOnly = round_framework(0.0, 0.0);

predictor::PredictOptions with_timeline() {
  predictor::PredictOptions options;
  options.timeline = true;
  return options;
}

Prediction predict_kernels_only(const model::Architecture& arch, const hardware::ClusterSpec& cluster,
                                const ParallelConfig& config) {
  return predictor::predict(arch, cluster, kKernelsOnly, config).value();
}

std::string predict_error(const model::Architecture& arch, const hardware::ClusterSpec& cluster,
                          const ParallelConfig& config) {
  const auto outcome = predictor::predict(arch, cluster, round_framework(), config);
  return outcome.feasible() ? std::string() : outcome.infeasible().detail;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The pipeline part of the iteration: everything before the data-parallel sync and optimizer.
double pipeline_part(const Prediction& p) { return p.iteration_time_s - p.time.dp_comm_s - p.time.optimizer_s; }

}  // namespace

TEST_CASE("predict: tp = pp = dp = 1: iteration = m * (forward + backward) + optimizer, by hand") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(1);
  const auto config = layout(1, 1, 1, 4);
  const auto p = predict_kernels_only(arch, cluster, config);

  const auto step = model::build_step_operators(arch, config.step_config());
  const PassTimes pass = roofline_pass_times(step, config.dtype, cluster.gpu);
  REQUIRE(pass.forward_s > 0);
  REQUIRE(pass.backward_s > pass.forward_s);
  // Adam streams 34 bytes per local parameter through HBM.
  const double parameters = model::step_totals(step).parameters;
  const double optimizer_s = parameters * 34.0 / kHbmBytesPerS;
  const double m = 4;

  CHECK(p.micro_batches == 4);
  CHECK(p.time.compute_s == doctest::Approx(m * (pass.forward_s + pass.backward_s)).epsilon(1e-12));
  CHECK(p.time.optimizer_s == doctest::Approx(optimizer_s).epsilon(1e-12));
  CHECK(p.time.recompute_s == 0);
  CHECK(p.time.tp_comm_s == 0);
  CHECK(p.time.cp_comm_s == 0);
  CHECK(p.time.ep_comm_s == 0);
  CHECK(p.time.pp_bubble_s == doctest::Approx(0.0));
  CHECK(p.time.pp_p2p_s == 0);
  CHECK(p.time.dp_comm_s == 0);
  CHECK(p.bubble_fraction == doctest::Approx(0.0));
  CHECK(p.iteration_time_s == doctest::Approx(m * (pass.forward_s + pass.backward_s) + optimizer_s).epsilon(1e-12));
}

TEST_CASE("predict: the breakdown adds up to the iteration time") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(8);
  auto config = layout(2, 2, 2, 16);
  config.sequence_parallel = true;
  // Default options: the host's kernel launches show too.
  const auto p = predictor::predict(arch, cluster, round_framework(), config).value();
  const auto& t = p.time;
  // Without TP overlap every part is on the critical path of the slowest stage: they add up.
  CHECK(p.iteration_time_s == doctest::Approx(t.compute_s + t.recompute_s + t.tp_comm_s + t.cp_comm_s + t.ep_comm_s +
                                              t.pp_bubble_s + t.pp_p2p_s + t.dp_comm_s + t.optimizer_s + t.host_s)
                                  .epsilon(1e-9));
  CHECK(t.tp_comm_s > 0);
  CHECK(t.host_s >= 0);
}

TEST_CASE("predict: doubling the global batch doubles the micro-batch work, the optimizer stays") {
  const auto arch = small_llama();
  SUBCASE("pp = 1: the pipeline part doubles exactly") {
    const auto cluster = round_cluster(1);
    const auto one = predict_kernels_only(arch, cluster, layout(1, 1, 1, 8));
    const auto two = predict_kernels_only(arch, cluster, layout(1, 1, 1, 16));
    CHECK(two.micro_batches == 2 * one.micro_batches);
    CHECK(pipeline_part(two) == doctest::Approx(2.0 * pipeline_part(one)).epsilon(1e-12));
    CHECK(two.time.optimizer_s == doctest::Approx(one.time.optimizer_s));
    CHECK(two.tokens_per_s > one.tokens_per_s);
  }
  SUBCASE("pp = 4, 1F1B: (m + p - 1) slots, so 8 -> 16 micro-batches scales it by 19/11") {
    const auto cluster = round_cluster(4, kFreeLinks);
    const auto one = predict_kernels_only(arch, cluster, layout(1, 4, 1, 8));
    const auto two = predict_kernels_only(arch, cluster, layout(1, 4, 1, 16));
    CHECK(pipeline_part(two) == doctest::Approx(pipeline_part(one) * 19.0 / 11.0).epsilon(1e-9));
    CHECK(pipeline_part(two) < 2.0 * pipeline_part(one));
    CHECK(two.time.optimizer_s == doctest::Approx(one.time.optimizer_s));
  }
}

TEST_CASE("predict: pp = 4 1F1B bubble is (p-1)/(m+p-1), interleaving with vp = 2 halves the bubble time") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(4, kFreeLinks);
  const double p = 4, m = 8;
  auto config = layout(1, 4, 1, 8);
  config.schedule = PipelineSchedule::kOneFOneB;
  const auto one_f_one_b = predict_kernels_only(arch, cluster, config);
  CHECK(one_f_one_b.micro_batches == 8);
  CHECK(one_f_one_b.bubble_fraction == doctest::Approx((p - 1) / (m + p - 1)).epsilon(1e-9));
  CHECK(one_f_one_b.time.pp_bubble_s > 0);
  CHECK(one_f_one_b.time.pp_p2p_s == doctest::Approx(0.0));

  config.vp = 2;
  config.schedule = PipelineSchedule::kInterleaved;
  const auto interleaved = predict_kernels_only(arch, cluster, config);
  CHECK(interleaved.time.pp_bubble_s == doctest::Approx(one_f_one_b.time.pp_bubble_s / 2.0).epsilon(1e-9));
  // Same work per stage (2 layers either way), so the busy time is unchanged.
  CHECK(interleaved.time.compute_s == doctest::Approx(one_f_one_b.time.compute_s).epsilon(1e-12));
  CHECK(interleaved.iteration_time_s < one_f_one_b.iteration_time_s);
}

TEST_CASE("predict: full recompute adds exactly the layers' forward kernels once more") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(1);
  auto config = layout(1, 1, 1, 2);
  const auto none = predict_kernels_only(arch, cluster, config);
  const auto step = model::build_step_operators(arch, config.step_config());
  const PassTimes pass = roofline_pass_times(step, config.dtype, cluster.gpu);

  config.recompute = model::Recompute::kFull;
  const auto full = predict_kernels_only(arch, cluster, config);
  const double m = 2;
  CHECK(none.time.recompute_s == 0);
  CHECK(full.time.recompute_s == doctest::Approx(m * pass.layers_forward_s).epsilon(1e-12));
  CHECK(full.time.compute_s == doctest::Approx(none.time.compute_s).epsilon(1e-12));
  CHECK(full.iteration_time_s - none.iteration_time_s == doctest::Approx(full.time.recompute_s).epsilon(1e-9));
  // Recomputation is hardware work, not model work.
  CHECK(full.model_flops_per_step == doctest::Approx(none.model_flops_per_step));
  CHECK(full.hardware_flops_per_step > full.model_flops_per_step);
  CHECK(full.mfu < none.mfu);
}

TEST_CASE("predict: MFU, TFLOP/s and throughput are the textbook ratios") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(4);
  auto config = layout(2, 1, 2, 8);
  // With SP the norms and residuals are split over TP too, so every operator's work is 1/tp.
  config.sequence_parallel = true;
  const auto p = predict_kernels_only(arch, cluster, config);
  const double gpus = 4, tokens = 8.0 * 1024.0;
  REQUIRE(p.iteration_time_s > 0);
  CHECK(p.mfu == doctest::Approx(p.model_flops_per_step / (p.iteration_time_s * gpus * kPeakFlopsPerS)));
  CHECK(p.hfu == doctest::Approx(p.hardware_flops_per_step / (p.iteration_time_s * gpus * kPeakFlopsPerS)));
  CHECK(p.model_tflops_per_gpu == doctest::Approx(p.model_flops_per_step / p.iteration_time_s / gpus / 1e12));
  CHECK(p.tokens_per_s == doctest::Approx(tokens / p.iteration_time_s));
  CHECK(p.tokens_per_s_per_gpu == doctest::Approx(tokens / p.iteration_time_s / gpus));
  CHECK(p.mfu > 0);
  CHECK(p.mfu <= 1.0);

  // Model FLOPs are the model's, not the layout's: the same as on one GPU, 8 micro-batches.
  const auto single = predict_kernels_only(arch, round_cluster(1), layout(1, 1, 1, 8));
  const auto step = model::build_step_operators(arch, layout(1, 1, 1, 8).step_config());
  CHECK(single.model_flops_per_step == doctest::Approx(8.0 * model::step_totals(step).model_flops()).epsilon(1e-12));
  CHECK(p.model_flops_per_step == doctest::Approx(single.model_flops_per_step).epsilon(1e-12));
}

TEST_CASE("predict: memory fits for a small model, not for ~400B parameters on one GPU") {
  const auto small = predict_kernels_only(small_llama(), round_cluster(1), layout(1, 1, 1, 1));
  CHECK(small.memory.fits);
  CHECK(small.memory.reason.empty());
  CHECK(small.memory.peak.total_bytes() > 0);
  CHECK(small.memory.peak.total_bytes() < 80.0 * kGiB);

  auto config = layout(1, 1, 1, 1);
  config.seq_len = 4096;
  const auto huge = predict_kernels_only(huge_llama(), round_cluster(1), config);
  CHECK_FALSE(huge.memory.fits);
  INFO("reason: " << huge.memory.reason);
  CHECK(contains(huge.memory.reason, "GiB"));
  CHECK(contains(huge.memory.reason, "round-gpu"));
  // 18 bytes per parameter of model state alone is several TiB.
  CHECK(huge.memory.peak.model_state_bytes() > 1024.0 * kGiB);
  // Not fitting is a value, not an error: the time is still predicted.
  CHECK(huge.iteration_time_s > 0);
}

TEST_CASE("predict: a layout that does not fit the GPUs, batch or layers is an InputError saying why") {
  const auto arch = small_llama();
  SUBCASE("tp x pp x dp x cp != GPUs") {
    const std::string why = predict_error(arch, round_cluster(4), layout(2, 1, 1, 1));
    INFO(why);
    CHECK(contains(why, "must equal the number of GPUs"));
    CHECK(contains(why, "(4)"));
  }
  SUBCASE("global batch not a multiple of dp x mbs") {
    const std::string why = predict_error(arch, round_cluster(2), layout(1, 1, 2, 3));
    INFO(why);
    CHECK(contains(why, "global batch 3"));
    CHECK(contains(why, "dp x mbs = 2"));
  }
  SUBCASE("pp x vp beyond the layers") {
    auto config = layout(1, 4, 1, 4);
    config.vp = 4;
    config.schedule = PipelineSchedule::kInterleaved;
    const std::string why = predict_error(arch, round_cluster(4), config);
    INFO(why);
    CHECK(contains(why, "pp x vp = 16"));
    CHECK(contains(why, "number of layers (8)"));
  }
  SUBCASE("the typed exception") {
    CHECK_THROWS_AS(predict_kernels_only(arch, round_cluster(4), layout(2, 1, 1, 1)), InputError);
  }
}

TEST_CASE("predict: the timeline has every stage, and each forward before its backward") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(4, kFreeLinks);
  const predictor::PredictOptions options = with_timeline();

  for (const bool interleaved : {false, true}) {
    CAPTURE(interleaved);
    auto config = layout(1, 4, 1, 8);
    if (interleaved) {
      config.vp = 2;
      config.schedule = PipelineSchedule::kInterleaved;
    }
    const auto p = predictor::predict(arch, cluster, kKernelsOnly, config, options).value();
    REQUIRE(!p.timeline.empty());
    CHECK(predict_kernels_only(arch, cluster, config).timeline.empty());  // only when asked

    // (stage, name without the kind letter) -> end of F, start of B.
    std::map<std::pair<int64_t, std::string>, double> forward_end, backward_start;
    std::map<int64_t, int> forwards, backwards, optimizers;
    double last_end = 0;
    for (const auto& e : p.timeline) {
      CHECK(e.stage >= 0);
      CHECK(e.stage < 4);
      CHECK(e.end_s >= e.start_s);
      last_end = std::max(last_end, e.end_s);
      const std::string key = e.name.substr(1);
      if (e.category == "forward") {
        CHECK(e.name[0] == 'F');
        forward_end[{e.stage, key}] = e.end_s;
        ++forwards[e.stage];
      } else if (e.category == "backward") {
        CHECK(e.name[0] == 'B');
        backward_start[{e.stage, key}] = e.start_s;
        ++backwards[e.stage];
      } else if (e.category == "optimizer") {
        ++optimizers[e.stage];
      }
    }
    const int per_stage = 8 * (interleaved ? 2 : 1);
    for (int64_t s = 0; s < 4; ++s) {
      CAPTURE(s);
      CHECK(forwards[s] == per_stage);
      CHECK(backwards[s] == per_stage);
      CHECK(optimizers[s] == 1);
    }
    REQUIRE(backward_start.size() == forward_end.size());
    for (const auto& entry : backward_start) {
      const int64_t stage = entry.first.first;
      const std::string micro_batch = entry.first.second;
      CAPTURE(stage);
      CAPTURE(micro_batch);
      REQUIRE(forward_end.count(entry.first) == 1);
      CHECK(forward_end.at(entry.first) <= entry.second);
    }
    // The optimizer closes the step: the timeline ends at the iteration time.
    CHECK(last_end == doctest::Approx(p.iteration_time_s).epsilon(1e-9));
  }
}

TEST_CASE("pipeline split with the embedding and the loss counted as layers: 22 layers in 24 slots") {
  ParallelConfig c;
  c.pp = 8;
  c.vp = 3;
  c.embedding_in_split = true;
  c.loss_in_split = true;
  const auto chunks = predictor::layers_per_chunk(22, c);
  REQUIRE(chunks.size() == 24);
  CHECK(chunks.front() == 0);  // the embedding's slot
  CHECK(chunks.back() == 0);   // the loss's slot
  int64_t sum = 0;
  for (int64_t n : chunks) sum += n;
  CHECK(sum == 22);
  c.loss_in_split = false;  // 23 slots do not divide by 24 chunks
  const auto arch = small_llama();
  CHECK(predictor::check_layout(arch, c, 8).has_value());
}

TEST_CASE("predict: an eager framework streams norms, rotary and activations its factor times over") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(1);
  const auto config = layout(1, 1, 1, 4);
  hardware::FrameworkSpec eager = kKernelsOnly;
  eager.eager_elementwise_factor = 3.0;
  const auto fused = predictor::predict(arch, cluster, kKernelsOnly, config).value();
  const auto chained = predictor::predict(arch, cluster, eager, config).value();
  // By hand: the chain operators' roofline times, twice more per micro-batch (4 of them).
  const auto step = model::build_step_operators(arch, config.step_config());
  const predictor::RooflineModel roofline;
  double chain_s = 0;
  auto add = [&](const std::vector<model::Operator>& ops, double times) {
    for (const auto& op : ops) {
      if (op.kind != model::OpKind::kNorm && op.kind != model::OpKind::kRotary && op.kind != model::OpKind::kActivation) continue;
      const auto t = roofline.time(op, config.dtype, cluster.gpu);
      chain_s += times * (t.forward_s + t.backward_s);
    }
  };
  add(step.embedding, 1.0);
  for (const auto& kind : step.layer_kinds) add(kind.ops, static_cast<double>(kind.count));
  add(step.head, 1.0);
  REQUIRE(chain_s > 0);
  CHECK(chained.time.compute_s - fused.time.compute_s == doctest::Approx(4.0 * 2.0 * chain_s));
}

TEST_CASE("predict: FSDP per unit by hand: each layer's gathers hide behind the previous layer, first and last exposed") {
  const auto arch = small_llama();
  auto cluster = round_cluster(2, 20e9);
  cluster.gpu.sm_count = 128;  // NCCL's 16 SMs are 1/8 of the GPU while a collective overlaps
  auto config = layout(1, 1, 2, 8);  // dp 2, 4 micro-batches of 1
  config.zero_stage = 3;
  const auto p = predict_kernels_only(arch, cluster, config);

  const auto step = model::build_step_operators(arch, config.step_config());
  const PassTimes pass = roofline_pass_times(step, config.dtype, cluster.gpu);
  const double params = model::step_totals(step).parameters;
  const predictor::GroupPlacement pair{2, 2};
  // bf16 weights gathered (2 bytes), fp32 main gradients reduce-scattered (4 bytes), per layer.
  const double L = 8;
  const double g = predictor::collective_time(model::CommKind::kAllGather, params * 2.0, pair, cluster) / L;
  const double r = predictor::collective_time(model::CommKind::kReduceScatter, params * 4.0, pair, cluster) / L;
  const double f = pass.forward_s / L, b = pass.backward_s / L;
  const double forward = g + (L - 1) * std::max(0.0, g - f);
  const double backward = g + r + (L - 1) * std::max(0.0, g + r - b);
  const double overlapped = (L - 1) * (std::min(g, f) + std::min(g + r, b));
  const double per_micro_batch = forward + backward + overlapped * 16.0 / 128.0;
  CHECK(p.time.dp_comm_s == doctest::Approx(4.0 * per_micro_batch));
  CHECK(p.time.dp_comm_s > 0);
}

TEST_CASE("predict: ZeRO-3 per tensor (DeepSpeed 0.3-0.5) by hand: every tensor's collective exposed, ring latency and copies each") {
  const auto arch = small_llama();
  auto cluster = round_cluster(2, 20e9);
  cluster.intra_node.latency_s = 2e-6;
  cluster.gpu.kernel_launch_s = 4e-6;
  auto config = layout(1, 1, 2, 8);  // dp 2, 4 micro-batches of 1
  config.zero_stage = 3;
  hardware::FrameworkSpec deepspeed = kKernelsOnly;
  deepspeed.zero3 = {true, 1e5, true};
  const auto p = predictor::predict(arch, cluster, deepspeed, config).value();

  const auto step = model::build_step_operators(arch, config.step_config());
  const double params = model::step_totals(step).parameters;
  const predictor::GroupPlacement pair{2, 2};
  const double gather = predictor::collective_time(model::CommKind::kAllGather, params * 2.0, pair, cluster);
  const double reduce = predictor::collective_time(model::CommKind::kReduceScatter, params * 4.0, pair, cluster);
  // Tensors: every operator with parameters is reduced; those of >= 1e5 parameters are also
  // gathered in forward and again in backward.
  double gathers = 0, reductions = 0;
  auto count = [&](const std::vector<model::Operator>& ops, double n) {
    for (const auto& op : ops) {
      if (op.parameters <= 0) continue;
      reductions += n;
      if (op.parameters >= 100000) gathers += n;
    }
  };
  count(step.embedding, 1.0);
  for (const auto& kind : step.layer_kinds) count(kind.ops, static_cast<double>(kind.count));
  count(step.head, 1.0);
  REQUIRE(gathers > 0);
  REQUIRE(reductions > gathers);
  // A flat ring of 2 ranks in one node: one intra-node latency; two list copies of the launch floor.
  const double per_collective = cluster.intra_node.latency_s + 2.0 * cluster.gpu.kernel_launch_s;
  const double per_micro_batch = 2.0 * gather + reduce + (2.0 * gathers + reductions) * per_collective;
  CHECK(p.time.dp_comm_s == doctest::Approx(4.0 * per_micro_batch));
  // Nothing hides: more than the prefetched per-unit model of the same layout exposes.
  CHECK(p.time.dp_comm_s > predict_kernels_only(arch, cluster, config).time.dp_comm_s + 4.0 * reductions * 2e-6);
}

TEST_CASE("predict: HSDP by hand: reduce-scatter and gather inside the node, the shards all-reduced across nodes") {
  const auto arch = small_llama();
  auto cluster = round_cluster(16, 20e9);
  cluster.inter_node.bandwidth_bytes_per_s = 5e9;
  auto config = layout(1, 1, 16, 16);  // dp 16 over 2 nodes, one micro-batch
  config.distributed_optimizer = true;
  config.overlap_grad_reduce = false;
  config.overlap_param_gather = false;
  config.shard_size = 8;
  const auto p = predict_kernels_only(arch, cluster, config);
  const double params = model::step_totals(model::build_step_operators(arch, config.step_config())).parameters;
  const predictor::GroupPlacement node{8, 8};    // 8 ranks, all in one NVLink domain
  const predictor::GroupPlacement across{2, 1};  // one rank per node
  const double rs = predictor::collective_time(model::CommKind::kReduceScatter, params * 4.0, node, cluster);
  const double ar = predictor::collective_time(model::CommKind::kAllReduce, params / 8.0 * 4.0, across, cluster);
  const double ag = predictor::collective_time(model::CommKind::kAllGather, params * 2.0, node, cluster);
  CHECK(p.time.dp_comm_s == doctest::Approx(rs + ar + ag));
  // A shard size that does not divide dp x cp is refused.
  config.shard_size = 3;
  CHECK(contains(predict_error(arch, cluster, config), "shard size 3 must divide dp x cp = 16"));
}

TEST_CASE("predict: ZeRO-2 reduce-scatters the gradients after every micro-batch, the distributed optimizer once per step") {
  const auto arch = small_llama();
  const auto cluster = round_cluster(8, 20e9);
  auto config = layout(1, 1, 8, 32);  // 4 micro-batches
  config.distributed_optimizer = true;
  config.overlap_grad_reduce = false;
  config.overlap_param_gather = false;
  config.zero_stage = 1;
  const auto once = predict_kernels_only(arch, cluster, config);
  config.zero_stage = 2;
  const auto each = predict_kernels_only(arch, cluster, config);
  const double params = model::step_totals(model::build_step_operators(arch, config.step_config())).parameters;
  const predictor::GroupPlacement node{8, 8};
  const double rs = predictor::collective_time(model::CommKind::kReduceScatter, params * 4.0, node, cluster);
  CHECK(each.time.dp_comm_s - once.time.dp_comm_s == doctest::Approx(3.0 * rs));
}
