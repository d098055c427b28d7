#pragma once
// The layouts the launch tests write out: Meta's published Llama 3.1 70B-style one (tp 8 + sp,
// pp 4 x vp 5, dp 16 on 512 GPUs, gbs 512 at seq 8192) and a Mixtral 8x7B layout with ep 8.
#include "perfplan/predictor/parallel_config.hpp"

namespace perfplan::test {

inline predictor::ParallelConfig llama70b_layout() {
  using predictor::ParallelConfig;
  using predictor::PipelineSchedule;

  ParallelConfig c;
  c.tp = 8;
  c.sequence_parallel = true;
  c.pp = 4;
  c.vp = 5;
  c.schedule = PipelineSchedule::kInterleaved;
  c.dp = 16;
  c.micro_batch_size = 1;
  c.global_batch_size = 512;
  c.seq_len = 8192;
  c.dtype = model::DType::kBf16;
  c.recompute = model::Recompute::kSelective;
  c.distributed_optimizer = true;
  return c;
}

inline predictor::ParallelConfig mixtral_layout() {
  using predictor::ParallelConfig;
  ParallelConfig c;
  c.tp = 2;
  c.sequence_parallel = true;
  c.dp = 8;
  c.ep = 8;
  c.etp = 1;
  c.micro_batch_size = 1;
  c.global_batch_size = 64;
  c.seq_len = 4096;
  return c;
}

}  // namespace perfplan::test
