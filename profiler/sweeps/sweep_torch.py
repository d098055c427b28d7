#!/usr/bin/env python3
"""Attention and memory-bound kernel sweep for the perfplan kernel database.

Run it under the injection library so CUPTI records every kernel with its NVTX range:

    CUDA_INJECTION64_PATH=build/profiler/libperfplan_inject.so PERFPLAN_PROFILE_OUT=torch.jsonl \
        python3 profiler/sweeps/sweep_torch.py

Each repetition of a case runs inside one NVTX range named as the kernel database expects
(predictor/include/perfplan/predictor/kernel_db.hpp):

    perfplan:attention:<dtype>:b=<b>,h=<heads>,s=<seq>,d=<head_dim>,causal=<0|1>,pass=<fwd|bwd>
    perfplan:<op>:<dtype>:[rows=<r>,width=<w>,]bytes=<bytes>   op: norm | activation | elementwise

`bytes` is the op's logical traffic, inputs read plus output written once (the count
model/src/op_builder.cpp uses), so an unfused implementation shows up as lower effective
bandwidth. Warm-ups run outside any perfplan range; the stream is synchronized before a range opens
and before it closes, because the injection library tags kernels by their GPU start time.
CUDA-event times are printed to stdout as a sanity check and as a CUPTI-less fallback.
Methodology: research/cupti-profiling.md section 5.1 and 5.3 (flash-attention's benchmark grid).
"""

import argparse
import statistics
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("sweep_torch.py: PyTorch is not installed (pip install torch); nothing measured")

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}
ELEMENT_BYTES = {"bf16": 2, "fp16": 2, "fp32": 4}


def time_case(name, args, run, prepare=None):
    """Runs `run` warmup times outside any range, then `repeats` times in the NVTX range `name`.

    `prepare` (untimed, outside the range) runs before every call, e.g. the forward pass that a
    backward measurement needs. Returns the CUDA-event times in seconds."""
    for _ in range(args.warmup):
        if prepare:
            prepare()
        run()
    torch.cuda.synchronize()
    seconds = []
    for _ in range(args.repeats):
        if prepare:
            prepare()
        torch.cuda.synchronize()
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        torch.cuda.nvtx.range_push(name)
        start.record()
        run()
        end.record()
        torch.cuda.synchronize()
        torch.cuda.nvtx.range_pop()
        seconds.append(start.elapsed_time(end) * 1e-3)
    return seconds


def report(name, seconds, extra=""):
    median = statistics.median(seconds)
    print(f"{name} median_us={median * 1e6:.2f} min_us={min(seconds) * 1e6:.2f} "
          f"max_us={max(seconds) * 1e6:.2f}{extra}", flush=True)
    return median


def attention_cases(args):
    """flash-attention's benchmark grid: batch x seq held at `tokens`, heads = model_dim / head_dim."""
    for model_dim in args.model_dims:
        for head_dim in args.head_dims:
            for seq in args.seqs:
                batch = max(1, args.tokens // seq)
                yield batch, model_dim // head_dim, seq, head_dim


def sweep_attention(args, dtype_name):
    dtype = DTYPES[dtype_name]
    for b, h, s, d in attention_cases(args):
        for causal in args.causal:
            shape = (b, h, s, d)
            try:
                q, k, v = (torch.randn(shape, device="cuda", dtype=dtype, requires_grad=True) for _ in range(3))
                grad = torch.randn(shape, device="cuda", dtype=dtype)
            except torch.cuda.OutOfMemoryError:
                print(f"attention {dtype_name} b={b} h={h} s={s} d={d} skipped: out of memory", flush=True)
                torch.cuda.empty_cache()
                continue
            tag = f"{dtype_name}:b={b},h={h},s={s},d={d},causal={int(causal)}"
            # Forward FLOPs as the database counts them: 4*b*h*s^2*d, times (s+1)/(2s) when causal.
            flops = 4.0 * b * h * s * s * d * ((s + 1) / (2 * s) if causal else 1.0)

            def forward():
                with torch.no_grad():
                    F.scaled_dot_product_attention(q, k, v, is_causal=causal)

            fwd = time_case(f"perfplan:attention:{tag},pass=fwd", args, forward)
            median = report(f"attention {tag} pass=fwd", fwd, f" tflops={flops / statistics.median(fwd) * 1e-12:.1f}")

            state = {}

            def prepare():
                q.grad = k.grad = v.grad = None
                state["out"] = F.scaled_dot_product_attention(q, k, v, is_causal=causal)

            def backward():
                state["out"].backward(grad)

            bwd = time_case(f"perfplan:attention:{tag},pass=bwd", args, backward, prepare)
            report(f"attention {tag} pass=bwd", bwd,
                   f" tflops={2 * flops / statistics.median(bwd) * 1e-12:.1f} fwd_us={median * 1e6:.2f}")
            del q, k, v, grad, state
            torch.cuda.empty_cache()


def memory_sizes(args):
    """Element counts from 2^min to 2^max, as rows x width with the model widths in args.widths."""
    for exponent in range(args.min_elements_log2, args.max_elements_log2 + 1):
        elements = 1 << exponent
        for width in args.widths:
            if elements % width == 0 and elements // width >= 1:
                yield elements // width, width


def sweep_memory(args, dtype_name):
    dtype = DTYPES[dtype_name]
    size = ELEMENT_BYTES[dtype_name]
    for rows, width in memory_sizes(args):
        n = rows * width
        try:
            x = torch.randn(rows, width, device="cuda", dtype=dtype)
            y = torch.randn(rows, width, device="cuda", dtype=dtype)
            weight = torch.ones(width, device="cuda", dtype=dtype)
            bias = torch.zeros(width, device="cuda", dtype=dtype)
        except torch.cuda.OutOfMemoryError:
            print(f"memory ops {dtype_name} rows={rows} width={width} skipped: out of memory", flush=True)
            torch.cuda.empty_cache()
            continue
        shape = f"rows={rows},width={width}"

        # Norms: read x, write y (the weight vector is negligible). RMSNorm is the "norm" the Llama
        # family uses; LayerNorm is recorded under its own op name for models that use it.
        if hasattr(F, "rms_norm"):
            rms = lambda: F.rms_norm(x, (width,), weight, 1e-5)  # noqa: E731
        else:  # PyTorch < 2.4: the usual unfused formulation
            rms = lambda: x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-5).to(dtype) * weight  # noqa: E731
        cases = [
            ("norm", 2 * n, rms),
            ("layernorm", 2 * n, lambda: F.layer_norm(x, (width,), weight, bias, 1e-5)),
            # SwiGLU: silu(gate) * up, read two inputs, write one.
            ("activation", 3 * n, lambda: F.silu(x) * y),
            # GELU (GPT-style MLPs): read one, write one.
            ("activation", 2 * n, lambda: F.gelu(x, approximate="tanh")),
            # Residual add: read two, write one.
            ("elementwise", 3 * n, lambda: torch.add(x, y)),
        ]
        for op, elements_moved, run in cases:
            bytes_moved = elements_moved * size
            name = f"perfplan:{op}:{dtype_name}:{shape},bytes={bytes_moved}"
            seconds = time_case(name, args, run)
            median = statistics.median(seconds)
            report(f"{op} {dtype_name} {shape} bytes={bytes_moved}", seconds,
                   f" gbps={bytes_moved / median * 1e-9:.1f}")
        del x, y, weight, bias
        torch.cuda.empty_cache()


def int_list(text):
    return [int(v) for v in text.split(",") if v]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dtypes", default="bf16", help="comma list of bf16, fp16, fp32 (default bf16)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--head-dims", type=int_list, default=[64, 128])
    parser.add_argument("--model-dims", type=int_list, default=[2048, 4096],
                        help="heads = model_dim / head_dim (default 2048,4096)")
    parser.add_argument("--seqs", type=int_list, default=[1024, 2048, 4096, 8192, 16384, 32768])
    parser.add_argument("--tokens", type=int, default=16384, help="batch = tokens / seq (default 16384)")
    parser.add_argument("--causal", type=int_list, default=[1], help="comma list of 0/1 (default 1)")
    parser.add_argument("--widths", type=int_list, default=[2048, 4096, 8192],
                        help="row widths of the memory-bound ops (default 2048,4096,8192)")
    parser.add_argument("--min-elements-log2", type=int, default=20)
    parser.add_argument("--max-elements-log2", type=int, default=29)
    parser.add_argument("--no-attention", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--quick", action="store_true", help="small grid (smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.seqs, args.model_dims, args.widths = [1024, 4096], [2048], [4096]
        args.min_elements_log2, args.max_elements_log2 = 20, 24

    if not torch.cuda.is_available():
        sys.exit("sweep_torch.py: no CUDA device (torch.cuda.is_available() is False); nothing measured")
    dtypes = [d for d in args.dtypes.split(",") if d]
    for d in dtypes:
        if d not in DTYPES:
            sys.exit(f"sweep_torch.py: --dtypes: unknown dtype '{d}'; accepted: {', '.join(DTYPES)}")
    props = torch.cuda.get_device_properties(0)
    print(f'# context gpu="{props.name}" sm={props.major}.{props.minor} sms={props.multi_processor_count} '
          f"torch={torch.__version__} cuda={torch.version.cuda} warmup={args.warmup} repeats={args.repeats}",
          flush=True)
    torch.manual_seed(0)
    for d in dtypes:
        if not args.no_attention and d != "fp32":
            sweep_attention(args, d)
        if not args.no_memory:
            sweep_memory(args, d)
    print("# done", flush=True)


if __name__ == "__main__":
    main()
