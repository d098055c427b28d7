#!/usr/bin/env bash
# Seed corpora for the fuzz targets from the project's own files. Usage: seeds.sh <source> <out>
set -euo pipefail
src=$1
out=$2
mkdir -p "$out"/{hf_config,hardware_spec,validation_file,kernel_db,kineto_import,cli_args}
cp "$src"/model/catalog/*.json "$out/hf_config/" 2>/dev/null || true
i=0
for kind in gpus networks frameworks clusters; do
  prefix=$((i % 4))
  case $kind in gpus) prefix=0;; networks) prefix=1;; frameworks) prefix=2;; clusters) prefix=3;; esac
  for f in "$src"/hardware_specs/$kind/*.json; do
    printf "\\x$(printf %02x $prefix)" > "$out/hardware_spec/$(basename "$f")"
    cat "$f" >> "$out/hardware_spec/$(basename "$f")"
  done
done
if [ -d "$src/../shared/validation" ]; then cp "$src"/../shared/validation/*.json "$out/validation_file/"; fi
cp "$src"/tests/data/*.json "$out/validation_file/" 2>/dev/null || true
for f in "$src"/hardware_specs/kernels/*.jsonl "$src"/tests/data/*.jsonl; do [ -f "$f" ] && head -c 20000 "$f" > "$out/kernel_db/$(basename "$f")"; done
cp "$src"/fuzz/seeds/kineto_trace.json "$out/kineto_import/"
printf 'plan\n--model\nllama-3.1-8b\n--cluster\ndgx-h100\n--gpus\n8' > "$out/cli_args/plan"
printf 'predict\n--model\nllama-3.1-70b\n--cluster\ndgx-h100\n--gpus\n64\n--tp\n8\n--pp\n2' > "$out/cli_args/predict"
printf 'model\nmixtral-8x7b\n--tp\n2\n--ep\n4' > "$out/cli_args/model"
printf 'plan\n--model\nllama-3.1-8b\n--cluster\ndgx-a100:8,dgx-h100:8\n--emit\nmegatron' > "$out/cli_args/mixed"
printf 'kernels\nshow\n%s' "$src/hardware_specs/kernels" > "$out/cli_args/kernels"
printf 'validate\n%s' "$src/tests/data/validation_small.json" > "$out/cli_args/validate"
