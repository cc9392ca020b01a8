// rewind-dump's parts: the per-kind statistics shared with the end-of-run
// summary, the event filter, and the timeline page's aggregation (its size
// stays bounded whatever the number of events; every registered kind gets a
// lane; nothing from the recording can end the page's script).
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>

#include "replay/event_stats.h"
#include "tools/event_filter.h"
#include "tools/timeline_html.h"

namespace rwd {
namespace {

Event event_of(EventKind k, uint64_t icount) {
  Event e;
  e.kind = k;
  e.icount = icount;
  e.payload_size = 7;
  return e;
}

size_t count_of(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST(EventStats, LineTableAndJsonAgree) {
  EventStats s;
  EXPECT_EQ(s.line(), "none");
  s.add(EventKind::kCharInput, 10);
  s.add(EventKind::kClockRead, 5);
  s.add(EventKind::kCharInput, 3);
  EXPECT_EQ(s.line(), "clock 1, char-input 2");  // registry order
  EXPECT_EQ(s.total(), 3u);
  EXPECT_EQ(s.bytes(EventKind::kCharInput), 13u);
  std::string t = s.table();
  EXPECT_NE(t.find("  events: clock 1, char-input 2\n"), std::string::npos) << t;
  EXPECT_TRUE(std::regex_search(t, std::regex(R"(\n  char-input +2 +13\n)"))) << t;
  EXPECT_TRUE(std::regex_search(t, std::regex(R"(\n  total +3 +18\n)"))) << t;
  // Every registered kind has a row, even without events.
  for_each_event_kind([&](EventKind, const EventSpec& spec) {
    EXPECT_NE(t.find(std::string("\n  ") + spec.name + " "), std::string::npos) << spec.name;
  });
  EXPECT_NE(s.json().find("\"char-input\":{\"count\":2,\"bytes\":13}"), std::string::npos);
}

TEST(EventFilter, KindsRangeAndErrors) {
  EventFilter f;
  std::string err;
  EXPECT_TRUE(f.selects_everything());
  ASSERT_TRUE(f.set_kinds("clock,net-frame", err)) << err;
  f.set_from(100);
  f.set_to(200);
  EXPECT_TRUE(f.wants(EventKind::kClockRead, 100));
  EXPECT_TRUE(f.wants(EventKind::kNetFrame, 200));
  EXPECT_FALSE(f.wants(EventKind::kNetFrame, 201));
  EXPECT_FALSE(f.wants(EventKind::kClockRead, 99));
  EXPECT_FALSE(f.wants(EventKind::kEntropy, 150));
  EXPECT_EQ(f.describe(), "instructions 100..200, kinds clock,net-frame");
  RrBlockInfo b;
  b.first_icount = 201;
  b.last_icount = 300;
  EXPECT_FALSE(f.may_match(b));
  b.first_icount = 150;
  EXPECT_TRUE(f.may_match(b));

  EventFilter g;
  EXPECT_FALSE(g.set_kinds("clock,disk-reed", err));
  EXPECT_NE(err.find("unknown event kind 'disk-reed'"), std::string::npos) << err;
  EXPECT_NE(err.find("char-input"), std::string::npos) << "lists the known kinds: " << err;
  EXPECT_FALSE(g.set_kinds("", err));
  EXPECT_FALSE(g.set_kinds("clock,", err)) << "an empty name is not a kind";
}

TEST(Timeline, SmallRecordingKeepsEveryEventAtOneInstructionPerBin) {
  TimelineBuilder t(0, 5000);
  int asked = 0;
  for (uint64_t i = 0; i < 1000; ++i)
    t.add(event_of(i % 3 ? EventKind::kCharInput : EventKind::kIdleWarp, i * 5), i, [&] {
      ++asked;
      return "x";
    });
  std::string page = t.html(TimelineInfo{});
  EXPECT_EQ(t.bin_width(), 1u);
  EXPECT_EQ(t.kept_events(), 1000u);
  EXPECT_EQ(asked, 1000);
  EXPECT_EQ(t.lanes(), 2u);
  EXPECT_EQ(t.cells(), 1000u);
  EXPECT_NE(page.find("\"name\":\"char-input\""), std::string::npos);
  EXPECT_NE(page.find("\"name\":\"idle-warp\""), std::string::npos);
  EXPECT_EQ(page.find("\"name\":\"clock\""), std::string::npos) << "no lane for a kind without events";
}

// Millions of events: the page stays within its bounds, every event is
// counted in the density, and summaries are only made for kept events.
TEST(Timeline, MillionsOfEventsStayBounded) {
  const uint64_t kEvents = 3'000'000;
  TimelineBuilder t(0, 40'000'000'000ull);
  uint64_t asked = 0;
  for (uint64_t i = 0; i < kEvents; ++i) {
    EventKind k = i % 10 == 0 ? EventKind::kEntropy : i % 1000 == 1 ? EventKind::kCheckpoint : EventKind::kCharInput;
    // Uneven density: a burst in the middle.
    uint64_t at = i < kEvents / 2 ? i * 20'000 : 30'000'000'000ull + (i - kEvents / 2);
    t.add(event_of(k, at), i, [&] {
      ++asked;
      return std::string(300, 'y');  // longer than a summary may be
    });
  }
  std::string page = t.html(TimelineInfo{});
  EXPECT_EQ(t.events(), kEvents);
  EXPECT_LE(t.cells(), kTimelineMaxCells);
  EXPECT_LE(t.kept_events(), kTimelineMaxEvents);
  EXPECT_GE(t.kept_events(), kTimelineMaxEvents / 4) << "the budget is used";
  EXPECT_LT(asked, 200'000u);
  EXPECT_LT(page.size(), 6u << 20) << "the page's bound (docs/recording-timeline.md)";
  std::printf("3M events, summaries at their longest: a page of %zu bytes, %zu bins of %llu instructions\n",
              page.size(), t.cells(), static_cast<unsigned long long>(t.bin_width()));
  EXPECT_EQ(page.find(std::string(kTimelineMaxSummary, 'y')), std::string::npos) << "summaries are cut";
  // The density counts add up to every event of each lane. (Parsed by
  // hand: std::regex recurses per character and overflows on a page this big.)
  uint64_t total = 0;
  for (size_t at = page.find("\"count\":"); at != std::string::npos; at = page.find("\"count\":", at + 1)) {
    uint64_t lane_count = std::stoull(page.substr(at + 8, 20));
    size_t list = page.find("\"cells\":[", at) + 9;
    size_t list_end = page.find(']', list);
    uint64_t lane_total = 0;
    int idx = 0;
    for (size_t pos = list; pos < list_end; ++idx) {
      size_t comma = std::min(page.find(',', pos), list_end);
      if (idx % 2) lane_total += std::stoull(page.substr(pos, comma - pos));
      pos = comma + 1;
    }
    EXPECT_EQ(lane_total, lane_count);
    total += lane_total;
    at = list_end;
  }
  EXPECT_EQ(total, kEvents);
}

// Lanes come from the registry: one event of every registered kind gives
// one lane per kind, whatever kinds exist.
TEST(Timeline, EveryRegisteredKindGetsItsLane) {
  TimelineBuilder t(0, 100);
  size_t kinds = 0;
  for_each_event_kind([&](EventKind k, const EventSpec&) { t.add(event_of(k, 10 * kinds++), 0, [] { return ""; }); });
  std::string page = t.html(TimelineInfo{});
  EXPECT_EQ(t.lanes(), kinds);
  for_each_event_kind([&](EventKind, const EventSpec& spec) {
    EXPECT_NE(page.find(std::string("\"name\":\"") + spec.name + "\""), std::string::npos) << spec.name;
  });
}

// A summary is cut to its bound in characters, and in bytes once escaped
// for the page (an '<' takes six).
TEST(Timeline, SummariesAreCutToTheirBounds) {
  TimelineBuilder t(0, 10);
  t.add(event_of(EventKind::kCharInput, 1), 0, [] { return std::string(kTimelineMaxSummary, 'a'); });
  t.add(event_of(EventKind::kCharInput, 2), 1, [] { return std::string(kTimelineMaxSummary + 1, 'b'); });
  t.add(event_of(EventKind::kCharInput, 3), 2, [] { return std::string(kTimelineMaxSummary, '<'); });
  std::string page = t.html(TimelineInfo{});
  EXPECT_NE(page.find("\"" + std::string(kTimelineMaxSummary, 'a') + "\""), std::string::npos) << "fits: not cut";
  EXPECT_NE(page.find("\"" + std::string(kTimelineMaxSummary - 3, 'b') + "...\""), std::string::npos);
  size_t lt = page.find("\\u003c");
  ASSERT_NE(lt, std::string::npos);
  size_t end = page.find('"', lt);
  EXPECT_LE(end - lt, kTimelineMaxSummaryBytes);
  EXPECT_GE(end - lt, kTimelineMaxSummaryBytes - 9);
  EXPECT_EQ(page.substr(end - 3, 3), "...");
}

TEST(Timeline, RecordingTextCannotBreakOutOfTheScript) {
  TimelineBuilder t(0, 10);
  t.add(event_of(EventKind::kCharInput, 1), 0, [] { return "</script><script>alert(1)</script><!--"; });
  TimelineInfo info;
  info.file = "</script>x.rr";
  info.header = {{"build", "<b>&amp;"}};
  info.snapshots = {{"</script>", 3, "<img src=x>"}};
  std::string page = t.html(info);
  EXPECT_EQ(count_of(page, "</script>"), 3u) << "only the page's own three scripts end";
  EXPECT_EQ(page.find("<!--"), std::string::npos);
  EXPECT_EQ(page.find("<img"), std::string::npos);
  EXPECT_EQ(page.find("http://"), std::string::npos) << "self-contained";
  EXPECT_EQ(page.find("https://"), std::string::npos) << "self-contained";
}

}  // namespace
}  // namespace rwd
