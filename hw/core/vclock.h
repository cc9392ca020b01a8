// Guest time. In icount mode virtual time is a pure function of the number of
// retired instructions: ns = (icount << shift) + idle_warp_ns. Idle periods
// (WFI with nothing pending) warp time to the next timer deadline, so an idle
// guest costs no host CPU and stays deterministic. Without -icount, guest time
// follows the host's monotonic clock, as QEMU does.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "util/byte_codec.h"

namespace rwd {

class VirtualClock {
 public:
  using Callback = std::function<void()>;
  static constexpr uint64_t kNever = ~0ull;

  // `icount` points at the retired-instruction count; `in_block` at the index
  // of the executing instruction within its translation block (the count of
  // the current instruction is *icount + *in_block).
  // `attention` is raised whenever the timer set changes, so an executing
  // chain of blocks returns to the engine to re-derive its budget.
  void attach(const uint64_t* icount, const uint32_t* in_block, bool* attention = nullptr) {
    icount_ = icount;
    in_block_ = in_block;
    attention_ = attention;
  }
  void set_icount_mode(int shift) {
    icount_mode_ = true;
    shift_ = shift;
  }
  void set_realtime_mode();
  bool icount_mode() const { return icount_mode_; }
  int shift() const { return shift_; }
  void set_sleep(bool sleep) { sleep_ = sleep; }
  bool sleep() const { return sleep_; }

  uint64_t now_ns() const;
  uint64_t instructions_now() const { return *icount_ + *in_block_; }

  // Timers: a callback at an absolute virtual-time deadline, run between
  // instructions once the clock has reached it.
  int add_timer(Callback cb);
  void arm(int timer, uint64_t deadline_ns);
  void disarm(int timer);
  uint64_t next_deadline() const { return next_deadline_; }
  // Fires every timer whose deadline has passed. Returns true if any fired.
  bool run_expired();

  // icount mode: instructions that may run before the next deadline is due.
  uint64_t instructions_until_deadline() const;
  // The hart idled for `ns` of virtual time: the one way time jumps. In
  // icount mode virtual time moves `ns` ahead (a warp to exactly the next
  // deadline wakes the hart as QEMU does: the next instruction sees the
  // timer's deadline); then every timer that is due fires.
  void idle_warp(uint64_t ns);
  uint64_t warp_ns() const { return warp_ns_; }

  // The clock's own state for snapshots (timers are their devices': each
  // device re-arms its own on load). Realtime mode saves the time elapsed,
  // so a loaded clock continues from it.
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  struct Timer {
    uint64_t deadline = kNever;
    Callback cb;
  };
  void recompute_deadline();
  void warp_to(uint64_t ns);

  std::vector<Timer> timers_;
  uint64_t next_deadline_ = kNever;
  bool* attention_ = nullptr;
  const uint64_t* icount_ = nullptr;
  const uint32_t* in_block_ = nullptr;
  bool icount_mode_ = false;
  bool sleep_ = true;
  int shift_ = 0;
  uint64_t warp_ns_ = 0;
  uint64_t wake_due_ = 0;  // set by an idle warp for the next run_expired()
  uint64_t host_start_ns_ = 0;
};

}  // namespace rwd
