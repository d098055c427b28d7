// The HTML report: static content and embedded data (always), and what headless Chromium renders
// from it (when /usr/bin/chromium is installed, as scripts/install-deps does).
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "perfplan/common/input_error.hpp"
#include "perfplan/predictor/pipeline_schedule.hpp"
#include "perfplan/predictor/predict.hpp"
#include "perfplan/web/report.hpp"

namespace fs = std::filesystem;
using perfplan::planner::Candidate;
using perfplan::planner::FeasiblePoint;
using perfplan::planner::PlanResult;
using perfplan::planner::ScalingPoint;
using perfplan::predictor::ParallelConfig;

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr const char* kChromium = "/usr/bin/chromium";

// Measured / predicted time between 0.9 and 1.2 (the model's out-of-sample band).
perfplan::hardware::PredictionBand sample_band() {
  perfplan::hardware::PredictionBand band;
  band.low_ratio = 0.9;
  band.high_ratio = 1.2;
  band.cases = 40;
  band.basis = "test runs";
  return band;
}

Candidate make_candidate(int64_t tp, int64_t pp, int64_t dp, double tokens_per_s, double memory_gib, std::string why) {
  Candidate c;
  c.config.tp = tp;
  c.config.pp = pp;
  c.config.dp = dp;
  c.config.sequence_parallel = tp > 1;
  c.config.recompute = perfplan::model::Recompute::kSelective;
  c.config.distributed_optimizer = true;
  c.config.micro_batch_size = 1;
  c.config.global_batch_size = 64;
  auto& p = c.prediction;
  p.tokens_per_s = tokens_per_s;
  p.tokens_per_s_per_gpu = tokens_per_s / 64;
  p.iteration_time_s = 64.0 * 4096 / tokens_per_s;
  p.mfu = tokens_per_s / 600000.0;
  p.micro_batches = 64 / dp;
  p.time = {.compute_s = 0.6 * p.iteration_time_s,
            .recompute_s = 0.05 * p.iteration_time_s,
            .tp_comm_s = 0.1 * p.iteration_time_s,
            .pp_bubble_s = 0.15 * p.iteration_time_s,
            .dp_comm_s = 0.05 * p.iteration_time_s,
            .optimizer_s = 0.05 * p.iteration_time_s};
  p.memory.peak = {.weights_bytes = 0.2 * memory_gib * kGiB,
                   .gradients_bytes = 0.2 * memory_gib * kGiB,
                   .optimizer_bytes = 0.1 * memory_gib * kGiB,
                   .activations_bytes = 0.4 * memory_gib * kGiB,
                   .runtime_bytes = 0.1 * memory_gib * kGiB};
  c.prediction.band = perfplan::predictor::band_of(p.iteration_time_s, sample_band());
  c.time_to_train_s = 1e12 / tokens_per_s;
  c.cost_usd = 64 * c.time_to_train_s / 3600 * 2.5;
  c.why = std::move(why);
  return c;
}

// Three candidates on 64 GPUs; the best one carries a 1F1B timeline of 4 stages x 8 micro-batches.
PlanResult sample_plan() {
  PlanResult plan;
  plan.top.push_back(make_candidate(8, 4, 2, 400000, 52, "TP inside the node, short bubble <8 micro-batches>"));
  plan.top.push_back(make_candidate(4, 4, 4, 360000, 77, "more DP traffic & longer bubble"));
  plan.top.push_back(make_candidate(8, 8, 1, 300000, 38, "deep pipeline: 30% bubble"));
  perfplan::predictor::StageTimes stage{.forward_s = 0.010, .backward_s = 0.020, .weight_grad_s = 0.0, .p2p_s = 0.0005};
  for (const auto& e :
       perfplan::predictor::pipeline_events(perfplan::predictor::PipelineSchedule::kOneFOneB, 4, 8, 1, stage)) {
    const std::string kind = e.kind == 'F' ? "forward" : e.kind == 'B' ? "backward" : "weight_grad";
    plan.top.front().prediction.timeline.push_back(
        {e.stage, std::string(1, e.kind) + std::to_string(e.micro_batch), kind, e.start_s, e.end_s});
  }
  for (int64_t s = 0; s < 4; ++s) {
    plan.top.front().prediction.timeline.push_back({s, "optimizer", "optimizer", 0.40, 0.42});
  }
  // A small cloud: memory rises with tokens/s along the front, plus dominated points below it.
  for (int i = 0; i < 30; ++i) {
    FeasiblePoint p;
    p.memory_bytes = (20 + 2.0 * i) * kGiB;
    p.tokens_per_s = i % 3 == 0 ? 200000 + 7000.0 * i : 150000 + 5000.0 * i;
    p.pareto = i % 3 == 0;
    p.tp = i % 2 == 0 ? 8 : 4;
    p.pp = 4;
    p.dp = 64 / (p.tp * p.pp);
    plan.feasible.push_back(p);
  }
  plan.stats.enumerated = 1200;
  plan.stats.evaluated = 300;
  plan.stats.feasible = 30;
  plan.stats.pruned = {{"does not fit in memory", 500}, {"tp > gpus per node", 400}};
  plan.search_seconds = 0.42;
  return plan;
}

perfplan::web::ReportInput sample_input(const PlanResult& plan) {
  perfplan::web::ReportInput input;
  input.title = "Llama <test> plan";
  input.model_name = "llama-3.1-8b";
  input.cluster_name = "dgx-h100-8";
  input.gpu_name = "H100 SXM";
  input.gpus = 64;
  input.global_batch_size = 64;
  input.seq_len = 4096;
  input.gpu_memory_bytes = 80 * kGiB;
  input.rank_by = "throughput";
  input.plan = &plan;
  for (int64_t gpus : {8, 16, 32, 64}) {
    ScalingPoint s;
    s.gpus = gpus;
    s.tokens_per_s = 7000.0 * gpus * (1.0 - 0.02 * static_cast<double>(gpus) / 8);
    s.mfu = 0.45 - 0.01 * static_cast<double>(gpus) / 8;
    s.config.tp = 8;
    s.config.dp = gpus / 8;
    input.scaling.push_back(s);
  }
  input.band = sample_band();
  input.launch.framework = "megatron";
  input.launch.target = "Megatron-LM core_v0.14.0";
  input.launch.text = "# perfplan launch config\ntorchrun pretrain_gpt.py \\\n    --tensor-model-parallel-size 8 <tp>\n";
  input.perfplan_version = "0.1.0";
  return input;
}

int64_t count(const std::string& text, const std::string& needle) {
  int64_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The JSON blob between <script type="application/json" id="data"> and </script>.
nlohmann::ordered_json embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"data\">";
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return nlohmann::ordered_json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "perfplan-web-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Runs headless Chromium on `html` with a fresh profile; `mode` is "--dump-dom" or "--screenshot=...".
// stdout and stderr go to files in `dir`. Returns the exit status.
int run_chromium(const fs::path& dir, const fs::path& html, const std::string& mode, const std::string& name,
                 const std::string& window = "1400,2000") {
  const fs::path profile = dir / ("profile-" + name);
  fs::create_directories(profile);
  const std::string command = std::string("timeout 60 ") + kChromium +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                              " --disable-background-networking --disable-component-update --disable-sync"
                              " --user-data-dir='" +
                              profile.string() +
                              "' --enable-logging=stderr --v=0"
                              " --virtual-time-budget=5000 --window-size=" + window + " " +
                              mode + " 'file://" + html.string() + "' > '" + (dir / (name + ".out")).string() +
                              "' 2> '" + (dir / (name + ".err")).string() + "'";
  return std::system(command.c_str());
}

}  // namespace

TEST_CASE("report: static HTML holds the table, the summary, the data blob and the chart containers") {
  const PlanResult plan = sample_plan();
  const std::string html = perfplan::web::render_report_html(sample_input(plan));

  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  // Self-contained: nothing to fetch.
  CHECK(html.find("http://") == std::string::npos);
  CHECK(html.find("https://") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find(" src=") == std::string::npos);

  // One row per candidate, ranked.
  CHECK(count(html, "class=\"candidate\"") == 3);
  CHECK(html.find("<tr class=\"candidate\" data-rank=\"1\" id=\"candidate-1\">") != std::string::npos);
  CHECK(html.find("data-rank=\"3\"") != std::string::npos);
  CHECK(html.find("400,000") != std::string::npos);  // tokens/s of the best, in the table and summary
  CHECK(html.find("66.7%") != std::string::npos);    // its MFU: 400000 / 600000
  CHECK(html.find("52.0 GiB") != std::string::npos);
  CHECK(html.find("more DP traffic &amp; longer bubble") != std::string::npos);

  // User text is escaped in the markup: the title and the why never open a tag.
  CHECK(html.find("<title>Llama &lt;test&gt; plan</title>") != std::string::npos);
  CHECK(html.find("<test>") == std::string::npos);
  CHECK(html.find("<8 micro-batches>") == std::string::npos);

  for (const char* id : {"chart-scatter", "chart-time", "chart-memory", "chart-gantt", "chart-scaling"}) {
    CAPTURE(id);
    CHECK(html.find(std::string("<svg class=\"chart\" id=\"") + id + "\"") != std::string::npos);
  }
  CHECK(count(html, "<script") == 3);  // error handler, data, charts
}

TEST_CASE("report: embedded JSON starts with context and carries every series") {
  const PlanResult plan = sample_plan();
  const std::string html = perfplan::web::render_report_html(sample_input(plan));
  // "</" inside the data (here from a why with a '<') is escaped, so the blob cannot close its tag.
  const auto blob_begin = html.find("id=\"data\">");
  const auto blob_end = html.find("</script>", blob_begin);
  CHECK(html.substr(blob_begin, blob_end - blob_begin).find('<') == std::string::npos);

  const nlohmann::ordered_json data = embedded_data(html);
  CHECK(data.begin().key() == "context");
  CHECK(data["context"]["schema_version"] == 1);
  CHECK(data["context"]["perfplan_version"] == "0.1.0");
  CHECK(data["context"]["inputs"]["gpus"] == 64);
  CHECK(data["context"]["inputs"]["model"] == "llama-3.1-8b");
  REQUIRE(data["candidates"].size() == 3);
  CHECK(data["candidates"][0]["rank"] == 1);
  CHECK(data["candidates"][0]["why"] == "TP inside the node, short bubble <8 micro-batches>");
  CHECK(data["candidates"][0]["layout"]["tp"] == 8);
  CHECK(data["candidates"][0]["memory_bytes"]["total"].get<double>() == doctest::Approx(52 * kGiB));
  CHECK(data["feasible"]["total"] == 30);
  CHECK(data["feasible"]["shown"] == 30);
  CHECK(data["feasible"]["points"].size() == 30);
  // 4 stages x 8 micro-batches x (F, B) + one optimizer step per stage.
  CHECK(data["timeline"]["stages"] == 4);
  CHECK(data["timeline"]["events"].size() == 4 * 8 * 2 + 4);
  CHECK(data["scaling"].size() == 4);
  CHECK(data["stats"]["pruned"]["does not fit in memory"] == 500);

  // The standalone JSON is the same document.
  CHECK(nlohmann::ordered_json::parse(perfplan::web::render_report_json(sample_input(plan))) == data);
}

TEST_CASE("report: an empty plan still renders, and a missing plan is an input error") {
  const PlanResult empty;
  perfplan::web::ReportInput input;
  input.plan = &empty;
  const std::string html = perfplan::web::render_report_html(input);
  CHECK(count(html, "class=\"candidate\"") == 0);
  CHECK(html.find("No feasible configuration.") != std::string::npos);
  CHECK(embedded_data(html)["timeline"]["events"].empty());

  input.plan = nullptr;
  CHECK_THROWS_AS(perfplan::web::render_report_html(input), perfplan::InputError);
}

TEST_CASE("report: a large search keeps every Pareto point and samples the rest") {
  PlanResult plan;
  for (int i = 0; i < 50000; ++i) {
    FeasiblePoint p;
    p.tokens_per_s = i;
    p.memory_bytes = i;
    p.pareto = i % 1000 == 0;
    plan.feasible.push_back(p);
  }
  perfplan::web::ReportInput input;
  input.plan = &plan;
  const nlohmann::json data = nlohmann::json::parse(perfplan::web::render_report_json(input));
  CHECK(data["feasible"]["total"] == 50000);
  const auto shown = data["feasible"]["shown"].get<int64_t>();
  CHECK(shown <= 20000);
  CHECK(shown >= 15000);
  int64_t pareto = 0;
  for (const auto& row : data["feasible"]["points"]) pareto += row[9].get<int64_t>();
  CHECK(pareto == 50);
}

TEST_CASE("report: headless Chromium renders every chart without a script error" *
          doctest::skip(!fs::exists(kChromium))) {
  const PlanResult plan = sample_plan();
  const TempDir dir;
  const fs::path html = dir.path / "report.html";
  std::ofstream(html) << perfplan::web::render_report_html(sample_input(plan));

  REQUIRE(run_chromium(dir.path, html, "--dump-dom", "dom") == 0);
  const std::string dom = read_text(dir.path / "dom.out");
  // Chromium logs every console message (console.error, uncaught exceptions) as "...:CONSOLE..." on
  // stderr; the report writes none.
  std::string console_lines;
  std::istringstream log(read_text(dir.path / "dom.err"));
  for (std::string line; std::getline(log, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      console_lines += line + "\n";
    }
  }
  CHECK_MESSAGE(console_lines.empty(), console_lines);
  // The inline script finished (it marks <body> last) and reported no error.
  CHECK(dom.find("<body data-rendered=\"true\">") != std::string::npos);
  CHECK(dom.find("id=\"js-error\"") == std::string::npos);
  // Rows and the SVG the script drew: every scatter point and ring, every timeline event, and the
  // breakdown segments (3 candidates x 6 non-zero time parts and 5 memory parts).
  CHECK(count(dom, "class=\"candidate\"") == 3);
  CHECK(count(dom, "class=\"point\"") == 20);
  CHECK(count(dom, "class=\"point pareto\"") == 10);
  CHECK(count(dom, "class=\"top-ring\"") == 3);
  CHECK(count(dom, "class=\"event\"") == 4 * 8 * 2 + 4);
  CHECK(count(dom, "class=\"segment\"") == 3 * 6 + 3 * 5);
  CHECK(count(dom, "<polyline") == 1 + 3);  // Pareto front; scaling: ideal, MFU, tokens/s
  CHECK(dom.find("class=\"front\"") != std::string::npos);

  REQUIRE(run_chromium(dir.path, html, "--screenshot='" + (dir.path / "shot.png").string() + "'", "shot") == 0);
  const std::string png = read_text(dir.path / "shot.png");
  REQUIRE(png.size() > 24);
  CHECK(png.compare(1, 3, "PNG") == 0);
  const auto be32 = [&png](std::size_t at) {
    return (static_cast<unsigned char>(png[at]) << 24) | (static_cast<unsigned char>(png[at + 1]) << 16) |
           (static_cast<unsigned char>(png[at + 2]) << 8) | static_cast<unsigned char>(png[at + 3]);
  };
  CHECK(be32(16) == 1400);  // IHDR width
  CHECK(be32(20) == 2000);  // IHDR height
  // A blank 1400 x 2000 page compresses to a few KB; text, tables and charts take far more.
  CHECK(png.size() > 20 * 1024);
}

TEST_CASE("report: days and cost state the token budget and the price per GPU-hour they use") {
  const auto plan = sample_plan();
  auto input = sample_input(plan);
  input.training_tokens = 2e12;
  input.price_per_gpu_hour_usd = 6.16;
  input.price_source = "list price";
  const std::string html = perfplan::web::render_report_html(input);
  CHECK(html.find("Days and cost are for a budget of 2e+12 training tokens at $6.16 per GPU-hour (list price).") !=
        std::string::npos);
  CHECK(html.find("GPU-hours \u00d7 $6.16 per GPU-hour") != std::string::npos);
}

TEST_CASE("report: abbreviations spelled out, every time with its band, the launch config shown") {
  const auto plan = sample_plan();
  const std::string html = perfplan::web::render_report_html(sample_input(plan));
  // Column headers explain themselves, and a glossary under the table spells them out.
  CHECK(html.find("<abbr title=\"tensor parallel degree (+SP: sequence parallelism)\">TP</abbr>") != std::string::npos);
  CHECK(count(html, "<abbr title=") >= 12);
  CHECK(html.find("id=\"glossary\"") != std::string::npos);
  CHECK(html.find("<b>MFU</b> model FLOPs utilisation") != std::string::npos);
  // Band 0.9-1.2 on the best's iteration (64 x 4096 / 400000 = 0.65536 s), its days and its cost.
  CHECK(html.find("0.59-0.786 s") != std::string::npos);
  const double days = 1e12 / 400000 / 86400;
  CHECK(html.find(fmt::format("{:.1f}-{:.1f}", 0.9 * days, 1.2 * days)) != std::string::npos);
  const auto data = embedded_data(html);
  const auto& best = data["candidates"][0];
  CHECK(best["time_to_train_band_s"][0].get<double>() == doctest::Approx(0.9 * 1e12 / 400000));
  CHECK(best["cost_band_usd"][1].get<double>() == doctest::Approx(1.2 * best["cost_usd"].get<double>()));
  CHECK(data["band"]["high_ratio"] == 1.2);
  // The launch config, escaped.
  CHECK(html.find("<pre class=\"launch-config\" id=\"launch-config\"><code># perfplan launch config") != std::string::npos);
  CHECK(html.find("--tensor-model-parallel-size 8 &lt;tp&gt;") != std::string::npos);
  CHECK(data["launch"]["target"] == "Megatron-LM core_v0.14.0");
}

// A probe the test appends after the report's own script: what the browser laid out, as an
// attribute of <body> (value labels crossed by the GPU-memory line, the page's and the table's
// widths at the window's size, the scroll hint).
constexpr const char* kLayoutProbe = R"(<script>
(function () {
  const out = {};
  const line = document.querySelector('#chart-memory .capacity');
  out.capacity = !!line;
  out.crossed = 0;
  if (line) {
    const x = line.getBBox().x;
    document.querySelectorAll('#chart-memory .value-label').forEach((t) => {
      const b = t.getBBox();
      if (b.x <= x && x <= b.x + b.width) ++out.crossed;
    });
  }
  const wrap = document.getElementById('table-wrap');
  out.pageOverflow = document.documentElement.scrollWidth - window.innerWidth;
  out.tableScrolls = wrap.scrollWidth > wrap.clientWidth && getComputedStyle(wrap).overflowX === 'auto';
  out.hintShown = document.getElementById('scroll-hint').classList.contains('shown');
  out.whiskers = document.querySelectorAll('#chart-time .band-range').length;
  out.bandArea = document.querySelectorAll('#chart-scaling .band-area').length;
  out.logTicks = Array.from(document.querySelectorAll('#chart-scaling .tick-label')).map((t) => t.textContent);
  document.body.setAttribute('data-probe', JSON.stringify(out));
})();
</script>
)";

TEST_CASE("report: headless Chromium: labels clear of the memory line, the table scrolls at 900 px, log-log scaling with its band" *
          doctest::skip(!fs::exists(kChromium))) {
  const PlanResult plan = sample_plan();
  const TempDir dir;
  std::string page = perfplan::web::render_report_html(sample_input(plan));
  page.insert(page.rfind("</body>"), kLayoutProbe);
  const fs::path html = dir.path / "report.html";
  std::ofstream(html) << page;
  for (const std::string width : {"900", "1400"}) {
    CAPTURE(width);
    REQUIRE(run_chromium(dir.path, html, "--dump-dom", "dom" + width, width + ",2000") == 0);
    const std::string dom = read_text(dir.path / ("dom" + width + ".out"));
    CHECK(dom.find("<body data-rendered=\"true\"") != std::string::npos);
    const std::string key = "data-probe=\"";
    const auto at = dom.find(key);
    REQUIRE(at != std::string::npos);
    std::string text = dom.substr(at + key.size(), dom.find('"', at + key.size()) - at - key.size());
    for (std::string::size_type q; (q = text.find("&quot;")) != std::string::npos;) text.replace(q, 6, "\"");
    const auto probe = nlohmann::json::parse(text);
    INFO(probe.dump());
    CHECK(probe["capacity"] == true);
    CHECK(probe["crossed"] == 0);                // #2 at 77 of 80 GiB: its label moved past the line
    CHECK(probe["pageOverflow"].get<int>() <= 0);  // the page never scrolls sideways
    CHECK(probe["whiskers"] == 3 * 3);           // a range and two caps per bar
    CHECK(probe["bandArea"] == 1);
    // Logarithmic tokens/s ticks: 1-2-5 steps.
    const auto& ticks = probe["logTicks"];
    CHECK(std::find(ticks.begin(), ticks.end(), "50k") != ticks.end());
    CHECK(std::find(ticks.begin(), ticks.end(), "100k") != ticks.end());
    if (width == "900") {
      CHECK(probe["tableScrolls"] == true);
      CHECK(probe["hintShown"] == true);
    }
  }
}
