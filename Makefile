# perfplan: `make run` and `make test` install what is missing, build, then run / test.
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: deps configure build run test bench accuracy calibrate clean tsan asan fuzz

deps:
	@bash scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > /dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job on a built-in default: the best ways to train Llama-3.1-70B on 64 DGX H100 nodes
# (512 GPUs), global batch 512 x 8192 tokens, written to report.html.
run: build
	$(BUILD_DIR)/cli/perfplan report --model llama-3.1-70b --cluster dgx-h100 --gpus 512 \
	    --gbs 512 --seq 8192 --top 10 -o report.html

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The README's accuracy section, from leave-one-source-out cross-validation over ../shared/validation.
VALIDATION_DIR ?= ../shared/validation
accuracy: build
	$(BUILD_DIR)/cli/perfplan validate $(VALIDATION_DIR) --cross-validate --markdown > $(BUILD_DIR)/accuracy.md
	@awk -v section=$(BUILD_DIR)/accuracy.md \
	  '/<!-- accuracy:begin -->/ { print; while ((getline line < section) > 0) print line; skip = 1; next } \
	   /<!-- accuracy:end -->/ { skip = 0 } !skip' README.md > $(BUILD_DIR)/README.md.new
	@mv $(BUILD_DIR)/README.md.new README.md
	@echo "README.md: accuracy section regenerated"

# Refit the constants and store them (then run `make accuracy`).
calibrate: build
	$(BUILD_DIR)/cli/perfplan calibrate $(VALIDATION_DIR) --write

bench: build
	$(BUILD_DIR)/bench/perfplan_bench --benchmark_min_time=0.5

# The test suite under ThreadSanitizer (the library is called from many threads at once) and
# under AddressSanitizer + UndefinedBehaviorSanitizer; separate build trees, no recovery (GCC 12 reports
# false maybe-uninitialized warnings inside std::regex / std::function under ASan, so that one is off).
SANITIZER_FLAGS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPERFPLAN_BUILD_BENCH=OFF
tsan: deps
	@cmake -S . -B build-tsan $(SANITIZER_FLAGS) -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread > /dev/null
	@cmake --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

asan: deps
	@cmake -S . -B build-asan $(SANITIZER_FLAGS) \
	    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-maybe-uninitialized" \
	    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" \
	    ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# libFuzzer targets for every parser (clang, ASan + UBSan), each run FUZZ_SECONDS from seed corpora
# of the project's own files; crashes, leaks and hangs land in build-fuzz/findings/<target>.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = hf_config hardware_spec validation_file kernel_db kineto_import cli_args
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPERFPLAN_FUZZ=ON \
	    -DPERFPLAN_BUILD_TESTS=OFF -DPERFPLAN_BUILD_BENCH=OFF \
	    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow -fno-sanitize-recover=all -Wno-unused-command-line-argument" \
	    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > /dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@bash fuzz/seeds.sh . build-fuzz/seeds
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus/$$t build-fuzz/findings/$$t; \
	  build-fuzz/fuzz/fuzz_$$t build-fuzz/corpus/$$t build-fuzz/seeds/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
	      -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix=build-fuzz/findings/$$t/ \
	      > build-fuzz/findings/$$t.log 2>&1 || { echo "fuzz_$$t: finding, see build-fuzz/findings/$$t.log"; exit 1; }; \
	  grep -E "stat::number_of_executed_units" build-fuzz/findings/$$t.log | sed "s/^/fuzz_$$t /"; \
	done

clean:
	rm -rf $(BUILD_DIR) build-tsan build-asan build-fuzz
