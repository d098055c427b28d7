// Launch configs: a layout written as Megatron-LM flags, NeMo 2.0 recipe overrides and a
// torchtitan TOML job config, with the names those projects use. The layout is Meta's published
// Llama 3.1 70B-style one (tp 8 + sp, pp 4 x vp 5, dp 16 on 512 GPUs, gbs 512 at seq 8192), and a
// Mixtral 8x7B layout with ep 8; what a framework cannot express is a comment, never a flag.
#include <doctest/doctest.h>

#include <string>

#include "perfplan/launch/launch_config.hpp"
#include "launch/layouts.hpp"
#include "model/catalog_fixture.hpp"
#include "perfplan/common/input_error.hpp"


using namespace perfplan;
using launch::LaunchFramework;
using predictor::ParallelConfig;
using predictor::PipelineSchedule;
using test::llama70b_layout;
using test::mixtral_layout;

namespace {

std::string render(launch::LaunchFramework framework, const std::string& model, const ParallelConfig& c) {
  return launch::render_launch_config(framework, test::arch(model), c, c.num_gpus(), 8);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("framework names: megatron, megatron-bridge, nemo, torchtitan, anything else is an InputError listing them") {
  CHECK(launch::parse_launch_framework("megatron") == launch::LaunchFramework::kMegatron);
  CHECK(launch::parse_launch_framework("megatron-bridge") == launch::LaunchFramework::kMegatronBridge);
  CHECK(launch::parse_launch_framework("NeMo") == launch::LaunchFramework::kNemo);
  CHECK(launch::parse_launch_framework("torchtitan") == launch::LaunchFramework::kTorchtitan);
  CHECK_THROWS_AS(launch::parse_launch_framework("deepspeed"), InputError);
  try {
    launch::parse_launch_framework("deepspeed");
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(contains(message, "deepspeed"));
    CHECK(contains(message, "megatron, megatron-bridge, nemo, torchtitan"));
  }
}

TEST_CASE("Llama-3.1-70B as Megatron-LM flags") {
  const std::string out = render(launch::LaunchFramework::kMegatron, "Llama-3.1-70B", llama70b_layout());
  CHECK(out.rfind("# perfplan", 0) == 0);
  CHECK(contains(out, "Llama-3.1-70B on 512 GPUs (64 nodes x 8)"));
  CHECK(contains(out, "torchrun --nnodes 64 --nproc_per_node 8 pretrain_gpt.py"));
  CHECK(contains(out, "--tensor-model-parallel-size 8"));
  CHECK(contains(out, "--pipeline-model-parallel-size 4"));
  // 80 layers in pp 4 x vp 5 = 20 chunks of 4.
  CHECK(contains(out, "--num-layers-per-virtual-pipeline-stage 4"));
  CHECK(contains(out, "--sequence-parallel"));
  CHECK(contains(out, "--use-distributed-optimizer"));
  CHECK(contains(out, "--group-query-attention"));
  CHECK(contains(out, "--num-query-groups 8"));
  // Llama 3.1's RoPE (base 500000, llama3 scaling x 8) and RMSNorm epsilon from its config.json.
  CHECK(contains(out, "--rotary-base 500000"));
  CHECK(contains(out, "--use-rope-scaling"));
  CHECK(contains(out, "--rope-scaling-factor 8"));
  CHECK(contains(out, "--norm-epsilon 1e-05"));
  CHECK(contains(out, "--micro-batch-size 1"));
  CHECK(contains(out, "--global-batch-size 512"));
  CHECK(contains(out, "--seq-length 8192"));
  CHECK(contains(out, "--recompute-granularity selective"));
  CHECK_FALSE(contains(out, "--recompute-method"));
  CHECK(contains(out, "--bf16"));
  CHECK(contains(out, "--num-layers 80"));
  CHECK(contains(out, "--hidden-size 8192"));
  CHECK(contains(out, "--ffn-hidden-size 28672"));
  CHECK(contains(out, "--num-attention-heads 64"));
  CHECK(contains(out, "--swiglu"));
  CHECK(contains(out, "--normalization RMSNorm"));
  CHECK(contains(out, "--position-embedding-type rope"));
  CHECK(contains(out, "--untie-embeddings-and-output-weights"));
  CHECK(contains(out, "--disable-bias-linear"));
  CHECK_FALSE(contains(out, "--num-experts"));
  // Every continuation line ends in a backslash except the last.
  CHECK(out.back() == '\n');
  CHECK(out[out.size() - 2] != '\\');
}

TEST_CASE("Llama-3.1-70B as NeMo 2.0 recipe overrides") {
  const std::string out = render(launch::LaunchFramework::kNemo, "Llama-3.1-70B", llama70b_layout());
  CHECK(out.rfind("# perfplan", 0) == 0);
  CHECK(contains(out, "recipe.trainer.strategy.tensor_model_parallel_size = 8"));
  CHECK(contains(out, "recipe.trainer.strategy.pipeline_model_parallel_size = 4"));
  CHECK(contains(out, "recipe.trainer.strategy.virtual_pipeline_model_parallel_size = 5"));
  CHECK(contains(out, "recipe.trainer.strategy.sequence_parallel = True"));
  CHECK(contains(out, "recipe.trainer.num_nodes = 64"));
  CHECK(contains(out, "recipe.data.micro_batch_size = 1"));
  CHECK(contains(out, "recipe.data.global_batch_size = 512"));
  CHECK(contains(out, "recipe.data.seq_length = 8192"));
  CHECK(contains(out, "recipe.model.config.recompute_granularity = \"selective\""));
  CHECK(contains(out, "recipe.optim.config.use_distributed_optimizer = True"));
  CHECK(contains(out, "recipe.trainer.plugins = bf16_mixed()"));
}

TEST_CASE("Llama-3.1-70B as a torchtitan job config") {
  const std::string out = render(launch::LaunchFramework::kTorchtitan, "Llama-3.1-70B", llama70b_layout());
  CHECK(out.rfind("# perfplan", 0) == 0);
  CHECK(contains(out, "tensor_parallel_degree = 8"));
  CHECK(contains(out, "pipeline_parallel_degree = 4"));
  CHECK(contains(out, "pipeline_parallel_schedule = \"Interleaved1F1B\""));
  CHECK(contains(out, "pipeline_parallel_layers_per_stage = 4"));
  CHECK(contains(out, "pipeline_parallel_microbatch_size = 1"));
  // With PP, a data-parallel rank's batch is gbs / dp = 32 sequences, split into 32 micro-batches.
  CHECK(contains(out, "local_batch_size = 32"));
  CHECK(contains(out, "global_batch_size = 512"));
  CHECK(contains(out, "seq_len = 8192"));
  CHECK(contains(out, "mode = \"selective\""));
  // torchtitan has no DDP next to TP / PP: data parallelism is FSDP over dp 16, with a note.
  CHECK(contains(out, "data_parallel_shard_degree = 16"));
  CHECK(contains(out, "data_parallel_replicate_degree = 1"));
  CHECK(contains(out, "# torchtitan runs DDP only when data parallelism is the only dimension"));
}

TEST_CASE("ZeRO-3 is FSDP over dp in torchtitan, DDP when data parallelism stands alone") {
  ParallelConfig c;
  c.dp = 8;
  c.global_batch_size = 64;
  c.seq_len = 4096;
  c.zero_stage = 3;
  std::string out = render(launch::LaunchFramework::kTorchtitan, "Llama-3.1-8B", c);
  CHECK(contains(out, "data_parallel_replicate_degree = 1"));
  CHECK(contains(out, "data_parallel_shard_degree = 8"));
  // No PP: one micro-batch per rank, torchtitan accumulates 64 / (8 x 1) = 8 of them.
  CHECK(contains(out, "local_batch_size = 1"));
  c.zero_stage = 0;
  out = render(launch::LaunchFramework::kTorchtitan, "Llama-3.1-8B", c);
  CHECK(contains(out, "data_parallel_replicate_degree = 8"));
  CHECK(contains(out, "data_parallel_shard_degree = 1"));
}

TEST_CASE("Mixtral 8x7B with ep 8: expert flags in every framework") {
  const ParallelConfig c = mixtral_layout();
  const std::string megatron = render(launch::LaunchFramework::kMegatron, "Mixtral-8x7B", c);
  CHECK(contains(megatron, "--expert-model-parallel-size 8"));
  CHECK(contains(megatron, "--expert-tensor-parallel-size 1"));
  CHECK(contains(megatron, "--num-experts 8"));
  CHECK(contains(megatron, "--moe-router-topk 2"));
  CHECK(contains(megatron, "--moe-ffn-hidden-size 14336"));
  CHECK(contains(megatron, "--moe-token-dispatcher-type alltoall"));
  CHECK_FALSE(contains(megatron, "--moe-layer-freq"));  // every layer is MoE: Megatron's default

  const std::string nemo = render(launch::LaunchFramework::kNemo, "Mixtral-8x7B", c);
  CHECK(contains(nemo, "recipe.trainer.strategy.expert_model_parallel_size = 8"));
  CHECK(contains(nemo, "recipe.trainer.strategy.expert_tensor_parallel_size = 1"));

  const std::string titan = render(launch::LaunchFramework::kTorchtitan, "Mixtral-8x7B", c);
  CHECK(contains(titan, "expert_parallel_degree = 8"));
  CHECK(contains(titan, "expert_tensor_parallel_degree = 1"));
}

TEST_CASE("the flex dispatcher is Megatron's flex token dispatcher with DeepEP") {
  ParallelConfig c = mixtral_layout();
  c.moe_dispatcher = predictor::MoeDispatcher::kFlex;
  const std::string out = render(launch::LaunchFramework::kMegatron, "Mixtral-8x7B", c);
  CHECK(contains(out, "--moe-token-dispatcher-type flex"));
  CHECK(contains(out, "--moe-enable-deepep"));
}

TEST_CASE("DeepSeek-V3: dense first layers become a --moe-layer-freq pattern, MLA its own flags") {
  ParallelConfig c;
  c.tp = 1;
  c.pp = 1;
  c.dp = 64;
  c.ep = 64;
  c.global_batch_size = 64;
  c.seq_len = 4096;
  c.zero_stage = 1;
  const std::string out = render(launch::LaunchFramework::kMegatron, "DeepSeek-V3", c);
  // DeepSeek-V3: first_k_dense_replace = 3 of 61 layers.
  CHECK(contains(out, "--moe-layer-freq \"([0]*3+[1]*58)\""));
  CHECK(contains(out, "--multi-latent-attention"));
  CHECK(contains(out, "--kv-lora-rank 512"));
  CHECK(contains(out, "--q-lora-rank 1536"));
  CHECK_FALSE(contains(out, "--num-query-groups"));
}

TEST_CASE("full recompute, fp8 and ZB-H1 in Megatron-LM terms") {
  ParallelConfig c = llama70b_layout();
  c.recompute = model::Recompute::kFull;
  c.dtype = model::DType::kFp8;
  c.vp = 1;
  c.schedule = PipelineSchedule::kZeroBubbleH1;
  const std::string out = render(launch::LaunchFramework::kMegatron, "Llama-3.1-70B", c);
  CHECK(contains(out, "--recompute-granularity full"));
  CHECK(contains(out, "--recompute-method uniform"));
  CHECK(contains(out, "--recompute-num-layers 1"));
  CHECK(contains(out, "--fp8-format hybrid"));
  CHECK_FALSE(contains(out, "--num-layers-per-virtual-pipeline-stage"));
  CHECK(contains(out, "# ZB-H1 (zero-bubble) is not a Megatron-LM flag"));

  const std::string titan = render(launch::LaunchFramework::kTorchtitan, "Llama-3.1-70B", c);
  CHECK(contains(titan, "pipeline_parallel_schedule = \"ZBVZeroBubble\""));
  // torchtitan v0.2.x names: the quantize.linear.float8 converter (torchtitan/config/job_config.py).
  CHECK(contains(titan, "converters = [\"quantize.linear.float8\"]"));
  CHECK_FALSE(contains(titan, "[float8]"));
  CHECK(contains(titan, "torchtitan v0.2.2 TOML"));
  CHECK(contains(titan, "mode = \"full\""));
}

TEST_CASE("a layout that does not fit the GPUs or whole nodes is an InputError") {
  const ParallelConfig c = llama70b_layout();
  CHECK_THROWS_AS(launch::render_launch_config(launch::LaunchFramework::kMegatron, test::arch("Llama-3.1-70B"), c, 256, 8),
                  InputError);
  ParallelConfig odd;
  odd.dp = 12;
  odd.global_batch_size = 12;
  CHECK_THROWS_AS(launch::render_launch_config(launch::LaunchFramework::kMegatron, test::arch("Llama-3.1-8B"), odd, 12, 8),
                  InputError);
  CHECK_THROWS_AS(launch::render_launch_config(launch::LaunchFramework::kNemo, test::arch("Llama-3.1-8B"), odd, 12, 0),
                  InputError);
}

TEST_CASE("Megatron-LM: the planner's layer splits as Megatron's own flags, CUDA_DEVICE_MAX_CONNECTIONS with TP") {
  ParallelConfig c = llama70b_layout();
  CHECK(contains(render(launch::LaunchFramework::kMegatron, "Llama-3.1-70B", c), "export CUDA_DEVICE_MAX_CONNECTIONS=1\n"));
  // 126 layers + embedding + loss = 128 slots over pp 8 x vp 8.
  c.pp = 8;
  c.vp = 8;
  c.dp = 8;
  c.embedding_in_split = c.loss_in_split = true;
  const std::string split = render(launch::LaunchFramework::kMegatron, "Llama-3.1-405B", c);
  CHECK(contains(split, "--account-for-embedding-in-pipeline-split"));
  CHECK(contains(split, "--account-for-loss-in-pipeline-split"));
  CHECK(contains(split, "--num-virtual-stages-per-pipeline-rank 8"));
  CHECK_FALSE(contains(split, "--num-layers-per-virtual-pipeline-stage"));
  // An explicit uneven layout: embedding on the first stage, the loss on the last.
  ParallelConfig uneven = llama70b_layout();
  uneven.pp = 4;
  uneven.vp = 1;
  uneven.dp = 16;
  uneven.schedule = PipelineSchedule::kOneFOneB;
  uneven.stage_layers = {15, 16, 16, 14};
  const std::string layout = render(launch::LaunchFramework::kMegatron, "DeepSeek-V3", uneven);
  CHECK(contains(layout, "--pipeline-model-parallel-layout \"E" + std::string(15, 't') + "|" + std::string(16, 't') +
                             "|" + std::string(16, 't') + "|" + std::string(14, 't') + "L\""));
}

TEST_CASE("launch configs: a newline in a model name cannot start a command or break the TOML") {
  model::Architecture arch = test::arch("Llama-3.1-70B");
  arch.name = "Evil\necho INJECTED\r\x7f";
  const ParallelConfig c = llama70b_layout();
  for (const auto framework : {LaunchFramework::kMegatron, LaunchFramework::kMegatronBridge, LaunchFramework::kNemo,
                               LaunchFramework::kTorchtitan}) {
    CAPTURE(launch::to_string(framework));
    const std::string text = launch::render_launch_config(framework, arch, c, c.num_gpus(), 8);
    // Every line that mentions the injected text is a comment or the escaped TOML string.
    size_t at = 0;
    int seen = 0;
    while ((at = text.find("echo INJECTED", at)) != std::string::npos) {
      const size_t line_start = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
      const std::string line = text.substr(line_start, text.find('\n', at) - line_start);
      CAPTURE(line);
      CHECK((line.rfind("# ", 0) == 0 || line.find("\"perfplan: Evil\\u000aecho INJECTED\\u000d\\u007f\"") != std::string::npos));
      ++seen;
      ++at;
    }
    CHECK(seen >= 1);
    CHECK(text.find('\r') == std::string::npos);
    CHECK(text.find('\x7f') == std::string::npos);
  }
}
