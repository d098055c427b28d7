// The error catalogue: bad input to every command, each answered with exit 1 (bad input) or 2
// (usage), never 3 (internal error), a signal or a hang, and a message on stderr that names the
// problem and what is accepted; nothing on stdout; output that cannot be written is an error.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;
namespace fs = std::filesystem;

namespace {

struct Bad {
  std::vector<std::string> args;
  int exit_code;                       // 1 input, 2 usage
  std::vector<std::string> mentions;   // all on stderr
};

struct Scratch {
  fs::path dir;
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "perfplan-catalogue-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

std::string llama(const std::string& replace_key, const std::string& value) {
  std::string config = R"({"model_type": "llama", "hidden_size": 1024, "num_hidden_layers": 8,
    "num_attention_heads": 16, "num_key_value_heads": 8, "intermediate_size": 4096, "vocab_size": 32000,
    "max_position_embeddings": 4096})";
  const auto at = config.find("\"" + replace_key + "\": ");
  if (at == std::string::npos) return config;
  const auto start = at + replace_key.size() + 4;
  const auto end = config.find_first_of(",}", start);
  return config.substr(0, start) + value + config.substr(end);
}

}  // namespace

TEST_CASE("error catalogue: every bad input exits 1 or 2 with a message naming the problem") {
  const Scratch s;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string deep_config = s.file("deep.json", "{\"model_type\": \"llama\", \"x\": " + deep + "}");
  const std::string huge_hidden = s.file("huge_hidden.json", llama("hidden_size", "1e308"));
  const std::string float_layers = s.file("float_layers.json", llama("num_hidden_layers", "8.5"));
  const std::string inf_config = s.file("inf.json", llama("hidden_size", "1e400"));
  const std::string many_layers = s.file("layers.json", llama("num_hidden_layers", "1000000000"));
  const std::string negative_vocab = s.file("vocab.json", llama("vocab_size", "-5"));
  const std::string string_heads = s.file("heads.json", llama("num_attention_heads", "\"sixteen\""));
  const std::string empty = s.file("empty.json", "");
  const std::string not_object = s.file("array.json", "[1, 2, 3]");
  const std::string nan_db = s.file("nan.jsonl",
                                    "{\"context\": {\"schema_version\": 1, \"source\": \"sweep\", \"gpu\": \"H100-SXM5-80GB\"}}\n"
                                    "{\"type\": \"kernel\", \"name\": \"k\", \"start_ns\": 10, \"end_ns\": 5, \"nvtx\": \"perfplan:gemm:bf16:m=1,n=1,k=1\"}\n");
  const std::string no_header_db = s.file("noheader.jsonl", "{\"type\": \"kernel\"}\n");
  const std::string h100_db = s.file("h100.jsonl",
                                     "{\"context\": {\"schema_version\": 1, \"source\": \"sweep\", \"gpu\": \"H100-SXM5-80GB\"}}\n");
  const std::string bad_trace = s.file("trace.json", "{\"traceEvents\": 3}");
  const std::string bad_cluster = s.file("cluster.json", "{\"name\": \"x\", \"gpu\": \"no-such-gpu\"}");
  const std::string bad_validation = s.file("validation.json", "{\"runs\": [{\"id\": 1}]}");
  const std::string no_cases = s.file("no_cases.json", "{\"cases\": []}");
  const std::string huge = s.file("huge.json", "{");
  const std::string empty_trace = s.file("empty_trace.json", "{\"traceEvents\": []}");
  fs::resize_file(huge, (std::uintmax_t{512} << 20) + 1);  // sparse: no disk used
  const std::string dir = s.dir.string();
  const std::vector<std::string> plan = {"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8"};
  const std::vector<std::string> predict = {"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8"};
  const auto with = [](std::vector<std::string> base, std::initializer_list<std::string> more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  const std::vector<Bad> catalogue = {
      // The command line itself.
      {{}, 2, {"usage"}},
      {{"frobnicate"}, 2, {"unknown command", "frobnicate"}},
      {{"plan"}, 1, {"needs --model, --cluster and --gpus"}},
      {{"predict"}, 1, {"needs --model, --cluster and --gpus"}},
      {with(plan, {"stray"}), 2, {"positional"}},
      {with(predict, {"stray"}), 2, {"positional"}},
      {with(plan, {"--no-such-flag"}), 2, {"no-such-flag"}},
      {with(plan, {"--gpus"}), 2, {"gpus"}},
      {with(plan, {"--gbs", "twelve"}), 2, {"gbs", "twelve"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "48.9"}, 2, {"48.9", "gpus"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "0"}, 1, {"--gpus"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "-8"}, 1, {"gpus"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "4611686018427387904"}, 1, {"at most 1048576"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "12"}, 1, {"whole nodes"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "99999999999999999999999"}, 2, {"gpus"}},
      // Plan options out of range.
      {with(plan, {"--gbs", "0"}), 1, {"global batch", "accepted: 1 to"}},
      {with(plan, {"--gbs", "4611686018427387904"}), 1, {"global batch", "16777216"}},
      {with(plan, {"--seq", "0"}), 1, {"sequence length", "accepted"}},
      {with(plan, {"--seq", "4611686018427387904"}), 1, {"sequence length", "16777216"}},
      {with(plan, {"--top", "0"}), 1, {"--top", "accepted: 1 to"}},
      {with(plan, {"--threads", "-1"}), 1, {"--threads -1", "accepted: 0 (all cores) to 1024"}},
      {with(plan, {"--threads", "100000000"}), 1, {"--threads 100000000", "1024"}},
      {with(plan, {"--tokens", "nan"}), 1, {"--tokens", "accepted"}},
      {with(plan, {"--tokens", "-1"}), 1, {"--tokens", "above 0"}},
      {with(plan, {"--tokens", "inf"}), 1, {"--tokens"}},
      {with(plan, {"--tokens", "1e400"}), 2, {"tokens"}},
      {with(plan, {"--rank", "speed"}), 1, {"speed", "throughput, time, cost"}},
      {with(plan, {"--dtype", "int4"}), 1, {"int4"}},
      {with(plan, {"--dtype", ""}), 1, {"dtype"}},
      {with(plan, {"--framework", "no-such-stack"}), 1, {"no-such-stack"}},
      {with(plan, {"--mem-headroom", "nan"}), 1, {"--mem-headroom", "between 0 and 1024"}},
      {with(plan, {"--mem-headroom", "-1"}), 1, {"--mem-headroom"}},
      {with(plan, {"--deadline", "inf"}), 1, {"--deadline", "positive"}},
      {with(plan, {"--deadline", "0"}), 1, {"--deadline"}},
      {with(plan, {"--budget", "-5"}), 1, {"--budget"}},
      {with(plan, {"--deadline", "10", "--budget", "10"}), 1, {"--deadline or --budget"}},
      {with(plan, {"--tp", "-1"}), 1, {"--tp", "positive degree", "got -1"}},
      {with(plan, {"--max-pp", "99999999999"}), 1, {"--max-pp"}},
      {with(plan, {"--search", "fast"}), 1, {"--search", "exhaustive, quick"}},
      {with(plan, {"--emit", "deepspeed"}), 1, {"deepspeed", "megatron, megatron-bridge, nemo, torchtitan"}},
      {with(plan, {"--emit", "megatron", "--json"}), 1, {"--emit or --json"}},
      {with(plan, {"--framework", "torchtitan", "--emit", "megatron"}), 1, {"--emit megatron", "torchtitan"}},
      {with(plan, {"--tp", "3"}), 1, {"no layout"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "no-such-cluster", "--gpus", "8"}, 1, {"no-such-cluster"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-a100:0,dgx-h100:8", "--gbs", "64"}, 1, {"dgx-a100"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-a100:8,", "--gbs", "64"}, 1, {"dgx-a100:8,"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100,", "--gpus", "8"}, 1, {"empty cluster name"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", bad_cluster, "--gpus", "8"}, 1, {"no-such-gpu"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", dir, "--gpus", "8"}, 1, {dir}},
      // Predict layouts that do not fit or are not numbers.
      {with(predict, {"--tp", "3"}), 1, {"tp", "divide"}},
      {with(predict, {"--tp", "4611686018427387904"}), 1, {"tp", "bound of 1048576"}},
      {with(predict, {"--tp", "4611686018427387904", "--pp", "4611686018427387904"}), 1, {"bound"}},
      {with(predict, {"--mbs", "4611686018427387904"}), 1, {"mbs", "bound of 65536"}},
      {with(predict, {"--pp", "4611686018427387904", "--vp", "4"}), 1, {"pp", "bound"}},
      {with(predict, {"--dp", "3"}), 1, {"must equal the number of GPUs"}},
      {with(predict, {"--zero", "7"}), 1, {"zero stage must be 0, 1, 2 or 3"}},
      {with(predict, {"--seq", "0"}), 1, {"sequence length"}},
      {with(predict, {"--gbs", "-8"}), 1, {"gbs must be a positive integer"}},
      {with(predict, {"--gbs", "12", "--mbs", "8"}), 1, {"multiple of dp x mbs"}},
      {with(predict, {"--vp", "2"}), 1, {"vp > 1", "pp > 1"}},
      {with(predict, {"--recompute", "some"}), 1, {"some", "none, selective, full"}},
      {with(predict, {"--schedule", "zb-h3"}), 1, {"zb-h3"}},
      {with(predict, {"--attention", "magic"}), 1, {"magic"}},
      {with(predict, {"--rank-order", "tp-tp-dp-pp-ep"}), 1, {"tp-tp-dp-pp-ep"}},
      {with(predict, {"--moe-dispatcher", "mpi"}), 1, {"mpi", "alltoall, flex"}},
      {with(predict, {"--shard-size", "3", "--distributed-optimizer"}), 1, {"shard size 3 must divide"}},
      {with(predict, {"--shard-size", "4"}), 1, {"needs sharded state"}},
      {with(predict, {"--kernels", nan_db}), 1, {nan_db}},
      {with(predict, {"--kernels", dir}), 1, {"is a directory"}},
      {with(predict, {"--kernels", "/no/such/db.jsonl"}), 1, {"no such file"}},
      {with(predict, {"--kernels", nan_db, "--no-kernels"}), 1, {"exclude each other"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-a100", "--gpus", "8", "--kernels", h100_db}, 1,
       {"measured on H100-SXM5-80GB", "A100", "--no-kernels"}},
      // Models: files and catalog names.
      {{"model", "llama-3.1-9b"}, 1, {"unknown model", "did you mean"}},
      {{"model", deep_config}, 1, {"nested deeper than 64"}},
      {{"model", huge_hidden}, 1, {"hidden_size", "integer"}},
      {{"model", float_layers}, 1, {"num_hidden_layers", "integer"}},
      {{"model", inf_config}, 1, {"out of range", "1e400"}},
      {{"model", many_layers}, 1, {"num_hidden_layers", "bound of 65536"}},
      {{"model", negative_vocab}, 1, {"vocab_size"}},
      {{"model", string_heads}, 1, {"num_attention_heads", "sixteen"}},
      {{"model", empty}, 1, {"malformed JSON"}},
      {{"model", not_object}, 1, {not_object}},
      {{"model", dir}, 1, {"directory"}},
      {{"model", "/no/such/config.json"}, 1, {"cannot open"}},
      {{"model", "llama-3.1-8b", "--tp", "3"}, 1, {"tp"}},
      {{"model", "llama-3.1-8b", "--seq", "-1"}, 1, {"seq"}},
      {{"model", "mixtral-8x7b", "--ep", "3"}, 1, {"ep"}},
      // Kernel databases and traces.
      {{"kernels", "show", dir}, 1, {"is a directory"}},
      {{"kernels", "show", no_header_db}, 1, {"context"}},
      {{"kernels", "show", nan_db}, 1, {nan_db}},
      {{"kernels", "import", bad_trace}, 1, {"traceEvents"}},
      {{"kernels", "import", deep_config}, 1, {"nested deeper than 64"}},
      {{"kernels", "frob"}, 1, {"frob", "accepted: import, show"}},
      // Validation files.
      {{"validate", "/no/such/validation"}, 1, {"/no/such/validation"}},
      {{"validate", bad_validation}, 1, {bad_validation}},
      {{"validate", deep_config}, 1, {"nested deeper than 64"}},
      {{"report", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8", "-o", dir + "/no/such/dir/r.html"}, 1, {"cannot write"}},
      // The second campaign: a trace too long to build, empty inputs, what a GPU cannot run, options
      // that would change nothing, schedules Megatron-Core refuses.
      {with(predict, {"--pp", "8", "--gbs", "1048576", "--trace", dir + "/t.json"}), 1, {"--trace", "16777232 events", "1048576"}},
      {with(predict, {"--trace", ""}), 1, {"--trace needs a file"}},
      {{"validate", no_cases}, 1, {"hold no cases"}},
      {{"calibrate", no_cases}, 1, {"hold no cases"}},
      {{"calibrate", no_cases, "--write"}, 1, {"hold no cases"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-a100", "--gpus", "8", "--dtype", "fp8"}, 1,
       {"A100-SXM4-80GB has no FP8 tensor cores", "accepted dtypes there: bf16, fp16, fp32"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-v100", "--gpus", "8", "--dtype", "fp8"}, 1,
       {"has no FP8 tensor cores", "accepted dtypes there: fp16, fp32"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-a100", "--gpus", "8", "--dtype", "fp8"}, 1,
       {"no FP8 tensor cores"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-v100", "--gpus", "8"}, 1,
       {"has no bf16 tensor cores", "--dtype fp16"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-a100", "--gpus", "8", "--attention", "flash3"}, 1,
       {"FlashAttention-3 runs on Hopper GPUs only", "accepted there: flash, flash2, unfused"}},
      {with(predict, {"--pp", "2", "--vp", "2", "--schedule", "1f1b"}), 1, {"vp = 2 needs the interleaved schedule"}},
      {with(predict, {"--pp", "2", "--schedule", "interleaved"}), 1, {"interleaved schedule needs vp > 1"}},
      {with(predict, {"--pp", "2", "--vp", "2", "--gbs", "12"}), 1, {"micro-batches per pipeline", "= 3", "multiple of pp = 2"}},
      {with(predict, {"--schedule", "zb-h1"}), 1, {"--schedule zb-h1: a pipeline schedule needs pp > 1"}},
      {with(predict, {"--moe-dispatcher", "flex"}), 1, {"moe-dispatcher", "has no experts"}},
      {{"model", "llama-3.1-8b", "--capacity-factor", "5"}, 1, {"--capacity-factor", "no experts"}},
      {with(predict, {"--gp", "8"}), 2, {"--gp"}},
      {with(predict, {"--tp", "48.9"}), 2, {"'48.9'", "--tp", "a whole number for counts"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100:8,dgx-a100:8", "--gpus", "16"}, 1,
       {"mixed cluster", "for plan and report"}},
      {{"model", "/dev/null"}, 1, {"/dev/null", "malformed JSON"}},
      {{"kernels", "import", empty_trace}, 1, {"no GPU kernel", "ProfilerActivity.CUDA"}},
      {{"validate", no_cases, no_cases}, 1, {"given twice"}},
      // fuzz_cli_args: boost's message filling looped forever on an argument holding %value%.
      {with(predict, {"--tp", "8%value%'"}), 2, {"holds '%value%'"}},
      {{"plan", "--model", "llama-3.1-8b", "--cluster", "dgx-h100", "--gpus", "8....x-h\xec" "%value%'\xec" "100"}, 2, {"%value%"}},
      {{"model", huge}, 1, {"larger than 512 MiB", "a JSON file"}},
      {{"kernels", "import", huge}, 1, {"larger than 512 MiB", "trace"}},
      {with(predict, {"--kernels", huge}), 1, {"larger than 512 MiB", "kernel database"}},
      {with(plan, {"--tp", "0"}), 1, {"--tp must be a positive degree, 1 to 1048576", "got 0"}},
      {with(plan, {"--max-ep", "0"}), 1, {"--max-ep must be a positive degree"}},
      {with(predict, {"--framework", "megatron-core@bogus"}), 1, {"version 'bogus'", "describes no numbered release"}},
      {with(predict, {"--framework", "torchtitan@"}), 1, {"version ''", "accepted: a release (0.2.2, 0.1.0) or a year"}},
      {with(predict, {"--framework", "torchtitan@bogus"}), 1, {"version 'bogus'"}},
      {with(predict, {"--framework", "torchtitan@0.1.0@x"}), 1, {"version '0.1.0@x'"}},
      {with(predict, {"--framework", "torchtitan@0.0.1"}), 1, {"older than every release", "0.2.2, 0.1.0"}},
      {with(predict, {"--framework", "torchtitan@-1"}), 1, {"version '-1'"}},
      {with(predict, {"--framework", "torchtitan@1e3"}), 1, {"version '1e3'"}},
      {with(predict, {"--framework", "torchtitan@2020"}), 1, {"older than every release"}},
      {{"predict", "--model", "Llama-3.1-8B\xf0\x9f\x92\xa5", "--cluster", "dgx-h100", "--gpus", "8"}, 1, {"unknown model", "did you mean"}},
      {{"predict", "--model", "llama-3.1-8b", "--cluster", "dgx-h100\n", "--gpus", "8"}, 1, {"unknown cluster"}},
  };
  int64_t checked = 0;
  for (const Bad& bad : catalogue) {
    std::string line;
    for (const auto& a : bad.args) line += (line.empty() ? "" : " ") + (a.size() > 60 ? a.substr(0, 57) + "..." : a);
    CAPTURE(line);
    const CliResult r = run_perfplan(bad.args);
    INFO("exit " << r.exit_code << ", stderr: " << r.err.substr(0, 400));
    CHECK(r.exit_code == bad.exit_code);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
    CHECK(r.err.find("internal error") == std::string::npos);
    for (const auto& m : bad.mentions) CHECK_MESSAGE(contains(r.err, m), "stderr lacks \"" << m << "\"");
    ++checked;
  }
  MESSAGE("error catalogue: " << checked << " bad inputs");
  CHECK(checked >= 80);
}

TEST_CASE("error catalogue: output that cannot be written is an error, not a silent exit 0") {
  const CliResult r = run_perfplan({"models", ">", "/dev/full"});
  (void)r;
  // Through the shell so that stdout is /dev/full.
  const std::string command = "timeout 60 " + shell_quote(perfplan_binary()) + " models > /dev/full 2>/dev/null";
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
}

TEST_CASE("error catalogue: integers in data files are whole numbers in range, never truncated or wrapped") {
  const std::string header = "{\"context\": {\"schema_version\": ";
  const std::string rest = ", \"source\": \"sweep\", \"gpu\": \"H100-SXM5-80GB\"}}\n";
  const fs::path dir = fs::temp_directory_path();
  for (const std::string version : {"1.9", "1e20", "18446744073709551615", "\"1\""}) {
    const fs::path file = dir / ("perfplan-schema-" + std::to_string(std::hash<std::string>{}(version)) + ".jsonl");
    std::ofstream(file) << header << version << rest;
    const CliResult r = run_perfplan({"kernels", "show", file.string()});
    CAPTURE(version);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "schema_version must be a whole number"));
    fs::remove(file);
  }
}

TEST_CASE("report on a mixed cluster: no scaling curve whose every point is the whole cluster") {
  const fs::path out = fs::temp_directory_path() / "perfplan-mixed-report.html";
  const CliResult r = run_perfplan({"report", "--model", "llama-3.1-8b", "--cluster", "dgx-a100:8,dgx-h100:8", "--gbs", "64",
                                    "-o", out.string()});
  REQUIRE(r.exit_code == 0);
  const std::string html = read_whole_file(out);
  CHECK(contains(html, "\"scaling\":[]"));
  fs::remove(out);
}
