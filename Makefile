# perfplan: `make run` and `make test` install what is missing, build, then run / test.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: deps configure build run test bench clean

deps:
	@bash scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job on a built-in default (until the planner exists: the operators of one
# Llama-3.1-70B training step with Megatron-style TP 8 + SP, selective recompute).
run: build
	$(BUILD_DIR)/cli/perfplan model llama-3.1-70b --seq 8192 --mbs 1 --tp 8 --sp --recompute selective

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD_DIR)/bench/perfplan_bench --benchmark_min_time=0.5

clean:
	rm -rf $(BUILD_DIR)
