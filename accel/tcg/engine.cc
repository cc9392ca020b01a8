#include "accel/tcg/engine.h"

#include <thread>

#include "system/vclock.h"
#include "target/riscv/cpu_dump.h"
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
      return true;
    default:
      return false;
  }
}

constexpr uint64_t kRealtimeSlice = 1 << 16;  // instructions between host-time checks

}  // namespace

Engine::Engine(riscv::Cpu& cpu, AddressSpace& as, VirtualClock& clock)
    : cpu_(cpu), as_(as), clock_(clock) {
  as_.on_code_write = [this](uint64_t pa_page) { tb_cache_.invalidate_page(pa_page); };
}

TranslationBlock* Engine::find_block() {
  uint64_t pc = cpu_.s.pc;
  uint32_t ctx = cpu_.tb_context();
  if (TranslationBlock* tb = tb_cache_.find_virtual(pc, ctx)) return tb;
  uint64_t ppc;
  const uint8_t* host = cpu_.mmu.fetch_ptr(pc, ppc);  // may throw a fetch fault
  TranslationBlock* tb = tb_cache_.find_physical(ppc, pc, ctx);
  if (tb) {
    tb_cache_.remember_virtual(tb);
    return tb;
  }
  return translate(pc, ppc, host);
}

void Engine::log_block(const TranslationBlock& tb) {
  Logger& log = logger();
  if (log.wants(kLogExec, cpu_.s.icount)) {
    log.printf("Trace 0: 0x0 [00000000/%016llx/%08x/00000000] \n",
               static_cast<unsigned long long>(tb.vpc), tb.context);
  }
  if (log.wants(kLogCpu, cpu_.s.icount)) riscv::dump_cpu_state(cpu_, log.out(), log.wants(kLogFpu));
}

void Engine::execute(TranslationBlock& tb, uint64_t budget) {
  const riscv::Op* ops = tb.ops.data();
  size_t n = tb.ops.size();
  if (n > budget) n = budget;
  riscv::Cpu& cpu = cpu_;
  cpu.s.pc = n == tb.ops.size() ? tb.next_pc : ops[n].pc;
  size_t i = 0;
  try {
    for (; i < n; ++i) ops[i].fn(cpu, ops[i]);
    cpu.s.icount += n;
  } catch (const GuestTrap& t) {
    const riscv::Op& op = ops[i];
    bool retires = trap_retires_instruction(t.cause);
    cpu.s.icount += i + (retires ? 1 : 0);
    // Illegal-instruction traps report the instruction bits, as QEMU does.
    uint64_t tval = t.cause == Cause::kIllegalInsn ? op.raw : t.tval;
    cpu.s.tb_insn_index = 0;
    cpu.enter_trap(t.cause, tval, op.pc);
  }
  cpu.s.tb_insn_index = 0;
}

// Fires due timers; handles a waiting hart. Returns false when run() must
// stop with `why`.
bool Engine::service_timers_and_idle(StopReason& why) {
  if (clock_.icount_mode()) {
    if (clock_.next_deadline() <= clock_.now_ns()) clock_.run_expired();
  } else if (cpu_.s.icount >= next_realtime_check_) {
    next_realtime_check_ = cpu_.s.icount + kRealtimeSlice;
    clock_.run_expired();
    why = StopReason::kTimeSlice;
    return false;
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
    clock_.warp_to(deadline);
    clock_.run_expired();
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
  while (!exit_requested_) {
    tb_cache_.free_retired();
    if (cpu_.mmu.flush_count() != seen_flush_count_) {
      seen_flush_count_ = cpu_.mmu.flush_count();
      tb_cache_.clear_jump_cache();
    }
    StopReason why;
    if (!service_timers_and_idle(why)) return why;
    if (cpu_.s.wfi) continue;
    if ((cpu_.s.mip & cpu_.s.mie) && cpu_.take_pending_interrupt()) continue;

    if (cpu_.s.icount >= until_icount) return StopReason::kLimit;
    uint64_t budget = until_icount - cpu_.s.icount;
    if (clock_.icount_mode()) {
      uint64_t to_deadline = clock_.instructions_until_deadline();
      if (to_deadline == 0) continue;
      if (to_deadline < budget) budget = to_deadline;
    }

    TranslationBlock* tb;
    try {
      tb = find_block();
    } catch (const GuestTrap& t) {
      cpu_.enter_trap(t.cause, t.tval, cpu_.s.pc);
      continue;
    }
    if (logging) log_block(*tb);
    execute(*tb, budget);
  }
  return StopReason::kExit;
}

}  // namespace rwd
