// The profiler's pure core: synthetic activity records -> kernel-database lines, without a GPU.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "perfplan/common/input_error.hpp"
#include "perfplan/profiler/profile_summary.hpp"
#include "perfplan/profiler/records.hpp"

using namespace perfplan::profiler;

namespace {

KernelRecord kernel(const std::string& name, uint64_t start, uint64_t end, uint32_t correlation = 1) {
  KernelRecord k;
  k.mangled_name = name;
  k.device_id = 0;
  k.context_id = 1;
  k.stream_id = 7;
  k.grid = {128, 2, 1};
  k.block = {256, 1, 1};
  k.registers_per_thread = 96;
  k.shared_memory_bytes = 49152;
  k.start_ns = start;
  k.end_ns = end;
  k.correlation_id = correlation;
  return k;
}

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

}  // namespace

TEST_CASE("records: a record is valid only with both timestamps set and ordered") {
  CHECK(has_valid_interval(100, 200));
  CHECK(has_valid_interval(100, 100));        // a zero-length record is real
  CHECK_FALSE(has_valid_interval(0, 200));    // device buffer pool exhausted
  CHECK_FALSE(has_valid_interval(100, 0));    // forced flush: still running
  CHECK_FALSE(has_valid_interval(200, 100));  // end before start
}

TEST_CASE("records: kernel names are demangled, other names kept as given") {
  CHECK(demangle_kernel_name("_Z4gemmIfEvPT_") == "void gemm<float>(float*)");
  CHECK(demangle_kernel_name("_Z6squarePfi") == "square(float*, int)");
  CHECK(demangle_kernel_name("sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64") ==
        "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64");
  CHECK(demangle_kernel_name("_Z_not_a_valid_mangling") == "_Z_not_a_valid_mangling");
  CHECK(demangle_kernel_name("") == "");
}

TEST_CASE("records: the innermost containing range wins") {
  const std::vector<RangeRecord> ranges = {{"step", 100, 1000},
                                           {"forward", 150, 500},
                                           {"perfplan:gemm:bf16:m=4096,n=4096,k=4096", 200, 300},
                                           {"backward", 500, 900}};
  CHECK(innermost_range_at(ranges, 50) == std::nullopt);
  CHECK(innermost_range_at(ranges, 120) == 0u);
  CHECK(innermost_range_at(ranges, 250) == 2u);
  CHECK(innermost_range_at(ranges, 400) == 1u);
  CHECK(innermost_range_at(ranges, 500) == 3u);  // backward starts as forward ends: the later start
  CHECK(innermost_range_at(ranges, 950) == 0u);
  CHECK(innermost_range_at(ranges, 1001) == std::nullopt);
}

TEST_CASE("records: NVTX start/end markers pair by id, unmatched ones are ignored") {
  const std::vector<MarkerEvent> events = {{1, true, 100, "step"}, {2, true, 150, "forward"}, {2, false, 400, ""},
                                           {9, false, 500, ""},    {3, true, 600, "open"},    {1, false, 1000, ""}};
  const auto ranges = pair_markers(events);
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0].name == "step");
  CHECK(ranges[0].start_ns == 100);
  CHECK(ranges[0].end_ns == 1000);
  CHECK(ranges[1].name == "forward");
  CHECK(ranges[1].end_ns == 400);
}

TEST_CASE("records: write_profile: header first, invalid records dropped and counted, kernels tagged") {
  ProfileRecords records;
  records.context.gpu = "NVIDIA H100 80GB HBM3";
  records.context.sm_count = 132;
  records.context.driver_version = 13000;
  records.context.cuda_version = 13000;
  records.context.cupti_version = 130001;
  records.context.dropped_records = 2;  // counted by CUPTI
  records.ranges = {{"step", 1000, 10000}, {"perfplan:gemm:bf16:m=4096,n=4096,k=4096", 2000, 5000}};
  records.kernels = {kernel("_Z4gemmIfEvPT_", 3000, 4500, 11), kernel("_Z6squarePfi", 6000, 6400, 12),
                     kernel("late", 20000, 20100, 13),         kernel("running", 7000, 0, 14),
                     kernel("nostart", 0, 8000, 15),           kernel("backwards", 9000, 8000, 16)};
  records.memory_ops = {{MemoryOpKind::kMemcpy, "HtoD", 1 << 20, 0, 1, 7, 1500, 1900, 10},
                        {MemoryOpKind::kMemset, "", 4096, 0, 1, 7, 5500, 5510, 17}};
  std::ostringstream out;
  CHECK(write_profile(records, out) == 3);
  const auto rows = parse_lines(out.str());
  // context, 2 ranges, 3 kernels, memcpy, memset
  REQUIRE(rows.size() == 8);

  const auto& c = rows[0].at("context");
  CHECK(c.at("schema_version") == 1);
  CHECK(c.at("perfplan_version") == "0.1.0");
  CHECK(c.at("source") == "cupti");
  CHECK(c.at("gpu") == "NVIDIA H100 80GB HBM3");
  CHECK(c.at("sm_count") == 132);
  CHECK(c.at("driver") == 13000);
  CHECK(c.at("cuda") == 13000);
  CHECK(c.at("cupti") == 130001);
  CHECK(c.at("dropped_records") == 5);  // 2 from CUPTI + 3 invalid here

  CHECK(rows[1].at("type") == "range");
  CHECK(rows[1].at("name") == "step");
  CHECK(rows[1].at("duration_ns") == 9000);
  CHECK(rows[2].at("name") == "perfplan:gemm:bf16:m=4096,n=4096,k=4096");

  // Then records in start order: memcpy 1500, gemm 3000, memset 5500, square 6000, late 20000.
  CHECK(rows[3].at("type") == "memcpy");
  CHECK(rows[3].at("copy_kind") == "HtoD");
  CHECK(rows[3].at("bytes") == 1048576);
  CHECK(rows[3].at("duration_ns") == 400);

  const auto& gemm = rows[4];
  CHECK(gemm.at("type") == "kernel");
  CHECK(gemm.at("name") == "void gemm<float>(float*)");
  CHECK(gemm.at("mangled") == "_Z4gemmIfEvPT_");
  CHECK(gemm.at("device") == 0);
  CHECK(gemm.at("context") == 1);
  CHECK(gemm.at("stream") == 7);
  CHECK(gemm.at("grid") == nlohmann::json::array({128, 2, 1}));
  CHECK(gemm.at("block") == nlohmann::json::array({256, 1, 1}));
  CHECK(gemm.at("registers") == 96);
  CHECK(gemm.at("shared_memory_bytes") == 49152);
  CHECK(gemm.at("start_ns") == 3000);
  CHECK(gemm.at("end_ns") == 4500);
  CHECK(gemm.at("duration_ns") == 1500);
  CHECK(gemm.at("correlation_id") == 11);
  CHECK(gemm.at("nvtx") == "perfplan:gemm:bf16:m=4096,n=4096,k=4096");

  CHECK(rows[5].at("type") == "memset");
  CHECK(rows[5].at("bytes") == 4096);
  CHECK_FALSE(rows[5].contains("copy_kind"));

  CHECK(rows[6].at("name") == "square(float*, int)");
  CHECK(rows[6].at("nvtx") == "step");
  CHECK(rows[7].at("name") == "late");
  CHECK(rows[7].at("nvtx").is_null());
}

TEST_CASE("records: an empty profile is a header with nulls where nothing was known") {
  std::ostringstream out;
  CHECK(write_profile(ProfileRecords{}, out) == 0);
  const auto rows = parse_lines(out.str());
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("context").at("gpu").is_null());
  CHECK(rows[0].at("context").at("dropped_records") == 0);
}

TEST_CASE("summary: totals, shares, ranges and steps from a written profile") {
  ProfileRecords records;
  records.context.gpu = "Test GPU";
  records.ranges = {{"step 0", 1000, 5000}, {"step 1", 6000, 12000}, {"optimizer", 10000, 11000}};
  records.kernels = {kernel("a", 1100, 2100), kernel("b", 2200, 2700), kernel("a", 6100, 7100),
                     kernel("b", 10100, 10600), kernel("c", 13000, 13100)};
  std::ostringstream out;
  write_profile(records, out);
  std::istringstream in(out.str());
  const auto s = summarize_profile(in, "mem.jsonl", {std::string("step")});
  CHECK(*s.gpu == "Test GPU");
  CHECK(s.kernel_count == 5);
  CHECK(s.kernel_ns == 3100);
  REQUIRE(s.kernels.size() == 3);
  CHECK(s.kernels[0].name == "a");
  CHECK(s.kernels[0].count == 2);
  CHECK(s.kernels[0].total_ns == 2000);
  CHECK(s.kernels[0].share == doctest::Approx(2000.0 / 3100.0));
  CHECK(s.kernels[2].name == "c");
  REQUIRE(s.ranges.size() == 4);  // step 0, step 1, optimizer, (none)
  CHECK(s.ranges[0].name == "step 0");
  CHECK(s.ranges[0].kernel_ns == 1500);
  REQUIRE(s.steps.has_value());
  CHECK(s.steps->count == 2);
  CHECK(s.steps->mean_duration_ns == doctest::Approx(5000.0));  // (4000 + 6000) / 2
  CHECK(s.steps->mean_kernel_ns == doctest::Approx(1500.0));    // (1500 + 1500) / 2
}

TEST_CASE("summary: a malformed line names the file and the line") {
  std::istringstream in("{\"context\": {}}\nnot json\n");
  CHECK_THROWS_WITH_AS(summarize_profile(in, "bad.jsonl", {}), doctest::Contains("bad.jsonl:2"), perfplan::InputError);
}

TEST_CASE("summary: an inverted, negative, fractional or too large time is an input error, never a wrapped total") {
  const std::string header = "{\"context\": {}}\n";
  for (const std::string row : {
           R"({"type": "kernel", "name": "k", "start_ns": 2000, "end_ns": 1000})",       // end before start
           R"({"type": "kernel", "name": "k", "start_ns": -5, "end_ns": 1000})",         // negative
           R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": 1.5})",      // a fraction
           R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": "10"})",     // a string
           R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": 18446744073709551615})",  // 2^64 - 1
           R"({"type": "memcpy", "start_ns": 0, "end_ns": 10, "bytes": -1})",
           R"({"type": "range", "name": "step 0", "start_ns": 10, "end_ns": 5})",
       }) {
    CAPTURE(row);
    std::istringstream in(header + row + "\n");
    CHECK_THROWS_WITH_AS(summarize_profile(in, "t.jsonl", {std::string("step")}), doctest::Contains("t.jsonl:2"),
                         perfplan::InputError);
  }
  // Two durations of 2^63 - 1 each would wrap a 64-bit total: refused.
  std::istringstream in(header + R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": 9223372036854775807})" +
                        "\n" + R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": 9223372036854775807})" +
                        "\n" + R"({"type": "kernel", "name": "k", "start_ns": 0, "duration_ns": 9223372036854775807})" +
                        "\n");
  CHECK_THROWS_WITH_AS(summarize_profile(in, "t.jsonl", {}), doctest::Contains("exceed 2^64"), perfplan::InputError);
}
