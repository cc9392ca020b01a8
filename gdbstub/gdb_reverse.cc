// Reverse execution in a replay (gdb's `bs` and `bc`), built only on
// ReplayNavigation: restore the nearest snapshot, replay forward.
//
// Stop points. The machine stops for gdb between instructions, after the
// interrupts due there are taken; that is "the first stop point" of an
// instruction count, where a seek lands (nav_seek settles it there).
// A count has further stop points only when an instruction traps without
// retiring (a page fault): the step into the trap lands on the handler's
// first instruction at the same count. Reverse-stepi goes to the stop
// point a forward stepi would have come from: the last one before the
// current point, found by seeking to the count before and stepping forward.
#include <algorithm>
#include <cstdio>

#include "accel/tcg/engine.h"
#include "gdbstub/gdb_server.h"
#include "hw/core/machine.h"
#include "replay/navigation.h"
#include "system/run_loop.h"
#include "target/riscv/cpu.h"

namespace rwd {

namespace {
constexpr unsigned kMaxTrapSteps = 64;  // traps in a row at one count (a nested fault chain)
// Reverse-continue scans an interval forwards in slices this long, so that
// a Ctrl-C (noted by the host poll between slices) stops it within one.
constexpr uint64_t kScanSlice = 1'000'000;
constexpr const char* kStopped = "T05thread:01;";
constexpr const char* kBegin = "T05replaylog:begin;";
}  // namespace

GdbServer::Point GdbServer::here() const {
  const riscv::CpuState& s = m_.machine.cpu().s;
  return {s.icount, s.pc, static_cast<int>(s.priv)};
}

// To the first stop point of `icount`.
void GdbServer::nav_seek(uint64_t icount) {
  stops_.disarm_step();
  engine_stops(false);
  at_end_ = false;
  m_.loop.reopen();
  // Standing at a later stop point of the same count, a seek there would
  // not move: go before it first.
  if (!first_point_known_ && icount > 0 && here().icount == icount) m_.nav->seek(icount - 1);
  m_.nav->seek(icount);
  // Take what is due at this count (timers, interrupts) as a run would
  // before its next instruction: that is where a stop lands.
  m_.engine.clear_exit();
  m_.engine.run(m_.machine.cpu().s.icount);
  m_.engine.clear_exit();
  first_point_known_ = true;
}

// One forward step while navigating; false when the run ended instead.
bool GdbServer::step_forward() {
  const riscv::CpuState& s = m_.machine.cpu().s;
  const uint64_t before = s.icount;
  stops_.skip_once(s.pc, s.icount);
  stops_.arm_step(s.icount, m_.engine.traps_taken());
  engine_debug_on_ = false;
  engine_stops(true);
  m_.loop.run_until(~0ull, true);
  stops_.disarm_step();
  scan_hits_.clear();
  first_point_known_ = s.icount != before;
  return !m_.loop.over();
}

// To the stop point before this one; false at the start of the recording.
bool GdbServer::back_one() {
  const Point x = here();
  const uint64_t t = x.icount;
  if (!first_point_known_) {
    nav_seek(t);
    unsigned k = 0;
    while (!(here() == x) && k < kMaxTrapSteps && step_forward() && here().icount == t) ++k;
    if (here() == x && k > 0) {
      nav_seek(t);
      for (unsigned i = 0; i + 1 < k; ++i) step_forward();
      first_point_known_ = k == 1;
      return true;
    }
  }
  if (t == 0) {
    nav_seek(0);
    return false;
  }
  nav_seek(t - 1);
  unsigned m = 0;
  while (here().icount == t - 1 && m < kMaxTrapSteps && step_forward()) ++m;
  if (m > 1) {
    nav_seek(t - 1);
    for (unsigned i = 0; i + 1 < m; ++i) step_forward();
  } else {
    nav_seek(t - 1);
  }
  first_point_known_ = m <= 1;
  return true;
}

void GdbServer::reverse_step() {
  navigating_ = true;
  m_.loop.resume();
  bool moved = back_one();
  navigating_ = false;
  held_ = true;
  engine_stops(stops_.any());
  report(moved ? kStopped : kBegin);
}

// A breakpoint hit: where the machine stood when it stopped. A watchpoint
// hit: right after the access, as going forward; gdb's riscv target takes
// watchpoints as reported before the access completes and steps over the
// instruction itself (here: backwards, to just before the write, where it
// sees the value change).
void GdbServer::land_on_hit(const Hit& h) {
  nav_seek(h.icount);
  if (h.what.kind == DebugHit::Kind::kWatch) return;
  unsigned k = 0;
  while (here().pc != h.pc && here().icount == h.icount && k < kMaxTrapSteps && step_forward()) ++k;
  first_point_known_ = k == 0;
}

void GdbServer::reverse_continue() {
  navigating_ = true;
  m_.loop.resume();
  uint64_t t = here().icount;
  bool found = false;
  Hit hit{};
  // Interval by interval, back from the current point: replay each one
  // with the breakpoints and watchpoints on, and keep its last hit.
  while (t > 0 && stops_.any() && !interrupt_) {
    uint64_t p = m_.nav->snapshot_at_or_before(t - 1);
    nav_seek(p);
    scan_hits_.clear();
    stops_.clear_skip();
    engine_debug_on_ = false;
    engine_stops(true);
    while (m_.machine.cpu().s.icount < t && !interrupt_ && !m_.loop.over())
      m_.loop.run_until(std::min(t, m_.machine.cpu().s.icount + kScanSlice));
    engine_stops(false);
    if (interrupt_) break;  // stopped where the scan was: a point in the past
    if (!scan_hits_.empty()) {
      hit = scan_hits_.back();
      found = true;
      break;
    }
    t = p;
  }
  std::string reply;
  if (found) {
    land_on_hit(hit);
    reply = hit_reply(hit.what);
  } else if (interrupt_) {
    reply = "T02thread:01;";
  } else {
    nav_seek(0);
    reply = kBegin;
  }
  scan_hits_.clear();
  navigating_ = false;
  held_ = true;
  engine_stops(stops_.any());
  report(reply);
}

}  // namespace rwd
