// The divergence trail (docs/divergence.md): the trail event's codec, the
// recorder writing one at the first service point of every interval (none
// where a checkpoint already checks the state), the replay stopping at the
// first trail point after a difference, and recordings without a trail.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "replay/event_codec.h"
#include "replay/replay.h"
#include "replay/rrfile.h"
#include "test_machine.h"

namespace rwd {
namespace {

using test::TestBoard;

std::string temp_rrfile() {
  char name[] = "/tmp/rewind-trail-XXXXXX";
  int fd = mkstemp(name);
  close(fd);
  return name;
}

Options options(const std::string& mode, const std::string& file, uint64_t trail) {
  Options o;
  o.icount.enabled = true;
  o.icount.rr = mode;
  o.icount.rrfile = file;
  o.seed = 7;
  o.rr_check_interval = 10000;
  o.rr_trail_interval = trail;
  return o;
}

// Every event of a recording: (kind, icount).
std::vector<std::pair<EventKind, uint64_t>> events_of(const std::string& path) {
  std::vector<std::pair<EventKind, uint64_t>> out;
  RrReader rr(path);
  for (size_t b = 0; b < rr.blocks().size(); ++b) {
    std::vector<uint8_t> raw = rr.read_block(b);
    RrEventCursor cur(raw, rr.blocks()[b]);
    uint8_t kb;
    uint64_t at;
    std::vector<uint8_t> payload;
    while (cur.next(kb, at, payload)) out.push_back({decode_event(kb, at, payload).kind, at});
  }
  return out;
}

// A recording whose run loop stops where the controller asks, serving each
// stop, to `end` instructions; the engine also stops at `extra` counts.
void record(const std::string& path, uint64_t trail, uint64_t end, std::vector<uint64_t> extra = {}) {
  Options o = options("record", path, trail);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  c.attach(board);
  c.begin_service();
  size_t next_extra = 0;
  while (board.m.cpu.s.icount < end) {
    uint64_t stop = std::min(c.next_stop(), end);
    if (next_extra < extra.size() && extra[next_extra] < stop) stop = extra[next_extra++];
    board.run_to(stop);
    board.m.cpu.s.x[5] = stop * 3;  // the state moves on
    c.begin_service();
  }
  c.end(EndReason::kGuestShutdown, 0);
}

TEST(DivergenceTrail, TheTrailEventIsItsStateCheck) {
  const EventSpec& spec = event_spec(EventKind::kTrail);
  EXPECT_STREQ(spec.name, "trail");
  EXPECT_EQ(spec.family, EventFamily::kAsync);
  EXPECT_EQ(static_cast<int>(EventKind::kTrail), 21);
  Event e;
  e.kind = EventKind::kTrail;
  e.check = 0xdeadbeef;
  ByteWriter w;
  encode_payload(e, w);
  EXPECT_EQ(w.size(), 4u);  // the u32 check, nothing else
  Event back = decode_event(21, 1234, w.data());
  EXPECT_EQ(back.kind, EventKind::kTrail);
  EXPECT_EQ(back.check, 0xdeadbeefu);
  EXPECT_EQ(back.icount, 1234u);
  // A byte more is a malformed payload.
  std::vector<uint8_t> longer = w.data();
  longer.push_back(0);
  EXPECT_THROW(decode_event(21, 1234, longer), DecodeError);
}

TEST(DivergenceTrail, RecorderWritesOnePerIntervalButNotOnACheckpoint) {
  std::string path = temp_rrfile();
  // The engine also stops at 2500 and 4100 (as for a host input): the trail
  // point of 4096 is written at 4096, not at 4100.
  record(path, 1024, 12000, {2500, 4100});
  std::vector<uint64_t> trail;
  for (auto [kind, at] : events_of(path))
    if (kind == EventKind::kTrail) trail.push_back(at);
  std::vector<uint64_t> want;
  for (uint64_t at = 1024; at < 12000; at += 1024)
    if (at % 10000 != 0) want.push_back(at);  // 10000 is not a multiple of 1024 anyway
  EXPECT_EQ(trail, want);
  RrReader rr(path);
  EXPECT_EQ(rr.header().get("trail-interval"), "1024");
  std::remove(path.c_str());
}

TEST(DivergenceTrail, NoTrailWhenTheIntervalIsZero) {
  std::string path = temp_rrfile();
  record(path, 0, 12000);
  for (auto [kind, at] : events_of(path)) EXPECT_NE(kind, EventKind::kTrail) << "at " << at;
  std::remove(path.c_str());
}

// Replays `path`, changing x6 at `perturb_at`; returns the divergence
// report, or "" when the replay matched to the end.
std::string replay(const std::string& path, uint64_t perturb_at, uint64_t end) {
  Options o = options("replay", path, 0);
  ReplayController c(o, 0, nullptr);
  c.start(machine_fingerprint(o));
  TestBoard board;
  c.attach(board);
  try {
    for (int guard = 0; !c.finished() && guard < 10000; ++guard) {
      uint64_t stop = std::min(c.next_stop(), end);
      if (board.m.cpu.s.icount < perturb_at && stop > perturb_at) stop = perturb_at;
      board.run_to(std::max(stop, board.m.cpu.s.icount));
      if (board.m.cpu.s.icount == perturb_at) board.m.cpu.s.x[6] ^= 1;
      if (stop != perturb_at) board.m.cpu.s.x[5] = stop * 3;
      if (board.m.cpu.s.icount >= end) break;
      c.replay_service(false);
    }
    c.replay_service(false);  // the recorder's last service point, at `end`
    c.end(EndReason::kGuestShutdown, 0);
  } catch (const ReplayDivergence& d) {
    return d.what();
  }
  return "";
}

TEST(DivergenceTrail, ReplayStopsAtTheFirstTrailPointAfterADifference) {
  std::string path = temp_rrfile();
  record(path, 1024, 30000);
  EXPECT_EQ(replay(path, ~0ull, 30000), "");
  std::string report = replay(path, 5000, 30000);
  // Checkpoints are every 10000: without the trail this would be found at
  // 10000; with it, at the trail point 5120.
  EXPECT_NE(report.find("instruction 5120"), std::string::npos) << report;
  EXPECT_NE(report.find("trail event"), std::string::npos) << report;
  EXPECT_NE(report.find("last point that matched: instruction 4096"), std::string::npos) << report;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace rwd
