// Sstc, the supervisor timer compare extension: stimecmp (0x14d) raises
// mip.STIP once `time` reaches it, so S-mode programs its own timer without
// an SBI call (a trap to M) per tick. menvcfg.STCE opens it to S-mode.
//
// Behaviour follows QEMU 7.2's rv64 (checked by tests/tcg/sstc.S on both):
// - M-mode reads and writes stimecmp whatever STCE; S-mode needs
//   mcounteren.TM and menvcfg.STCE, else illegal instruction; U-mode never.
// - Writing stimecmp re-evaluates STIP at once (set when time >= stimecmp,
//   cleared otherwise) and arms a timer for a future value, also with
//   STCE = 0; while STCE = 1, M-mode writes to mip.STIP are ignored.
// - The timer's deadline is taken as the CLINT does for mtimecmp: the
//   current virtual time plus (stimecmp - time) ticks of 100 ns. Virtual
//   time is a function of the instruction count under -icount, so STIP
//   rises at the same instruction in every run, and the clock's idle warp
//   (WFI) sees this deadline like any other timer's.
#include "hw/core/vclock.h"
#include "target/riscv/cpu.h"

namespace rwd::riscv {

bool Cpu::stimecmp_allowed() const {
  if (s.priv == Priv::M) return true;
  return (s.mcounteren & counteren::kTM) && (s.menvcfg & menvcfg::kSTCE);
}

uint64_t Cpu::mip_writable() const {
  uint64_t w = irq::kSSIP | irq::kSTIP | irq::kSEIP;
  if (config_.sstc && (s.menvcfg & menvcfg::kSTCE)) w &= ~irq::kSTIP;  // time drives it
  return w & irq_mask_;
}

uint64_t Cpu::menvcfg_writable() const {
  uint64_t w = menvcfg::kFIOM | menvcfg::kCBIE | menvcfg::kCBCFE | menvcfg::kCBZE | menvcfg::kPBMTE;
  return config_.sstc ? w | menvcfg::kSTCE : w;
}

void Cpu::write_stimecmp(uint64_t value) {
  s.stimecmp = value;
  const uint64_t now_ticks = read_time();
  if (now_ticks >= value) {
    s.stimecmp_deadline = VirtualClock::kNever;
    set_mip_bit(irq::kSTIP, true);
  } else {
    set_mip_bit(irq::kSTIP, false);
    const uint64_t ticks = value - now_ticks, now = clock_.now_ns();
    const uint64_t limit = (VirtualClock::kNever - now) / kNsPerTimeTick;
    s.stimecmp_deadline = ticks >= limit ? VirtualClock::kNever : now + ticks * kNsPerTimeTick;
  }
  arm_stimecmp_timer();
}

void Cpu::stimecmp_expired() {
  s.stimecmp_deadline = VirtualClock::kNever;
  set_mip_bit(irq::kSTIP, true);
}

void Cpu::arm_stimecmp_timer() {
  if (s.stimecmp_deadline == VirtualClock::kNever)
    clock_.disarm(stimecmp_timer_);
  else
    clock_.arm(stimecmp_timer_, s.stimecmp_deadline);
}

}  // namespace rwd::riscv
