#include "accel/tcg/engine.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "accel/tcg/block_exit_inline.h"
#include "accel/tcg/op_registry.h"
#include "hw/core/vclock.h"
#include "target/riscv/cpu_dump.h"
#include "util/host_clock.h"
#include "util/log.h"

namespace rwd {

using riscv::Cause;
using riscv::GuestTrap;

namespace {

// QEMU's -icount counts an instruction that raises an exception itself
// (ecall, ebreak, illegal instruction) but not one whose memory access
// faults (it is rolled back and re-executed). rewind counts the same way, so
// instruction counts, counters and timer deadlines agree with QEMU's.
bool trap_retires_instruction(Cause c) {
  switch (c) {
    case Cause::kEcallU:
    case Cause::kEcallS:
    case Cause::kEcallM:
    case Cause::kBreakpoint:
    case Cause::kIllegalInsn:
    case Cause::kInsnMisaligned:  // a jump's (IALIGN = 32): raised like ecall
      return true;
    default:
      return false;
  }
}

constexpr uint64_t kRealtimeSlice = 1 << 16;  // instructions between host-time checks
// Without icount, the host is served (input polled, output flushed) at most
// this often while the guest computes. Returning to the run loop at every
// host-time check (every 64K instructions) cost a poll(2) and a main-loop
// iteration each: 24,000 of them in the CPU benchmark, which made rewind
// slower without icount than with it.
constexpr uint64_t kHostServiceNs = 500'000;

// The exit op of a block cut short by the budget: counts what ran.
void tb_exit_partial(riscv::Cpu& c, const riscv::Op* o) {
  c.s.icount += static_cast<uint64_t>(o->imm);
  c.s.tb_insn_index = 0;
}

}  // namespace

Engine::Engine(riscv::Cpu& cpu, AddressSpace& as, VirtualClock& clock)
    : cpu_(cpu), as_(as), clock_(clock), compiler_(cpu, chain_, tb_cache_.epoch_ptr()) {
  // A write to translated code invalidates it and ends the running block
  // after the writing instruction (see end_block_after), so what executes
  // next never depends on where a run was sliced.
  as_.on_code_write = [this](uint64_t pa_page) {
    tb_cache_.invalidate_page(pa_page);
    cpu_.s.attention = true;
  };
  // A flash bank left read-array mode: fetches must not reach its storage.
  as_.on_fetch_remap = [this] { cpu_.mmu.flush(); };
}

TranslationBlock* Engine::find_block() {
  uint64_t pc = cpu_.s.pc;
  uint32_t ctx = cpu_.tb_context();
  TranslationBlock* tb = tb_cache_.find_virtual(pc, ctx);
  if (tb && chain::still_mapped(cpu_, *tb)) return tb;
  uint64_t ppc;
  const uint8_t* host = cpu_.mmu.fetch_ptr(pc, ppc);  // may throw a fetch fault
  tb = tb_cache_.find_physical(ppc, pc, ctx);
  if (!tb) tb = translate(pc, ppc, host);
  else tb_cache_.remember_virtual(tb);
  tb->mapped_generation = cpu_.mmu.mapping_generation();
  return tb;
}

void Engine::log_block(const TranslationBlock& tb) {
  Logger& log = logger();
  if (log.wants(kLogExec, cpu_.s.icount)) {
    log.printf("Trace 0: 0x0 [00000000/%016llx/%08x/00000000] \n",
               static_cast<unsigned long long>(tb.vpc), tb.context);
  }
  if (log.wants(kLogCpu, cpu_.s.icount)) riscv::dump_cpu_state(cpu_, log.out(), log.wants(kLogFpu));
}


// Runs `tb` (at most `stop - icount` instructions of it) and whatever chains
// from it. Returns false when an instruction trapped (the trap was taken).
bool Engine::execute(TranslationBlock& tb, uint64_t stop) {
  riscv::Cpu& cpu = cpu_;
  const riscv::Op* ops = tb.ops.data();
  const uint64_t start = cpu.s.icount;
  uint64_t budget = stop - start;
  uint32_t cut = 0;  // instructions run when the block is cut short
  if (tb.size > budget) {
    // Cut short: run a copy of the first `budget` ops ending in a partial exit.
    uint32_t n = static_cast<uint32_t>(budget);
    partial_.assign(tb.ops.begin(), tb.ops.begin() + n);
    // A pair fused across the cut would run one instruction too many.
    partial_[n - 1].fn = unfused(partial_[n - 1].fn);
    riscv::Op exit_op{};
    exit_op.fn = tb_exit_partial;
    exit_op.imm = n;
    partial_.push_back(exit_op);
    ops = partial_.data();
    cpu.s.pc = tb.ops[n].pc;
    cut = n;
  } else {
    cpu.s.pc = tb.next_pc;
  }
  // A side exit taken in a cut block's copy goes no further (no budget).
  chain_.enter(stop, cpu.s.attention || cut != 0);
  cpu.current_op = nullptr;
  cpu.ended_after_seq = 0;
  rest_.valid = false;
  chain_.stack_base = host_stack_pointer();
  try {
    if (ops == tb.ops.data()) tb.entry(cpu, ops);
    else ops[0].fn(cpu, ops);
  } catch (const GuestTrap& t) {
    take_trap(t);
    return false;
  }
  // What a compiled block parked instead of unwinding through its frame.
  if (chain_.trap_pending) {
    chain_.trap_pending = false;
    take_trap(chain_.trap);
    return false;
  }
  if (chain_.exception) std::rethrow_exception(std::exchange(chain_.exception, nullptr));
  // Ended early (in whichever chained block ran last: the chain stops
  // there), or cut: remember the rest of that block. A cut block that left
  // by a side exit has no rest.
  if (cut && (cpu.s.icount != start + cut || cpu.s.pc != tb.ops[cut].pc)) cut = 0;
  note_block_rest(cpu.ended_after_seq ? cpu.ended_after_seq : cut);
  return true;
}

void Engine::set_debug(DebugStops* stops) {
  debug_ = stops;
  watching_ = stops && stops->has_watches();
  cpu_.mmu.set_watcher(stops && stops->has_watches() ? stops : nullptr);
  tb_cache_.clear();  // blocks were cut at the old breakpoints
}

void Engine::take_trap(const GuestTrap& t) {
  riscv::Cpu& cpu = cpu_;
  ++traps_taken_;
  // The trapping op marked itself (Cpu::mark_current); the blocks chained
  // before it have already been counted.
  assert(cpu.current_op != nullptr);
  const riscv::Op& op = *cpu.current_op;
  uint32_t i = op.seq - 1u;
  bool retires = trap_retires_instruction(t.cause) && !t.rolled_back;
  if (debug_ && !retires) debug_->cancel_access();
  cpu.s.icount += i + (retires ? 1 : 0);
  // Illegal-instruction traps report the instruction bits, as QEMU does.
  uint64_t tval = t.cause == Cause::kIllegalInsn ? op.raw : t.tval;
  cpu.s.tb_insn_index = 0;
  cpu.enter_trap(t.cause, tval, op.pc);
}

// The guest's execute triggers (target/riscv/debug_triggers.h), between
// instructions, after interrupts: blocks end before every armed address and
// all come back here while one is armed, so a trigger fires before its
// instruction in compiled code as in the interpreter, not counted (as QEMU
// 7.2). Returns true when it fired (the breakpoint exception was taken).
bool Engine::check_execute_triggers() {
  if (cpu_.trigger_epoch() != seen_trigger_epoch_) {
    seen_trigger_epoch_ = cpu_.trigger_epoch();
    // Blocks were cut for the old addresses (none when none was armed).
    if (execute_triggers_ || cpu_.execute_triggers()) tb_cache_.clear();
    execute_triggers_ = cpu_.execute_triggers();
  }
  if (!execute_triggers_) return false;
  cpu_.s.attention = true;  // every block comes back here
  if (!riscv::trigger::execute_hit(cpu_.s, cpu_.s.pc)) return false;
  ++traps_taken_;
  cpu_.enter_trap(Cause::kBreakpoint, 0, cpu_.s.pc);
  return true;
}

// Fires due timers; handles a waiting hart. Returns false when run() must
// stop with `why`.
bool Engine::service_timers_and_idle(StopReason& why) {
  if (clock_.icount_mode()) {
    if (clock_.next_deadline() <= clock_.now_ns()) clock_.run_expired();
  } else if (cpu_.s.icount >= next_realtime_check_) {
    next_realtime_check_ = cpu_.s.icount + kRealtimeSlice;
    clock_.run_expired();
    const uint64_t now = host_monotonic_ns();
    if (!cpu_.s.wfi && now - last_host_service_ns_ >= kHostServiceNs) {
      last_host_service_ns_ = now;
      why = StopReason::kTimeSlice;
      return false;
    }
  }
  if (!cpu_.s.wfi) return true;
  if (cpu_.interrupt_pending()) {
    cpu_.s.wfi = false;
    return true;
  }
  uint64_t deadline = clock_.next_deadline();
  if (deadline == VirtualClock::kNever) {
    why = StopReason::kIdle;
    return false;
  }
  if (clock_.icount_mode() && !clock_.sleep()) {
    // sleep=off: virtual time jumps straight to the next deadline.
    clock_.idle_warp(deadline - std::min(deadline, clock_.now_ns()));
    return true;
  }
  // The host loop paces idle time against the host clock (sleep=on, or
  // realtime mode), then warps and resumes.
  why = StopReason::kIdle;
  return false;
}

StopReason Engine::run(uint64_t until_icount) {
  Logger& log = logger();
  const bool logging = log.wants(kLogExec | kLogCpu);
  riscv::CpuState& st = cpu_.s;
  chain_.cache = &tb_cache_;
  chain_.epoch = tb_cache_.epoch_ptr();
  cpu_.chain = &chain_;
  // A guest can spin without retiring instructions (a fetch fault whose
  // handler faults again): yield to the host loop now and then regardless,
  // so signals and the monitor are still served. Host-side only: it does not
  // change what the guest executes.
  unsigned slow_iterations = 0;
  for (;;) {
    if (++slow_iterations > kMaxSlowIterations) return StopReason::kTimeSlice;
    // Slow path: housekeeping between runs of chained blocks.
    st.attention = false;
    tb_cache_.free_retired();
    StopReason why;
    if (!service_timers_and_idle(why)) return why;
    if (st.wfi) continue;
    if ((st.mip & st.mie) && cpu_.take_pending_interrupt()) {
      ++traps_taken_;
      continue;
    }
    // An exit request stops here, where a stop at a count does: after due
    // timers and pending interrupts. A recording that logs input after an
    // exit (a device asked for a service step) then sees the state a replay
    // stopping at that count sees.
    if (exit_requested_) return StopReason::kExit;
    if (st.icount >= until_icount) return StopReason::kLimit;
    if (debug_) [[unlikely]] {
      // Between two instructions, interrupts taken: where a debugger stops.
      if (debug_->should_stop(st.pc, st.icount, traps_taken_)) return StopReason::kDebug;
      st.attention = true;  // every block comes back here
    }
    if (check_execute_triggers()) continue;

    // Stop at the requested count or the next timer deadline, whichever is first.
    uint64_t stop = until_icount;
    if (clock_.icount_mode()) {
      uint64_t to_deadline = clock_.instructions_until_deadline();
      if (to_deadline == 0) continue;
      if (to_deadline < stop - st.icount) stop = st.icount + to_deadline;
    } else if (next_realtime_check_ < stop) {
      stop = std::max(next_realtime_check_, st.icount + 1);
    }
    if (debug_ && debug_->stepping()) stop = std::min(stop, st.icount + 1);

    // Where the last block stopped before its end, its rest runs first,
    // untranslated (block_rest.cc).
    if (rest_.valid) [[unlikely]] {
      if (run_block_rest(stop)) continue;
    }
    TranslationBlock* tb;
    try {
      tb = find_block();
    } catch (const GuestTrap& t) {
      ++traps_taken_;
      cpu_.enter_trap(t.cause, t.tval, st.pc);
      continue;
    }
    // Fast path: the block and every block chained from it, until the budget
    // runs out or something raises `attention`. Per-block logging needs every
    // block to come back here.
    if (logging) {
      log_block(*tb);
      st.attention = true;
    }
    execute(*tb, stop);
    st.tb_insn_index = 0;
  }
}

}  // namespace rwd
