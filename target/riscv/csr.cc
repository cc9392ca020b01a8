// Control and status registers: existence, access rules and write masks.
#include "target/riscv/cpu.h"
#include "target/riscv/pmp.h"
#include "hw/core/vclock.h"

namespace rwd::riscv {

namespace {

// Exceptions M-mode may delegate (all but M-mode ecall and the reserved codes).
constexpr uint64_t kDelegableExceptions = 0xb3ff;  // 0-9, 12, 13, 15
constexpr int kNumHpmCounters = 16;  // mhpmcounter3..18 hold values, as on QEMU's virt

[[noreturn]] void illegal() { throw GuestTrap{Cause::kIllegalInsn, 0, true}; }

uint64_t fix_sd(uint64_t st) {
  bool dirty = (st & mstatus::kFS) == mstatus::kFS || (st & mstatus::kXS) == mstatus::kXS;
  return dirty ? (st | mstatus::kSD) : (st & ~mstatus::kSD);
}

}  // namespace

// Whether CSR `num` is there on this hart: the registers of an extension,
// mode or feature (-cpu) it does not have are not, nor those of a later
// privileged spec than its priv_spec (-cpu ...,priv_spec=v1.11.0).
bool Cpu::csr_exists(uint16_t num) const {
  const CpuConfig& c = config_;
  const bool s_mode = c.has(Ext::S), u_mode = c.has(Ext::U);
  const bool v1_11 = c.priv_spec >= PrivSpec::v1_11_0, v1_12 = c.priv_spec >= PrivSpec::v1_12_0;
  switch (num) {
    case csr::kFflags:
    case csr::kFrm:
    case csr::kFcsr:
      return c.has(Ext::F);
    case csr::kSstatus:
    case csr::kSie:
    case csr::kStvec:
    case csr::kScounteren:
    case csr::kSscratch:
    case csr::kSepc:
    case csr::kScause:
    case csr::kStval:
    case csr::kSip:
    case csr::kSatp:
    case csr::kMedeleg:  // nothing to delegate to without S-mode
    case csr::kMideleg:
      return s_mode;
    case csr::kSenvcfg: return s_mode && v1_12;
    case csr::kStimecmp: return s_mode && c.sstc;
    case csr::kMcounteren: return u_mode;
    case csr::kMenvcfg: return u_mode && v1_12;
    case csr::kMconfigptr: return v1_12;
    case csr::kMcountinhibit: return v1_11;
    default:
      break;
  }
  if (num >= csr::kPmpcfg0 && num <= csr::kPmpaddr15) return c.pmp;
  if (num >= csr::kTselect && num <= csr::kTinfo) return c.debug;
  return true;
}

bool Cpu::counter_allowed(uint16_t num) const {
  uint32_t bit = 1u << (num & 31);
  if (s.priv == Priv::M) return true;
  if (!(s.mcounteren & bit)) return false;
  if (s.priv == Priv::U && !(s.scounteren & bit)) return false;
  return true;
}

// What mcycle/minstret count: with -icount QEMU 7.2 returns the virtual clock
// in ns ((icount << shift) + idle warps) for both, not the instruction count;
// otherwise instructions (QEMU would use host ticks).
uint64_t Cpu::counter_base() const {
  if (clock_.icount_mode()) return clock_.now_ns();
  return clock_.instructions_now();
}

uint64_t Cpu::read_counter(uint16_t num) {
  uint64_t insns = counter_base();
  switch (num) {
    case csr::kCycle:
    case csr::kMcycle:
      return insns + s.mcycle_offset;
    case csr::kInstret:
    case csr::kMinstret:
      return insns + s.minstret_offset;
    default:
      return 0;
  }
}

void Cpu::write_mstatus(uint64_t value) {
  uint64_t st = s.mstatus;
  uint64_t old_mpp = st & mstatus::kMPP;
  st = (st & ~mstatus_writable_) | (value & mstatus_writable_);
  // WARL: MPP keeps its value unless given a mode the hart has.
  const Priv mpp = static_cast<Priv>((st & mstatus::kMPP) >> mstatus::kMPPShift);
  if ((mpp != Priv::M && mpp != Priv::S && mpp != Priv::U) || (mpp == Priv::S && !config_.has(Ext::S)) ||
      (mpp == Priv::U && !config_.has(Ext::U)))
    st = (st & ~mstatus::kMPP) | old_mpp;
  uint64_t changed = st ^ s.mstatus;
  s.mstatus = fix_sd(st);
  if (changed & mstatus::kMXR) mmu.flush();
  update_mmu_context();
}

void Cpu::write_pmp(uint16_t num, uint64_t value) {
  if (num >= csr::kPmpcfg0 && num <= csr::kPmpcfg3) {
    unsigned reg = num - csr::kPmpcfg0;
    for (unsigned b = 0; b < 8; ++b) {
      unsigned entry = reg * 4 + b;
      if (entry >= 16) break;
      if (s.pmpcfg[entry] & pmpcfg::kL) continue;
      s.pmpcfg[entry] = static_cast<uint8_t>(value >> (8 * b)) & 0x9f;
    }
  } else {
    unsigned entry = num - csr::kPmpaddr0;
    if (entry >= 16) return;
    if (s.pmpcfg[entry] & pmpcfg::kL) return;
    if (entry + 1 < 16 && (s.pmpcfg[entry + 1] & pmpcfg::kL) &&
        ((s.pmpcfg[entry + 1] & pmpcfg::kA) >> pmpcfg::kAShift) == pmpcfg::kTor)
      return;
    s.pmpaddr[entry] = value;  // QEMU 7.2 keeps all 64 bits (reads back -1 after writing -1)
  }
  mmu.flush();
}

uint64_t Cpu::csr_read(uint16_t num) {
  // Bits 9:8 give the lowest privilege allowed to access the CSR.
  if (static_cast<unsigned>(s.priv) < ((num >> 8) & 3)) illegal();
  if (!csr_exists(num)) illegal();
  switch (num) {
    case csr::kFflags:
      if (!fp_enabled()) illegal();
      return s.fflags;
    case csr::kFrm:
      if (!fp_enabled()) illegal();
      return s.frm;
    case csr::kFcsr:
      if (!fp_enabled()) illegal();
      return (s.frm << 5) | s.fflags;
    case csr::kCycle:
    case csr::kInstret:
      if (!counter_allowed(num)) illegal();
      return read_counter(num);
    case csr::kTime:
      if (!counter_allowed(num)) illegal();
      return read_time();
    case csr::kSstatus:
      return s.mstatus & mstatus::kSstatusMask;
    case csr::kSie:
      return s.mie & s.mideleg;
    case csr::kStvec: return s.stvec;
    case csr::kScounteren: return s.scounteren;
    case csr::kSenvcfg: return s.senvcfg;
    case csr::kSscratch: return s.sscratch;
    case csr::kSepc: return s.sepc;
    case csr::kScause: return s.scause;
    case csr::kStval: return s.stval;
    case csr::kStimecmp:
      if (!stimecmp_allowed()) illegal();
      return s.stimecmp;
    case csr::kSip:
      return s.mip & s.mideleg;
    case csr::kSatp:
      if (s.priv == Priv::S && (s.mstatus & mstatus::kTVM)) illegal();
      return s.satp;
    case csr::kMarchid: return config_.marchid;
    case csr::kMimpid: return config_.mimpid;
    case csr::kMvendorid: return config_.mvendorid;
    case csr::kMhartid:
    case csr::kMconfigptr:
      return 0;
    case csr::kMstatus: return s.mstatus;
    case csr::kMisa: return s.misa;
    case csr::kMedeleg: return s.medeleg;
    case csr::kMideleg: return s.mideleg;
    case csr::kMie: return s.mie;
    case csr::kMtvec: return s.mtvec;
    case csr::kMcounteren: return s.mcounteren;
    case csr::kMenvcfg: return s.menvcfg;
    case csr::kMcountinhibit: return s.mcountinhibit;
    case csr::kMscratch: return s.mscratch;
    case csr::kMepc: return s.mepc;
    case csr::kMcause: return s.mcause;
    case csr::kMtval: return s.mtval;
    case csr::kMip: return s.mip & irq_mask_;
    case csr::kMcycle:
    case csr::kMinstret:
      return read_counter(num);
    case csr::kTselect: return s.tselect;
    case csr::kTdata1: return s.tdata1[selected_trigger()];
    case csr::kTdata2: return s.tdata2[selected_trigger()];
    case csr::kTdata3: return 0;  // QEMU 7.2: no tdata3 fields
    case csr::kTinfo: return trigger::kTinfo;
    default:
      break;
  }
  if (num >= csr::kPmpcfg0 && num <= csr::kPmpcfg3) {
    unsigned reg = num - csr::kPmpcfg0;
    if (reg & 1) illegal();  // RV64 has only even pmpcfg registers
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; ++b) {
      unsigned entry = reg * 4 + b;
      if (entry < 16) v |= static_cast<uint64_t>(s.pmpcfg[entry]) << (8 * b);
    }
    return v;
  }
  if (num >= csr::kPmpaddr0 && num <= csr::kPmpaddr15) return s.pmpaddr[num - csr::kPmpaddr0];
  // As QEMU 7.2 (pmu-num=16): counters 3..18 exist, [m]hpmcounter19..31 are
  // illegal (OpenSBI counts them by probing); every mhpmevent exists.
  if (num >= csr::kHpmCounter3 && num <= csr::kHpmCounter31) {
    if ((num & 31) >= 3 + kNumHpmCounters || !counter_allowed(num)) illegal();
    return s.hpm[0][num & 31];
  }
  if (num >= csr::kMhpmcounter3 && num <= csr::kMhpmcounter31) {
    if ((num & 31) >= 3 + kNumHpmCounters) illegal();
    return s.hpm[0][num & 31];
  }
  if (num >= csr::kMhpmevent3 && num <= csr::kMhpmevent31) {
    unsigned n = num & 31;
    return n < 3 + kNumHpmCounters ? s.hpm[1][n] : 0;
  }
  illegal();
}

void Cpu::csr_write(uint16_t num, uint64_t v) {
  if (static_cast<unsigned>(s.priv) < ((num >> 8) & 3)) illegal();
  if ((num >> 10) == 3) illegal();  // read-only CSR
  if (!csr_exists(num)) illegal();
  const uint32_t context = tb_context_;
  write_csr_value(num, v);
  if (csr_write_needs_engine(num, context)) s.attention = true;
}

// Whether the engine must look at the hart before the next block (the
// block ends after every CSR instruction; `attention` stops the chain of
// linked blocks there). It must when the translation context changed
// (links join blocks of one context only) or an interrupt may now be
// taken, and for anything not known to be harmless. Most of a Linux
// guest's CSR writes are neither: sscratch and sepc at every trap, sstatus
// for SUM around user accesses and SIE with nothing pending. Not stopping
// for those is as deterministic as stopping: the decision reads only the
// hart's state.
bool Cpu::csr_write_needs_engine(uint16_t num, uint32_t old_context) const {
  if (tb_context_ != old_context) return true;
  switch (num) {
    // Read only by the instructions they govern (frm by each FP
    // instruction, compiled code included) or when a trap is taken or
    // returned from.
    case csr::kFflags: case csr::kFrm: case csr::kFcsr:
    case csr::kSscratch: case csr::kMscratch: case csr::kSepc: case csr::kMepc:
    case csr::kScause: case csr::kMcause: case csr::kStval: case csr::kMtval:
    case csr::kStvec: case csr::kMtvec: case csr::kMedeleg:
    case csr::kScounteren: case csr::kMcounteren: case csr::kSenvcfg:
      return false;
    // Interrupt enables, pending bits and delegation: an interrupt can be
    // taken only if one is pending and enabled in mie. (The data-access
    // context, SUM and MPRV, is looked up at each access; MXR flushes.)
    case csr::kSstatus: case csr::kMstatus: case csr::kSie: case csr::kMie:
    case csr::kSip: case csr::kMip: case csr::kMideleg:
      return (s.mip & s.mie) != 0;
    default:
      return true;
  }
}

void Cpu::write_csr_value(uint16_t num, uint64_t v) {
  switch (num) {
    case csr::kFflags:
      if (!fp_enabled()) illegal();
      s.fflags = v & 0x1f;
      mark_fp_dirty();
      return;
    case csr::kFrm:
      if (!fp_enabled()) illegal();
      s.frm = v & 7;
      mark_fp_dirty();
      return;
    case csr::kFcsr:
      if (!fp_enabled()) illegal();
      s.fflags = v & 0x1f;
      s.frm = (v >> 5) & 7;
      mark_fp_dirty();
      return;
    case csr::kSstatus:
      write_mstatus((s.mstatus & ~mstatus::kSstatusMask) | (v & mstatus::kSstatusMask));
      return;
    case csr::kSie:
      s.mie = (s.mie & ~s.mideleg) | (v & s.mideleg);
      return;
    case csr::kStvec:
      if ((v & 3) < 2) s.stvec = v;
      return;
    case csr::kScounteren: s.scounteren = v & 0xffffffff; return;
    case csr::kSenvcfg: s.senvcfg = v & 1; return;
    case csr::kSscratch: s.sscratch = v; return;
    case csr::kSepc: s.sepc = v & epc_mask_; return;
    case csr::kScause: s.scause = v; return;
    case csr::kStval: s.stval = v; return;
    case csr::kStimecmp:
      if (!stimecmp_allowed()) illegal();
      write_stimecmp(v);
      return;
    case csr::kSip: {
      uint64_t mask = irq::kSSIP & s.mideleg;
      s.mip = (s.mip & ~mask) | (v & mask);
      return;
    }
    case csr::kSatp: {
      if (s.priv == Priv::S && (s.mstatus & mstatus::kTVM)) illegal();
      if (!config_.mmu) return;  // -cpu ...,mmu=off: bare only, satp reads 0
      uint64_t mode = v >> satp::kModeShift;
      // QEMU 7.2's rv64 CPU has Sv57 too, and Linux uses the widest mode it finds.
      if (mode != satp::kModeBare && mode != satp::kModeSv39 && mode != satp::kModeSv48 && mode != satp::kModeSv57)
        return;
      s.satp = v & ((0xfull << 60) | (0xffffull << 44) | satp::kPpnMask);
      mmu.flush();
      return;
    }
    case csr::kMstatus: write_mstatus(v); return;
    case csr::kMisa: return;  // read-only, as on QEMU 7.2: extensions are chosen by -cpu
    case csr::kMedeleg: s.medeleg = v & kDelegableExceptions; return;
    case csr::kMideleg: s.mideleg = v & irq::kSMask; return;
    case csr::kMie: s.mie = v & irq_mask_; return;
    case csr::kMtvec:
      if ((v & 3) < 2) s.mtvec = v;
      return;
    case csr::kMcounteren: s.mcounteren = v & 0xffffffff; return;
    case csr::kMenvcfg: s.menvcfg = v & menvcfg_writable(); return;
    case csr::kMcountinhibit: s.mcountinhibit = v & 0xfffffffd; return;
    case csr::kMscratch: s.mscratch = v; return;
    case csr::kMepc: s.mepc = v & epc_mask_; return;
    case csr::kMcause: s.mcause = v; return;
    case csr::kMtval: s.mtval = v; return;
    case csr::kMip:
      s.mip = (s.mip & ~mip_writable()) | (v & mip_writable());
      return;
    case csr::kMcycle: s.mcycle_offset = v - counter_base(); return;
    case csr::kMinstret:
      s.minstret_offset = v - counter_base();
      return;
    // QEMU 7.2 ignores a tselect past its triggers and writes of tdata3 and
    // tinfo (no trap).
    case csr::kTselect:
      if (v < trigger::kCount) s.tselect = v;
      return;
    case csr::kTdata1: {
      uint64_t& t1 = s.tdata1[selected_trigger()];
      t1 = trigger::write_tdata1(t1, v);
      triggers_changed();
      return;
    }
    case csr::kTdata2:
      s.tdata2[selected_trigger()] = v;
      triggers_changed();
      return;
    case csr::kTdata3:
    case csr::kTinfo:
      return;
    default:
      break;
  }
  if (num >= csr::kPmpcfg0 && num <= csr::kPmpcfg3) {
    if ((num - csr::kPmpcfg0) & 1) illegal();
    write_pmp(num, v);
    return;
  }
  if (num >= csr::kPmpaddr0 && num <= csr::kPmpaddr15) {
    write_pmp(num, v);
    return;
  }
  if (num >= csr::kMhpmcounter3 && num <= csr::kMhpmcounter31) {
    if ((num & 31) >= 3 + kNumHpmCounters) illegal();
    s.hpm[0][num & 31] = v;
    return;
  }
  if (num >= csr::kMhpmevent3 && num <= csr::kMhpmevent31) {
    unsigned n = num & 31;
    if (n < 3 + kNumHpmCounters) s.hpm[1][n] = v;
    return;
  }
  illegal();
}

}  // namespace rwd::riscv
