// Traps, interrupts, privilege transitions, reset and state loading.
#include "target/riscv/cpu.h"

#include "hw/core/vclock.h"
#include "target/riscv/cpu_fields.h"
#include "target/riscv/decode.h"
#include "util/log.h"

namespace rwd::riscv {

Cpu::Cpu(AddressSpace& as, VirtualClock& clock) : mmu(s, as), clock_(clock) {
  stimecmp_timer_ = clock_.add_timer([this] { stimecmp_expired(); });
  configure(CpuConfig{});
}

void Cpu::configure(const CpuConfig& config) {
  config_ = config;
  decode_set_ = config.decode_set();
  const bool has_s = config.has(Ext::S), has_u = config.has(Ext::U);
  uint64_t w = mstatus::kMIE | mstatus::kMPIE | mstatus::kMPP;
  // Fields of a mode or unit that is not there are read-only zero.
  if (has_s) {
    w |= mstatus::kSIE | mstatus::kSPIE | mstatus::kSPP | mstatus::kSUM | mstatus::kMXR | mstatus::kTVM |
         mstatus::kTSR;
  }
  if (has_u) w |= mstatus::kMPRV | mstatus::kTW;
  if (config.has(Ext::F)) w |= mstatus::kFS;
  mstatus_writable_ = w;
  irq_mask_ = has_s ? irq::kAll : irq::kAll & ~irq::kSMask;
  epc_mask_ = config.has(Ext::C) ? ~1ull : ~3ull;
}

uint64_t Cpu::executing_pc() const { return s.tb_insn_index && current_op ? current_op->pc : s.pc; }

void Cpu::reset(uint64_t pc) {
  // The instruction count is the machine's, not the hart's: it (and the
  // virtual time derived from it) keeps counting across a reset, as in QEMU,
  // so time never runs backwards and record/replay positions stay unique.
  uint64_t icount = s.icount;
  s = CpuState{};
  s.icount = icount;
  s.pc = pc;
  s.priv = Priv::M;
  s.misa = config_.misa();
  // QEMU 7.2 resets stimecmp to 0 (STIP stays clear until it is written).
  // Without Sstc the register is not there and keeps the value recordings
  // made before Sstc have in their checkpoints.
  if (config_.sstc) s.stimecmp = 0;
  arm_stimecmp_timer();  // disarmed: the deadline was reset
  // UXL = SXL = 64-bit, for the modes there are. MPP holds a mode that
  // exists: M when there is no U.
  s.mstatus = (config_.has(Ext::U) ? 2ull << 32 : 0) | (config_.has(Ext::S) ? 2ull << 34 : 0) |
              (config_.has(Ext::U) ? 0 : mstatus::kMPP);
  mmu.flush();
  update_mmu_context();
  triggers_changed();
}

void Cpu::save_state(ByteWriter& w) const { save_cpu_state(s, w); }

void Cpu::load_state(ByteReader& r) {
  load_cpu_state(s, r);
  current_op = nullptr;
  arm_stimecmp_timer();
  mmu.flush();  // entries were made for the previous translation state
  update_mmu_context();
  triggers_changed();
}

void Cpu::triggers_changed() {
  const bool on = config_.debug;
  execute_triggers_ = on && trigger::any_armed(s, trigger::kExecute);
  mmu.set_data_triggers(on && trigger::any_armed(s, trigger::kLoad | trigger::kStore));
  ++trigger_epoch_;
  s.attention = true;
}

uint64_t Cpu::read_time() const {
  return time_source_ ? time_source_() : clock_.now_ns() / 100;  // 10 MHz timebase
}

void Cpu::update_mmu_context() {
  Priv data_priv = s.priv;
  if (s.priv == Priv::M && (s.mstatus & mstatus::kMPRV))
    data_priv = static_cast<Priv>((s.mstatus & mstatus::kMPP) >> mstatus::kMPPShift);
  auto idx_for = [&](Priv p, bool data) {
    switch (p) {
      case Priv::U: return kIdxU;
      case Priv::S: return data && (s.mstatus & mstatus::kSUM) ? kIdxSSum : kIdxS;
      default: return kIdxM;
    }
  };
  mmu.set_context(idx_for(data_priv, true), idx_for(s.priv, false));
  tb_context_ = static_cast<uint32_t>(s.priv) | (fp_enabled() ? 4u : 0u);
}

void Cpu::set_mip_bit(uint64_t mask, bool level) {
  if (level) {
    s.mip |= mask;
    s.wfi = false;
    s.attention = true;
  } else {
    s.mip &= ~mask;
  }
}

// Trap entry common to exceptions and interrupts: record cause/epc/tval in
// the target mode's CSRs, stack the interrupt-enable and previous-privilege
// bits, and jump to the vector (vectored mode offsets interrupts only).
void Cpu::trap_to(Priv target, uint64_t cause, uint64_t epc, uint64_t tval) {
  const bool to_s = target == Priv::S;
  const uint64_t ie = to_s ? mstatus::kSIE : mstatus::kMIE;
  const uint64_t pie = to_s ? mstatus::kSPIE : mstatus::kMPIE;
  uint64_t st = s.mstatus;
  st = (st & ~pie) | ((st & ie) ? pie : 0);
  st &= ~ie;
  if (to_s) {
    s.scause = cause;
    s.sepc = epc;
    s.stval = tval;
    st = (st & ~mstatus::kSPP) | (s.priv == Priv::S ? mstatus::kSPP : 0);
  } else {
    s.mcause = cause;
    s.mepc = epc;
    s.mtval = tval;
    st = (st & ~mstatus::kMPP) | (static_cast<uint64_t>(s.priv) << mstatus::kMPPShift);
  }
  s.mstatus = st;
  s.priv = target;
  uint64_t tvec = to_s ? s.stvec : s.mtvec;
  bool vectored = (tvec & 1) && (cause & kInterruptFlag);
  s.pc = (tvec & ~3ull) + (vectored ? 4 * (cause & ~kInterruptFlag) : 0);
  s.reservation_valid = false;
  update_mmu_context();
}

void Cpu::enter_trap(Cause cause, uint64_t tval, uint64_t pc) {
  uint64_t code = static_cast<uint64_t>(cause);
  Logger& log = logger();
  if (log.wants(kLogInt, s.icount)) {
    log.printf("riscv_cpu_do_interrupt: hart:0, async:0, cause:%016llx, epc:0x%016llx, tval:0x%016llx, desc=exception\n",
               static_cast<unsigned long long>(code), static_cast<unsigned long long>(pc),
               static_cast<unsigned long long>(tval));
  }
  bool delegated = s.priv != Priv::M && ((s.medeleg >> code) & 1);
  trap_to(delegated ? Priv::S : Priv::M, code, pc, tval);
}

bool Cpu::take_pending_interrupt() {
  uint64_t pending = s.mip & s.mie;
  if (!pending) return false;
  // Interrupts for M: not delegated, enabled below M or with MIE in M.
  uint64_t m_ints = pending & ~s.mideleg;
  bool m_enabled = s.priv != Priv::M || (s.mstatus & mstatus::kMIE);
  uint64_t s_ints = pending & s.mideleg;
  bool s_enabled = s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::kSIE));

  uint64_t chosen;
  Priv target;
  if (m_enabled && m_ints) {
    chosen = m_ints;
    target = Priv::M;
  } else if (s_enabled && s_ints) {
    chosen = s_ints;
    target = Priv::S;
  } else {
    return false;
  }
  // QEMU's virt (7.2, no AIA) takes the lowest-numbered pending interrupt of
  // the chosen privilege level, not the spec's MEI/MSI/MTI/SEI/SSI/STI order;
  // rewind does the same so programs behave identically on both.
  uint64_t cause = kInterruptFlag | static_cast<uint64_t>(__builtin_ctzll(chosen));

  Logger& log = logger();
  if (log.wants(kLogInt, s.icount)) {
    log.printf("riscv_cpu_do_interrupt: hart:0, async:1, cause:%016llx, epc:0x%016llx, tval:0x0, desc=interrupt\n",
               static_cast<unsigned long long>(cause), static_cast<unsigned long long>(s.pc));
  }
  s.wfi = false;
  trap_to(target, cause, s.pc, 0);
  return true;
}

void Cpu::mret() {
  if (s.priv != Priv::M) throw GuestTrap{Cause::kIllegalInsn, 0, true};
  uint64_t st = s.mstatus;
  Priv prev = static_cast<Priv>((st & mstatus::kMPP) >> mstatus::kMPPShift);
  st = (st & ~mstatus::kMIE) | ((st & mstatus::kMPIE) ? mstatus::kMIE : 0);
  st |= mstatus::kMPIE;
  st &= ~mstatus::kMPP;  // MPP := the least-privileged mode: U, or M without U
  if (!config_.has(Ext::U)) st |= mstatus::kMPP;
  if (prev != Priv::M) st &= ~mstatus::kMPRV;
  s.mstatus = st;
  s.priv = prev;
  s.pc = s.mepc;
  s.reservation_valid = false;
  s.attention = true;  // interrupts may have become enabled
  update_mmu_context();
}

void Cpu::sret() {
  if (s.priv == Priv::U || (s.priv == Priv::S && (s.mstatus & mstatus::kTSR)))
    throw GuestTrap{Cause::kIllegalInsn, 0, true};
  uint64_t st = s.mstatus;
  Priv prev = (st & mstatus::kSPP) ? Priv::S : Priv::U;
  st = (st & ~mstatus::kSIE) | ((st & mstatus::kSPIE) ? mstatus::kSIE : 0);
  st |= mstatus::kSPIE;
  st &= ~mstatus::kSPP;
  st &= ~mstatus::kMPRV;
  s.mstatus = st;
  s.priv = prev;
  s.pc = s.sepc;
  s.reservation_valid = false;
  s.attention = true;  // interrupts may have become enabled
  update_mmu_context();
}

}  // namespace rwd::riscv
