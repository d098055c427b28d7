// Bad input to the perfplan CLI: a non-zero exit, nothing on stdout, and a message on stderr
// that names the offending thing and, where there is a short list, what is accepted.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "cli/run_cli.hpp"

using namespace perfplan::cli_test;

namespace {

std::string data_file(const char* name) { return (test_data_dir() / name).string(); }

// Runs `args` and checks the rejection; `mentions` must all appear on stderr.
CliResult expect_rejected(const std::vector<std::string>& args, std::initializer_list<const char*> mentions) {
  const CliResult r = run_perfplan(args);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != -1);  // exited, did not crash
  CHECK(r.out.empty());
  REQUIRE(!r.err.empty());
  CHECK(r.err.rfind("perfplan", 0) == 0);
  CHECK(r.err.back() == '\n');
  for (const char* part : mentions) CHECK_MESSAGE(contains(r.err, part), "stderr lacks \"" << std::string(part) << "\"");
  return r;
}

// As expect_rejected, and the whole message is one line.
void expect_rejected_one_line(const std::vector<std::string>& args, std::initializer_list<const char*> mentions) {
  const CliResult r = expect_rejected(args, mentions);
  CHECK_MESSAGE(line_count(r.err) == 1, "stderr has " << line_count(r.err) << " lines: " << r.err);
}

}  // namespace

TEST_CASE("cli: unknown catalog model: suggests the closest name") {
  expect_rejected_one_line({"model", "llama-3.1-9b"}, {"unknown model", "'llama-3.1-9b'", "did you mean", "Llama-3.1-8B"});
}

TEST_CASE("cli: malformed JSON file: names the file") {
  const auto path = data_file("malformed_config.json");
  expect_rejected_one_line({"model", path}, {path.c_str(), "malformed JSON"});
}

TEST_CASE("cli: HF config with an unsupported model_type: names it and lists the accepted types") {
  const auto path = data_file("unknown_type_config.json");
  expect_rejected_one_line({"model", path}, {path.c_str(), "'bert'", "llama", "mixtral", "deepseek_v3", "gpt2"});
}

TEST_CASE("cli: HF config without hidden_size: names the key") {
  const auto path = data_file("missing_key_config.json");
  expect_rejected_one_line({"model", path}, {path.c_str(), "'hidden_size'", "missing"});
}

TEST_CASE("cli: HF config with hidden_size -5: names the key") {
  const auto path = data_file("negative_hidden_size_config.json");
  expect_rejected({"model", path}, {path.c_str(), "hidden_size", "-5"});
}

TEST_CASE("cli: HF config with 3 KV heads for 32 attention heads: names the key") {
  const auto path = data_file("bad_kv_heads_config.json");
  expect_rejected({"model", path}, {path.c_str(), "num_key_value_heads", "3", "32"});
}

TEST_CASE("cli: a .json path that does not exist: cannot open") {
  expect_rejected_one_line({"model", data_file("no_such_config.json")}, {"no_such_config.json", "cannot open"});
}

TEST_CASE("cli: --tp that does not divide the heads") {
  expect_rejected({"model", "llama-3.1-8b", "--tp", "3"}, {"tp=3", "num_attention_heads"});
}

TEST_CASE("cli: --cp that does not divide the sequence") {
  // Load-balanced CP splits the sequence into 2*cp chunks.
  expect_rejected_one_line({"model", "llama-3.1-8b", "--cp", "3", "--seq", "4096"}, {"cp=3", "sequence length", "(4096)", "2*cp = 6"});
}

TEST_CASE("cli: --ep that does not divide the experts") {
  expect_rejected({"model", "mixtral-8x7b", "--ep", "3"}, {"ep=3", "experts", "(8)"});
}

TEST_CASE("cli: --ep on a dense model") {
  expect_rejected({"model", "llama-3.1-8b", "--ep", "2"}, {"ep=2", "mixture-of-experts"});
}

TEST_CASE("cli: MoE with --tp but without --sp") {
  expect_rejected({"model", "mixtral-8x7b", "--tp", "2", "--ep", "4"}, {"--sp"});
}

TEST_CASE("cli: zero or negative sizes") {
  expect_rejected({"model", "llama-3.1-8b", "--seq", "0"}, {"sequence length", "positive"});
  expect_rejected({"model", "llama-3.1-8b", "--mbs", "-1"}, {"micro-batch size", "positive"});
  expect_rejected({"model", "llama-3.1-8b", "--tp", "0"}, {"tp", "positive"});
  expect_rejected({"model", "mixtral-8x7b", "--capacity-factor", "0.5"}, {"capacity factor", ">= 1"});
}

TEST_CASE("cli: --recompute, --dtype and --attention list their accepted values") {
  expect_rejected_one_line({"model", "llama-3.1-8b", "--recompute", "bogus"}, {"'bogus'", "none", "selective", "full"});
  expect_rejected_one_line({"model", "llama-3.1-8b", "--dtype", "int4"}, {"'int4'", "fp32", "bf16", "fp16", "fp8"});
  expect_rejected_one_line({"model", "llama-3.1-8b", "--attention", "foo"}, {"'foo'", "flash", "unfused"});
}

TEST_CASE("cli: option syntax errors from program_options") {
  expect_rejected_one_line({"model", "llama-3.1-8b", "--seq", "abc"}, {"'abc'", "--seq"});
  expect_rejected_one_line({"model", "llama-3.1-8b", "--bogus"}, {"--bogus"});
  expect_rejected_one_line({"model", "llama-3.1-8b", "second-model"}, {"positional"});
}

TEST_CASE("cli: missing model argument") {
  expect_rejected_one_line({"model"}, {"needs a model"});
}

TEST_CASE("cli: no command, unknown command") {
  const auto none = run_perfplan({});
  CHECK(none.exit_code != 0);
  CHECK(none.out.empty());
  CHECK(contains(none.err, "usage"));
  expect_rejected({"frobnicate"}, {"unknown command", "'frobnicate'"});
}

// Deviations found by these tests and fixed since.

TEST_CASE("cli: sharding and architecture errors are one stderr line") {
  // STYLE.md: "The CLI catches at the edge, prints one line to stderr". validate_sharding() and
  // Architecture::validate() join their problems with "\n  ".
  expect_rejected_one_line({"model", "llama-3.1-8b", "--tp", "3"}, {"tp=3"});
  expect_rejected_one_line({"model", "llama-3.1-8b", "--ep", "2"}, {"ep=2"});
  expect_rejected_one_line({"model", data_file("bad_kv_heads_config.json")}, {"num_key_value_heads"});
}

TEST_CASE("cli: --mbs x --seq beyond 2^34 tokens is rejected") {
  // 2^62 * 4096 wraps to 0: the run exits 0 and prints "exact inf GFLOP".
  expect_rejected({"model", "llama-3.1-8b", "--mbs", "4611686018427387904"}, {"mbs"});
}

TEST_CASE("cli: --capacity-factor inf is rejected") {
  expect_rejected({"model", "mixtral-8x7b", "--capacity-factor", "inf"}, {"capacity factor"});
}

TEST_CASE("cli: a directory without config.json is a clear error") {
  expect_rejected_one_line({"model", test_data_dir().string()}, {"directory"});
}
