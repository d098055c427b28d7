// Pipeline schedules: the closed forms of Narayanan et al. SC21 and Qi et al. 2023, and the event
// simulation agreeing with them.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "perfplan/common/input_error.hpp"
#include "perfplan/predictor/pipeline_schedule.hpp"

using namespace perfplan::predictor;

namespace {

StageTimes times(double forward, double backward, double weight_grad = 0, double p2p = 0) {
  StageTimes t;
  t.forward_s = forward;
  t.backward_s = backward;
  t.weight_grad_s = weight_grad;
  t.p2p_s = p2p;
  return t;
}

double makespan(const std::vector<PipelineEvent>& events) {
  double end = 0;
  for (const auto& e : events) end = std::max(end, e.end_s);
  return end;
}

std::string parse_error(const std::string& text) {
  try {
    parse_pipeline_schedule(text);
  } catch (const perfplan::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("pipeline schedule names") {
  for (auto s : {PipelineSchedule::kGpipe, PipelineSchedule::kOneFOneB, PipelineSchedule::kInterleaved,
                 PipelineSchedule::kZeroBubbleH1}) {
    CHECK(parse_pipeline_schedule(to_string(s)) == s);
  }
  CHECK(parse_pipeline_schedule("1F1B") == PipelineSchedule::kOneFOneB);
  CHECK(parse_pipeline_schedule("ZB-H1") == PipelineSchedule::kZeroBubbleH1);
  CHECK(parse_pipeline_schedule("GPipe") == PipelineSchedule::kGpipe);
  const std::string message = parse_error("pipedream");
  CHECK(message.find("'pipedream'") != std::string::npos);
  CHECK(message.find("gpipe, 1f1b, interleaved, zb-h1") != std::string::npos);
}

TEST_CASE("1F1B and GPipe bubble fraction is (p-1)/(m+p-1)") {
  for (auto [p, m] : {std::pair<int64_t, int64_t>{4, 8}, {8, 32}, {2, 1}, {16, 64}, {8, 3}}) {
    const double expected = static_cast<double>(p - 1) / static_cast<double>(m + p - 1);
    CHECK(bubble_fraction(PipelineSchedule::kOneFOneB, p, m, 1) == doctest::Approx(expected));
    CHECK(bubble_fraction(PipelineSchedule::kGpipe, p, m, 1) == doctest::Approx(expected));
  }
  CHECK(bubble_fraction(PipelineSchedule::kOneFOneB, 1, 8, 1) == 0.0);
  CHECK(bubble_fraction(PipelineSchedule::kOneFOneB, 4, 0, 1) == 0.0);
}

TEST_CASE("interleaving divides the bubble time by v") {
  const int64_t p = 4;
  const int64_t m = 8;
  // A full stage: F = 2, B = 4 per micro-batch; v = 2 chunks of half that.
  const auto one_f_one_b = pipeline_time(PipelineSchedule::kOneFOneB, p, m, 1, times(2, 4));
  const auto interleaved = pipeline_time(PipelineSchedule::kInterleaved, p, m, 2, times(1, 2));
  CHECK(one_f_one_b.bubble_s == doctest::Approx(3 * 6.0));
  CHECK(interleaved.bubble_s == doctest::Approx(one_f_one_b.bubble_s / 2));
  CHECK(interleaved.total_s == doctest::Approx(8 * 6.0 + 3 * 3.0));
  // Without interleaving the same chunk times run back to back as one stage.
  CHECK(pipeline_time(PipelineSchedule::kOneFOneB, p, m, 2, times(1, 2)).total_s ==
        doctest::Approx(one_f_one_b.total_s));
  CHECK(makespan(pipeline_events(PipelineSchedule::kOneFOneB, p, m, 2, times(1, 2))) ==
        doctest::Approx(one_f_one_b.total_s));
  // Narayanan et al. SC21 Sec. 2.2.2: ((p-1)/v) / (m + (p-1)/v).
  for (int64_t v : {1, 2, 4}) {
    const double bubble = 3.0 / static_cast<double>(v);
    CHECK(bubble_fraction(PipelineSchedule::kInterleaved, p, m, v) == doctest::Approx(bubble / (m + bubble)));
  }
}

TEST_CASE("ZB-H1 cuts the 1F1B bubble to a third when F = B_in = W") {
  for (auto [p, m] : {std::pair<int64_t, int64_t>{4, 8}, {8, 32}, {8, 8}}) {
    CHECK(bubble_fraction(PipelineSchedule::kZeroBubbleH1, p, m, 1) <
          bubble_fraction(PipelineSchedule::kOneFOneB, p, m, 1));
    // F = B_in = W = 1: 1F1B bubble (p-1)*3, ZB-H1 (p-1)*(F + B_in - W) = p-1.
    const auto zb = pipeline_time(PipelineSchedule::kZeroBubbleH1, p, m, 1, times(1, 2, 1));
    const auto ofob = pipeline_time(PipelineSchedule::kOneFOneB, p, m, 1, times(1, 2, 1));
    CHECK(zb.bubble_s == doctest::Approx(ofob.bubble_s / 3));
    CHECK(zb.total_s == doctest::Approx(3.0 * m + (p - 1)));
  }
  // Without a weight-gradient split ZB-H1 is 1F1B.
  CHECK(pipeline_time(PipelineSchedule::kZeroBubbleH1, 4, 8, 1, times(1, 2, 0)).total_s ==
        doctest::Approx(pipeline_time(PipelineSchedule::kOneFOneB, 4, 8, 1, times(1, 2)).total_s));
}

TEST_CASE("pipeline_time: step time, p2p on the fill and drain, one stage") {
  // (m + p - 1)(F + B) + 2(p-1) d = 11 * 3 + 6 * 0.1.
  const auto t = pipeline_time(PipelineSchedule::kOneFOneB, 4, 8, 1, times(1, 2, 0, 0.1));
  CHECK(t.total_s == doctest::Approx(33.6));
  CHECK(t.bubble_s == doctest::Approx(9.0));
  CHECK(t.p2p_exposed_s == doctest::Approx(0.6));
  CHECK(t.bubble_fraction == doctest::Approx(9.0 / 33.6));
  // Interleaved: the first forward and last backward cross p*v - 1 chunk boundaries each.
  CHECK(pipeline_time(PipelineSchedule::kInterleaved, 4, 8, 2, times(1, 2, 0, 0.1)).p2p_exposed_s ==
        doctest::Approx(1.4));
  for (auto s : {PipelineSchedule::kGpipe, PipelineSchedule::kOneFOneB, PipelineSchedule::kInterleaved,
                 PipelineSchedule::kZeroBubbleH1}) {
    const auto single = pipeline_time(s, 1, 8, 2, times(1, 2, 1, 0.1));
    CHECK(single.bubble_s == doctest::Approx(0));
    CHECK(single.p2p_exposed_s == 0.0);
  }
}

TEST_CASE("micro-batches in flight on the first stage") {
  CHECK(in_flight_micro_batches(PipelineSchedule::kGpipe, 4, 16, 1) == 16);
  CHECK(in_flight_micro_batches(PipelineSchedule::kOneFOneB, 4, 16, 1) == 4);
  CHECK(in_flight_micro_batches(PipelineSchedule::kOneFOneB, 4, 2, 1) == 2);
  CHECK(in_flight_micro_batches(PipelineSchedule::kZeroBubbleH1, 4, 16, 1) == 4);
  // p (1 + (p-1)/(p v)) = 4 + 3/2.
  CHECK(in_flight_micro_batches(PipelineSchedule::kInterleaved, 4, 16, 2) == doctest::Approx(5.5));
  CHECK(in_flight_micro_batches(PipelineSchedule::kInterleaved, 4, 4, 2) == doctest::Approx(4));
}

TEST_CASE("simulated schedules match the closed forms without p2p") {
  const StageTimes split = times(1, 2, 1);
  for (int64_t p : {1, 2, 3, 4, 8}) {
    for (int64_t m = 1; m <= 20; ++m) {
      CAPTURE(p);
      CAPTURE(m);
      for (auto s : {PipelineSchedule::kGpipe, PipelineSchedule::kOneFOneB}) {
        const auto events = pipeline_events(s, p, m, 1, times(1, 2));
        CHECK(makespan(events) == doctest::Approx(static_cast<double>(m + p - 1) * 3));
        CHECK(makespan(events) == doctest::Approx(pipeline_time(s, p, m, 1, times(1, 2)).total_s));
      }
      for (int64_t v : {1, 2, 3}) {
        CAPTURE(v);
        CHECK(makespan(pipeline_events(PipelineSchedule::kInterleaved, p, m, v, times(1, 2))) ==
              doctest::Approx(pipeline_time(PipelineSchedule::kInterleaved, p, m, v, times(1, 2)).total_s));
      }
      CHECK(makespan(pipeline_events(PipelineSchedule::kZeroBubbleH1, p, m, 1, split)) ==
            doctest::Approx(pipeline_time(PipelineSchedule::kZeroBubbleH1, p, m, 1, split).total_s));
      // Unequal passes, W <= B_in: F = 1, B_in = 2, W = 1 and F = 1, B_in = 1.3, W = 1.2.
      for (const StageTimes& t : {times(1, 3, 1), times(1, 2.5, 1.2)}) {
        CHECK(makespan(pipeline_events(PipelineSchedule::kZeroBubbleH1, p, m, 1, t)) ==
              doctest::Approx(pipeline_time(PipelineSchedule::kZeroBubbleH1, p, m, 1, t).total_s));
      }
    }
  }
}

TEST_CASE("ZB-H1 with unequal passes: a W hides at most one F or B_in slot per boundary") {
  // F = 1, B_in = 1.3, W = 1.2, p = 4, m = 8: bubble 3 * (1 + 1.3 - min(1.2, 1, 1.3)) = 3.9.
  const auto t = pipeline_time(PipelineSchedule::kZeroBubbleH1, 4, 8, 1, times(1, 2.5, 1.2));
  CHECK(t.bubble_s == doctest::Approx(3.9));
  CHECK(t.total_s == doctest::Approx(8 * 3.5 + 3.9));
  // Two micro-batches on eight stages: the chain 8 * (F + B_in), one more micro-batch through
  // stage 0 at max(F + B_in, B_in + W), then its W.
  const auto few = pipeline_time(PipelineSchedule::kZeroBubbleH1, 8, 2, 1, times(1, 2, 1));
  CHECK(few.total_s == doctest::Approx(8 * 2.0 + 2.0 + 1.0));
}

TEST_CASE("interleaved simulation with p2p exposes 2(p v - 1) transfers") {
  const double d = 0.01;
  for (int64_t v : {2, 4}) {
    const double with_p2p = makespan(pipeline_events(PipelineSchedule::kInterleaved, 4, 16, v, times(1, 2, 0, d)));
    CHECK(with_p2p ==
          doctest::Approx(pipeline_time(PipelineSchedule::kInterleaved, 4, 16, v, times(1, 2, 0, d)).total_s));
  }
}

TEST_CASE("pipeline events: every op once, stages never overlap, dependencies hold") {
  const double d = 0.25;
  for (auto s : {PipelineSchedule::kGpipe, PipelineSchedule::kOneFOneB, PipelineSchedule::kInterleaved,
                 PipelineSchedule::kZeroBubbleH1}) {
    CAPTURE(to_string(s));
    const int64_t p = 4;
    const int64_t m = 6;
    const int64_t v = s == PipelineSchedule::kInterleaved ? 2 : 1;
    const auto events = pipeline_events(s, p, m, v, times(1, 2, 1, d));
    const size_t per_op = s == PipelineSchedule::kZeroBubbleH1 ? 3 : 2;
    CHECK(events.size() == static_cast<size_t>(p * m * v) * per_op);

    std::map<std::tuple<char, int64_t, int64_t, int64_t>, PipelineEvent> by_key;
    for (const auto& e : events) by_key[{e.kind, e.micro_batch, e.stage, e.chunk}] = e;
    CHECK(by_key.size() == events.size());

    for (size_t i = 1; i < events.size(); ++i) {
      if (events[i].stage == events[i - 1].stage) CHECK(events[i].start_s >= events[i - 1].end_s - 1e-12);
    }
    for (const auto& e : events) {
      const int64_t k = e.chunk * p + e.stage;  // virtual stage
      if (e.kind == 'F' && k > 0) {
        const auto& prev = by_key[{'F', e.micro_batch, (k - 1) % p, (k - 1) / p}];
        CHECK(e.start_s >= prev.end_s + d - 1e-12);
      }
      if (e.kind == 'B') {
        CHECK(e.start_s >= by_key[{'F', e.micro_batch, e.stage, e.chunk}].end_s - 1e-12);
        if (k < p * v - 1) {
          const auto& next = by_key[{'B', e.micro_batch, (k + 1) % p, (k + 1) / p}];
          CHECK(e.start_s >= next.end_s + d - 1e-12);
        }
      }
      if (e.kind == 'W') CHECK(e.start_s >= by_key[{'B', e.micro_batch, e.stage, e.chunk}].end_s - 1e-12);
    }
  }
  CHECK(pipeline_events(PipelineSchedule::kOneFOneB, 4, 0, 1, times(1, 2)).empty());
}

TEST_CASE("ZB-H2: extra warm-up forwards, never slower than ZB-H1, at twice 1F1B's activation memory") {
  // The last stage cannot start before (p-1) F and then works m (F + B): with F = B_in = W = 1,
  // p = 4, m = 12 that bound is 3 + 36 = 39, which ZB-H1 already reaches (its bubble
  // (p-1)(F + B_in - W) = 3); ZB-H2 reaches it too.
  const auto h1 = pipeline_time(PipelineSchedule::kZeroBubbleH1, 4, 12, 1, times(1, 2, 1));
  const auto h2 = pipeline_time(PipelineSchedule::kZeroBubbleH2, 4, 12, 1, times(1, 2, 1));
  CHECK(h1.total_s == doctest::Approx(39.0));
  CHECK(h2.total_s == doctest::Approx(39.0));
  // With a short weight gradient ZB-H1 idles (p-1)(F + B_in - W); the extra forwards fill some of it.
  for (const double w : {0.25, 0.5, 0.75}) {
    CAPTURE(w);
    const auto one = pipeline_time(PipelineSchedule::kZeroBubbleH1, 4, 12, 1, times(1, 2, w));
    const auto two = pipeline_time(PipelineSchedule::kZeroBubbleH2, 4, 12, 1, times(1, 2, w));
    CHECK(two.total_s <= one.total_s + 1e-9);
    CHECK(two.total_s >= 3.0 * 1.0 + 12.0 * 3.0 - 1e-9);
  }
  CHECK(in_flight_micro_batches(PipelineSchedule::kZeroBubbleH2, 4, 12, 1) == 7);
  CHECK(parse_pipeline_schedule("zb-h2") == PipelineSchedule::kZeroBubbleH2);
  // The timeline is the same simulation the step time comes from.
  double end = 0;
  for (const auto& e : pipeline_events(PipelineSchedule::kZeroBubbleH2, 4, 12, 1, times(1, 2, 0.5))) {
    end = std::max(end, e.end_s);
  }
  CHECK(end == doctest::Approx(pipeline_time(PipelineSchedule::kZeroBubbleH2, 4, 12, 1, times(1, 2, 0.5)).total_s));
}

TEST_CASE("pipeline: ZB-H2 without a barrier between iterations (post-validation) has no bubble, 1F1B and ZB-H1 gain nothing") {
  StageTimes unit;
  unit.forward_s = 1;
  unit.backward_s = 2;
  unit.weight_grad_s = 1;
  // p = 4, m = 8: the steady state packs every stage: m (F + B) = 24 per step, while one
  // iteration alone fills and drains (more than 24).
  const auto once = pipeline_time(PipelineSchedule::kZeroBubbleH2, 4, 8, 1, unit);
  const auto cyclic = pipeline_time(PipelineSchedule::kZeroBubbleH2, 4, 8, 1, unit, true);
  CHECK(once.total_s > 24.0);
  CHECK(cyclic.total_s == doctest::Approx(24.0));
  CHECK(cyclic.bubble_s == doctest::Approx(0.0));
  // Stage 0 finishes 1F1B's and ZB-H1's iterations last, so the next one cannot start earlier:
  // (m + p - 1)(F + B) = 33 and ZB-H1's m (F+B) + (p-1)(F + B_in - W) = 24 + 3 = 27 either way.
  for (const auto schedule : {PipelineSchedule::kOneFOneB, PipelineSchedule::kZeroBubbleH1}) {
    CHECK(pipeline_time(schedule, 4, 8, 1, unit, true).total_s ==
          doctest::Approx(pipeline_time(schedule, 4, 8, 1, unit).total_s));
  }
  CHECK(pipeline_time(PipelineSchedule::kOneFOneB, 4, 8, 1, unit).total_s == doctest::Approx(33.0));
  CHECK(pipeline_time(PipelineSchedule::kZeroBubbleH1, 4, 8, 1, unit).total_s == doctest::Approx(27.0));
}
