#include "hw/core/vclock.h"

#include "util/host_clock.h"

namespace rwd {

void VirtualClock::set_realtime_mode() {
  icount_mode_ = false;
  host_start_ns_ = host_monotonic_ns();
}

uint64_t VirtualClock::now_ns() const {
  if (icount_mode_) return (instructions_now() << shift_) + warp_ns_;
  return host_monotonic_ns() - host_start_ns_ + warp_ns_;
}

int VirtualClock::add_timer(Callback cb) {
  timers_.push_back({kNever, std::move(cb)});
  return static_cast<int>(timers_.size() - 1);
}

void VirtualClock::arm(int timer, uint64_t deadline_ns) {
  timers_[timer].deadline = deadline_ns;
  recompute_deadline();
}

void VirtualClock::disarm(int timer) {
  timers_[timer].deadline = kNever;
  recompute_deadline();
}

void VirtualClock::recompute_deadline() {
  uint64_t d = kNever;
  for (const auto& t : timers_) d = t.deadline < d ? t.deadline : d;
  next_deadline_ = d;
  if (attention_) *attention_ = true;
}

bool VirtualClock::run_expired() {
  bool fired = false;
  uint64_t now = now_ns();
  if (wake_due_ > now) now = wake_due_;  // timers an idle warp has woken up
  wake_due_ = 0;
  for (auto& t : timers_) {
    if (t.deadline <= now) {
      t.deadline = kNever;
      recompute_deadline();
      t.cb();  // may re-arm
      fired = true;
    }
  }
  return fired;
}

uint64_t VirtualClock::instructions_until_deadline() const {
  uint64_t d = next_deadline();
  if (d == kNever) return kNever;
  uint64_t now = now_ns();
  if (d <= now) return 0;
  // Smallest n with ((icount + n) << shift) + warp >= d.
  uint64_t delta = d - now;
  return (delta + (1ull << shift_) - 1) >> shift_;
}

void VirtualClock::idle_warp(uint64_t ns) {
  if (icount_mode_) warp_to(now_ns() + ns);
  run_expired();
}

void VirtualClock::warp_to(uint64_t ns) {
  uint64_t now = now_ns();
  if (icount_mode_ && ns != kNever && ns == next_deadline_) {
    // Waking an idle hart for the next timer: QEMU (icount, sleep=off) moves
    // the clock so that the first instruction after the wait sees exactly the
    // timer's deadline D, i.e. the clock between instructions becomes
    // D - 1 instruction, and the timer fires there.
    uint64_t step = 1ull << shift_;
    uint64_t target = ns >= step ? ns - step : 0;
    if (target > now) warp_ns_ += target - now;
    wake_due_ = ns;
  } else if (ns > now) {
    warp_ns_ += ns - now;
  }
}

void VirtualClock::save(ByteWriter& w) const {
  w.section("vclock");
  w.u8(icount_mode_);
  w.u32(static_cast<uint32_t>(shift_));
  w.u64(warp_ns_);
  w.u64(wake_due_);
  w.u64(icount_mode_ ? 0 : host_monotonic_ns() - host_start_ns_);
}

void VirtualClock::load(ByteReader& r) {
  r.expect_section("vclock");
  bool icount_mode = r.u8() != 0;
  int shift = static_cast<int>(r.u32());
  if (icount_mode != icount_mode_ || shift != shift_) throw DecodeError("virtual clock: saved with other -icount settings");
  warp_ns_ = r.u64();
  wake_due_ = r.u64();
  uint64_t realtime_elapsed = r.u64();
  if (!icount_mode_) host_start_ns_ = host_monotonic_ns() - realtime_elapsed;
}

}  // namespace rwd
