// The architectural state of one RV64GC hart and the operations on it that are
// not instruction semantics: CSR access, traps, interrupts, privilege changes.
#pragma once
#include <array>
#include <cstdint>
#include <functional>

#include "target/riscv/cpu_bits.h"
#include "target/riscv/cpu_config.h"
#include "target/riscv/debug_triggers.h"
#include "util/byte_codec.h"
#include "target/riscv/mmu.h"

namespace rwd {
class VirtualClock;
struct ChainContext;
class ByteReader;
class ByteWriter;
}

namespace rwd::riscv {

// Thrown by instruction semantics (and the memory slow paths) when the current
// instruction raises a synchronous exception. The execution engine catches it,
// knows which instruction of the block faulted, and calls Cpu::enter_trap.
struct Op;

struct GuestTrap {
  Cause cause;
  uint64_t tval;
  // Raised by a run-time check of the executing instruction (CSR access
  // rules, mret/sret privilege) rather than by its encoding. QEMU raises
  // these from a helper that rolls the instruction back, so under -icount it
  // is not counted (like a faulting memory access), unlike ecall/ebreak and
  // undecodable instructions.
  bool rolled_back = false;
};

// Plain architectural state: everything a snapshot or a state hash must cover.
// Every member is listed in target/riscv/cpu_fields.h (checked at build time).
struct CpuState {
  // x[32] is a write sink: instructions whose rd is x0 are decoded to write it,
  // so semantics never need a "rd != 0" test and x[0] stays zero.
  std::array<uint64_t, 33> x{};
  std::array<uint64_t, 32> f{};
  uint64_t pc = 0;
  Priv priv = Priv::M;

  uint64_t mstatus = 0, misa = 0, medeleg = 0, mideleg = 0, mie = 0, mip = 0;
  uint64_t mtvec = 0, mscratch = 0, mepc = 0, mcause = 0, mtval = 0;
  uint64_t mcounteren = 0, mcountinhibit = 0, menvcfg = 0;
  uint64_t stvec = 0, sscratch = 0, sepc = 0, scause = 0, stval = 0, satp = 0;
  uint64_t scounteren = 0, senvcfg = 0, stimecmp = ~0ull;
  uint32_t fflags = 0, frm = 0;
  std::array<uint8_t, 16> pmpcfg{};
  std::array<uint64_t, 16> pmpaddr{};
  // mhpmcounterN (hpm[0][N]) and mhpmeventN (hpm[1][N]): storage only, they
  // count nothing (no events are implemented).
  std::array<std::array<uint64_t, 32>, 2> hpm{};

  // Counters are derived from the retired-instruction count: a guest write to
  // mcycle/minstret stores the difference.
  uint64_t icount = 0;  // instructions retired before the executing block
  // Instructions of the executing block counted so far, including the one
  // executing (its Op::seq); icount + tb_insn_index is "now" for counters,
  // the clock and devices. Instructions that can observe it store it first.
  // Zero between blocks. Not architectural.
  uint32_t tb_insn_index = 0;
  // Set by anything that may need the engine's attention between blocks
  // (raised interrupt line, CSR write, trap return, WFI, TLB flush, timer
  // change, exit request): chained execution stops at the next block end.
  // Not architectural.
  bool attention = false;
  uint64_t mcycle_offset = 0, minstret_offset = 0;

  // LR/SC reservation (physical address), valid when reservation_valid.
  uint64_t reservation = 0;
  bool reservation_valid = false;
  bool wfi = false;  // hart is waiting for an interrupt

  // The debug triggers (debug_triggers.h): tselect and each trigger's
  // tdata1/tdata2 (tdata3 reads 0 on QEMU 7.2).
  uint64_t tselect = 0;
  std::array<uint64_t, trigger::kCount> tdata1{trigger::kTdata1Reset, trigger::kTdata1Reset};
  std::array<uint64_t, trigger::kCount> tdata2{};
  // Sstc: the virtual time (ns) at which the stimecmp timer raises STIP,
  // or ~0 when not armed. Fixed when stimecmp is written (it keeps that
  // moment's sub-tick remainder), so it is saved rather than re-derived.
  uint64_t stimecmp_deadline = ~0ull;
};

class Cpu {
 public:
  Cpu(AddressSpace& as, VirtualClock& clock);

  // The hart's extensions and features (-cpu): set before the first reset,
  // fixed for the machine's life (misa is read-only). Decoding, the CSRs
  // and reset follow it.
  void configure(const CpuConfig& config);
  const CpuConfig& config() const { return config_; }
  ExtSet decode_set() const { return decode_set_; }

  CpuState s;
  Mmu mmu;
  ChainContext* chain = nullptr;  // the engine's block-chaining state
  // The instruction that may trap or touch a device next: set (with
  // s.tb_insn_index) by every op before such an action, so the engine can
  // attribute a trap without tracking which block is running.
  const Op* current_op = nullptr;
  void mark_current(const Op& o);
  // Set by end_block_after to the `seq` of the instruction that ended its
  // block early (0: none since the engine cleared it), so the engine can
  // finish that block's extent untranslated (accel/tcg/block_rest.cc).
  uint16_t ended_after_seq = 0;
  // The pc of the instruction executing now (inside a block, the one that
  // marked itself), or of the next one between blocks.
  uint64_t executing_pc() const;

  void reset(uint64_t pc);

  // The hart's state for snapshots (format and validation: cpu_fields.h).
  // load_state installs it and re-derives what the Cpu caches from it (MMU
  // context, block context; the TLB is flushed), so the loaded hart runs as
  // the saved one did. Call between engine runs. The virtual clock reads
  // s.icount: restoring the rest of the machine is the caller's job. Throws
  // DecodeError, leaving the hart unchanged.
  void save_state(ByteWriter& w) const;
  void load_state(ByteReader& r);

  // CSR access as an instruction performs it. Throws GuestTrap (illegal
  // instruction) when the CSR does not exist or the access is not allowed.
  uint64_t csr_read(uint16_t num);
  void csr_write(uint16_t num, uint64_t value);

  // Takes a synchronous exception raised by the instruction at `pc`.
  void enter_trap(Cause cause, uint64_t tval, uint64_t pc);
  // Takes the highest-priority pending and enabled interrupt, if any. Returns
  // true when one was taken (pc and privilege changed).
  bool take_pending_interrupt();
  // Pending-and-enabled interrupts regardless of global enables (for WFI wake-up).
  bool interrupt_pending() const { return (s.mip & s.mie) != 0; }

  void mret();
  void sret();

  // Interrupt lines driven by devices (CLINT, PLIC): set or clear a mip bit.
  void set_mip_bit(uint64_t mask, bool level);

  // Privilege and translation-affecting state changed: recompute cached MMU
  // context and bump the translation context key.
  void update_mmu_context();

  // Key under which translated blocks are valid: privilege, whether FP
  // instructions are enabled, whether fetches are translated.
  uint32_t tb_context() const { return tb_context_; }
  bool fp_enabled() const { return (s.mstatus & mstatus::kFS) != 0; }
  void mark_fp_dirty() { s.mstatus |= mstatus::kFSDirty | mstatus::kSD; }

  // The debug triggers changed (a tdata write, reset, a loaded state): the
  // MMU keeps pages with armed load/store triggers out of its TLB, and the
  // engine re-cuts its blocks when the epoch moves.
  void triggers_changed();
  uint32_t trigger_epoch() const { return trigger_epoch_; }
  bool execute_triggers() const { return execute_triggers_; }

  uint64_t read_time() const;  // the `time` CSR: the board's timer (CLINT mtime), 10 MHz
  static constexpr uint64_t kNsPerTimeTick = 100;  // 10 MHz
  void set_time_source(std::function<uint64_t()> f) { time_source_ = std::move(f); }

 private:
  void trap_to(Priv target, uint64_t cause, uint64_t epc, uint64_t tval);
  uint64_t read_counter(uint16_t num);
  uint64_t counter_base() const;
  bool counter_allowed(uint16_t num) const;
  void write_mstatus(uint64_t value);
  void write_csr_value(uint16_t num, uint64_t value);
  bool csr_write_needs_engine(uint16_t num, uint32_t old_context) const;
  void write_pmp(uint16_t num, uint64_t value);
  bool csr_exists(uint16_t num) const;
  // tselect as an index (a loaded state is checked, this keeps it in range anyway).
  unsigned selected_trigger() const { return s.tselect < trigger::kCount ? static_cast<unsigned>(s.tselect) : 0; }
  // Sstc (sstc.cc).
  bool stimecmp_allowed() const;
  void write_stimecmp(uint64_t value);
  void stimecmp_expired();
  void arm_stimecmp_timer();
  uint64_t mip_writable() const;
  uint64_t menvcfg_writable() const;

  CpuConfig config_;
  // Derived from config_ by configure().
  ExtSet decode_set_ = 0;
  uint64_t mstatus_writable_ = 0;  // mstatus bits software can change
  uint64_t irq_mask_ = 0;          // the interrupts there are (mie/mip bits)
  uint64_t epc_mask_ = 0;          // mepc/sepc: ~1, or ~3 without C (IALIGN = 32)
  VirtualClock& clock_;
  std::function<uint64_t()> time_source_;
  int stimecmp_timer_ = -1;  // the clock's timer for stimecmp
  uint32_t tb_context_ = 0;
  uint32_t trigger_epoch_ = 0;
  bool execute_triggers_ = false;
};

// misa of the default hart (-cpu rv64): RV64 with I, M, A, F, D, C, S, U.
inline constexpr uint64_t kMisaValue = (2ull << 62) | (1u << ('I' - 'A')) | (1u << ('M' - 'A')) |
                                       (1u << ('A' - 'A')) | (1u << ('F' - 'A')) |
                                       (1u << ('D' - 'A')) | (1u << ('C' - 'A')) |
                                       (1u << ('S' - 'A')) | (1u << ('U' - 'A'));

}  // namespace rwd::riscv
