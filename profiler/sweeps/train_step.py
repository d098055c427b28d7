#!/usr/bin/env python3
"""Training steps of a small Llama-style model on one GPU: the ground truth for the profiler's
overhead (run with and without CUDA_INJECTION64_PATH) and for `perfplan predict` on the same model.

    python3 profiler/sweeps/train_step.py --config-out step/config.json --result-out step/result.json
    perfplan predict --model step/config.json --cluster dgx-h100 --gpus 1 --mbs 4 --gbs 4 --seq 2048

Default model: 8 layers, hidden 2048, 16 heads with 4 KV heads (GQA), SwiGLU 5632, vocabulary
32000, sequence 2048, micro-batch 4; bf16 weights and activations, fused AdamW (PyTorch eager,
scaled_dot_product_attention). Each step runs inside the NVTX range "perfplan:step" and ends with
a synchronize inside it; the mean step time is measured with CUDA events after the warm-up steps.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    Module = nn.Module
except ImportError:  # --config-out still works: perfplan predict needs no GPU
    torch = None

    class Module:
        pass


class RMSNorm(Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        if hasattr(F, "rms_norm"):
            return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)
        variance = x.float().pow(2).mean(-1, keepdim=True)
        return (x.float() * torch.rsqrt(variance + self.eps)).to(x.dtype) * self.weight


def rotate_half(x):
    first, second = x.chunk(2, dim=-1)
    return torch.cat((-second, first), dim=-1)


class Attention(Module):
    def __init__(self, cfg):
        super().__init__()
        self.heads, self.kv_heads = cfg.heads, cfg.kv_heads
        self.head_dim = cfg.hidden // cfg.heads
        self.q = nn.Linear(cfg.hidden, cfg.heads * self.head_dim, bias=False)
        self.k = nn.Linear(cfg.hidden, cfg.kv_heads * self.head_dim, bias=False)
        self.v = nn.Linear(cfg.hidden, cfg.kv_heads * self.head_dim, bias=False)
        self.o = nn.Linear(cfg.heads * self.head_dim, cfg.hidden, bias=False)

    def forward(self, x, cos, sin):
        b, s, _ = x.shape
        q = self.q(x).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        k = self.k(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        groups = self.heads // self.kv_heads
        if groups > 1:  # GQA: share each KV head with `groups` query heads
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(out.transpose(1, 2).reshape(b, s, -1))


class Mlp(Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate = nn.Linear(cfg.hidden, cfg.ffn, bias=False)
        self.up = nn.Linear(cfg.hidden, cfg.ffn, bias=False)
        self.down = nn.Linear(cfg.ffn, cfg.hidden, bias=False)

    def forward(self, x):
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention_norm = RMSNorm(cfg.hidden, cfg.norm_eps)
        self.attention = Attention(cfg)
        self.mlp_norm = RMSNorm(cfg.hidden, cfg.norm_eps)
        self.mlp = Mlp(cfg)

    def forward(self, x, cos, sin):
        x = x + self.attention(self.attention_norm(x), cos, sin)
        return x + self.mlp(self.mlp_norm(x))


class Llama(Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed = nn.Embedding(cfg.vocab, cfg.hidden)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.norm = RMSNorm(cfg.hidden, cfg.norm_eps)
        self.lm_head = nn.Linear(cfg.hidden, cfg.vocab, bias=False)
        head_dim = cfg.hidden // cfg.heads
        inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, head_dim, 2).float() / head_dim))
        angles = torch.outer(torch.arange(cfg.seq).float(), inv_freq)
        angles = torch.cat((angles, angles), dim=-1)
        self.register_buffer("cos", angles.cos()[None, None], persistent=False)
        self.register_buffer("sin", angles.sin()[None, None], persistent=False)

    def forward(self, tokens, targets):
        x = self.embed(tokens)
        cos, sin = self.cos.to(x.dtype), self.sin.to(x.dtype)
        for block in self.blocks:
            x = block(x, cos, sin)
        logits = self.lm_head(self.norm(x))
        return F.cross_entropy(logits.float().view(-1, logits.shape[-1]), targets.view(-1))


def hf_config(cfg):
    """The model as a Hugging Face Llama config.json, for `perfplan predict --model`."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": cfg.hidden,
        "intermediate_size": cfg.ffn,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "num_key_value_heads": cfg.kv_heads,
        "vocab_size": cfg.vocab,
        "max_position_embeddings": cfg.seq,
        "hidden_act": "silu",
        "rms_norm_eps": cfg.norm_eps,
        "rope_theta": cfg.rope_theta,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "mlp_bias": False,
        "torch_dtype": "bfloat16",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--hidden", type=int, default=2048)
    parser.add_argument("--heads", type=int, default=16)
    parser.add_argument("--kv-heads", type=int, default=4)
    parser.add_argument("--ffn", type=int, default=5632)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--seq", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=4, help="micro-batch size in sequences (default 4)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20, help="timed steps after the warm-up (default 20)")
    parser.add_argument("--norm-eps", type=float, default=1e-5)
    parser.add_argument("--rope-theta", type=float, default=10000.0)
    parser.add_argument("--config-out", help="write the model's Hugging Face config.json here")
    parser.add_argument("--result-out", help="write the measured step times as JSON here")
    cfg = parser.parse_args()
    if cfg.hidden % cfg.heads or cfg.heads % cfg.kv_heads:
        sys.exit("train_step.py: --hidden must be a multiple of --heads, and --heads of --kv-heads")

    config = hf_config(cfg)
    if cfg.config_out:
        os.makedirs(os.path.dirname(os.path.abspath(cfg.config_out)), exist_ok=True)
        with open(cfg.config_out, "w") as f:
            json.dump(config, f, indent=2)
            f.write("\n")
    if torch is None:
        sys.exit("train_step.py: PyTorch is not installed (pip install torch); nothing measured")
    if not torch.cuda.is_available():
        sys.exit("train_step.py: no CUDA device (torch.cuda.is_available() is False); nothing measured")

    torch.manual_seed(0)
    model = Llama(cfg).to(device="cuda", dtype=torch.bfloat16)
    for module in model.modules():  # small init keeps bf16 training stable for a few steps
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, std=0.02)
    params = sum(p.numel() for p in model.parameters())
    try:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    except (TypeError, RuntimeError):
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    tokens = torch.randint(0, cfg.vocab, (cfg.batch, cfg.seq + 1), device="cuda")
    inputs, targets = tokens[:, :-1].contiguous(), tokens[:, 1:].contiguous()

    def step():
        loss = model(inputs, targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss

    print(f"# model layers={cfg.layers} hidden={cfg.hidden} heads={cfg.heads} kv_heads={cfg.kv_heads} "
          f"ffn={cfg.ffn} vocab={cfg.vocab} seq={cfg.seq} batch={cfg.batch} params={params} "
          f"gpu=\"{torch.cuda.get_device_name(0)}\" torch={torch.__version__} "
          f"injection={'yes' if os.environ.get('CUDA_INJECTION64_PATH') else 'no'}", flush=True)
    wall_start = time.perf_counter()
    seconds = []
    loss = None
    for i in range(cfg.warmup + cfg.steps):
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        torch.cuda.nvtx.range_push("perfplan:step")
        start.record()
        loss = step()
        end.record()
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_pop()
        if i >= cfg.warmup:
            seconds.append(start.elapsed_time(end) * 1e-3)
    mean = statistics.mean(seconds)
    stdev = statistics.stdev(seconds) if len(seconds) > 1 else 0.0
    # 6 * params * tokens (the usual dense-training FLOP count, attention excluded).
    tflops = 6.0 * params * cfg.batch * cfg.seq / mean * 1e-12
    print(f"mean_step_ms={mean * 1e3:.3f} median_step_ms={statistics.median(seconds) * 1e3:.3f} "
          f"stdev_ms={stdev * 1e3:.3f} steps={len(seconds)} tflops_6nd={tflops:.1f} "
          f"final_loss={loss.item():.4f} peak_mem_gib={torch.cuda.max_memory_allocated() / 2**30:.2f} "
          f"wall_s={time.perf_counter() - wall_start:.1f}", flush=True)
    if not math.isfinite(loss.item()):
        print("train_step.py: warning: the loss is not finite", file=sys.stderr)
    if cfg.result_out:
        os.makedirs(os.path.dirname(os.path.abspath(cfg.result_out)), exist_ok=True)
        with open(cfg.result_out, "w") as f:
            json.dump({"mean_step_s": mean, "median_step_s": statistics.median(seconds), "stdev_s": stdev,
                       "steps": len(seconds), "step_seconds": seconds, "params": params,
                       "micro_batch": cfg.batch, "seq": cfg.seq, "gpu": torch.cuda.get_device_name(0),
                       "torch": torch.__version__,
                       "injection": os.environ.get("CUDA_INJECTION64_PATH", ""), "config": config},
                      f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
