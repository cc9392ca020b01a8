// What a debugger asks the engine to stop at (gdbstub/): breakpoints at
// instruction addresses, one-instruction steps, and data watchpoints. The
// engine looks at this only while a debugger has something set
// (Engine::set_debug), so a run without a debugger pays nothing. Every stop
// falls between two instructions at an exact instruction count: a recording
// or replay under a debugger executes exactly what it would without one.
#pragma once
#include <cstdint>
#include <set>
#include <vector>

#include "target/riscv/mmu.h"

namespace rwd {

// gdb's Z2 (write), Z3 (read) and Z4 (access) watchpoints.
enum class WatchKind : uint8_t { kWrite = 2, kRead = 3, kAccess = 4 };

struct Watchpoint {
  uint64_t addr = 0, len = 0;  // guest virtual addresses, as gdb names them
  WatchKind kind = WatchKind::kWrite;
  bool operator==(const Watchpoint& o) const { return addr == o.addr && len == o.len && kind == o.kind; }
};

struct DebugHit {
  enum class Kind { kNone, kBreakpoint, kStep, kWatch };
  Kind kind = Kind::kNone;
  uint64_t addr = 0;  // kWatch: the watched address the access touched
  WatchKind watch = WatchKind::kWrite;
};

class DebugStops : public riscv::MemWatcher {
 public:
  static constexpr size_t kMaxBreakpoints = 4096, kMaxWatchpoints = 64;

  bool add_breakpoint(uint64_t pc);  // false when the table is full
  void remove_breakpoint(uint64_t pc) { breakpoints_.erase(pc); }
  bool has_breakpoint(uint64_t pc) const { return breakpoints_.count(pc) != 0; }
  const std::set<uint64_t>& breakpoints() const { return breakpoints_; }
  bool add_watch(const Watchpoint& w);  // false when full or empty
  void remove_watch(const Watchpoint& w);
  bool has_watches() const { return !watches_.empty(); }
  void clear();
  // Anything for the engine to check.
  bool any() const { return !breakpoints_.empty() || !watches_.empty() || stepping_; }

  // A step of one instruction from here (`traps`: the engine's trap count):
  // it ends once an instruction retires or a trap or interrupt is taken.
  void arm_step(uint64_t icount, uint64_t traps);
  void disarm_step() { stepping_ = false; }
  bool stepping() const { return stepping_; }
  // Resuming from a breakpoint stop: that breakpoint does not stop again
  // until the machine has moved on.
  void skip_once(uint64_t pc, uint64_t icount);
  void clear_skip() { skip_ = false; }

  // The engine, between instructions (after interrupts are taken): true
  // when the machine must stop here; hit() says why.
  bool should_stop(uint64_t pc, uint64_t icount, uint64_t traps);
  const DebugHit& hit() const { return hit_; }
  // An instruction whose access was seen trapped and was rolled back.
  void cancel_access() { pending_ = DebugHit{}; }

  // riscv::MemWatcher.
  bool page_watched(uint64_t va_page) const override;
  bool accessed(uint64_t va, unsigned size, riscv::AccessType type) override;

 private:
  std::set<uint64_t> breakpoints_;
  std::vector<Watchpoint> watches_;
  bool stepping_ = false;
  uint64_t step_icount_ = 0, step_traps_ = 0;
  bool skip_ = false;
  uint64_t skip_pc_ = 0, skip_icount_ = 0;
  DebugHit pending_;  // a watched access by the instruction that just ran
  DebugHit hit_;
};

}  // namespace rwd
