// System instructions: CSR access, environment calls, trap returns, WFI,
// fences. All end their block (the engine re-checks interrupts and the
// translation context after each).
#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {
// A privilege/state check failing at run time (wfi under TW, sfence.vma
// under TVM): QEMU rolls such an instruction back, so it is not counted.
[[noreturn]] void illegal() { throw GuestTrap{Cause::kIllegalInsn, 0, true}; }
inline void mark(Cpu& c, const Op& o) { c.mark_current(o); }

// Common shape of the six CSR instructions. `write` says whether the CSR is
// written at all: csrrs/csrrc write only when their mask is non-zero (QEMU's
// virt checks the mask value, not the register number, so `csrrs a0, cycle,
// a1` with a1 = 0 reads without trapping); `read` whether the old value is needed (csrrw with rd=x0
// must not cause read side effects).
template <typename F>
void csr_op(Cpu& c, const Op& o, bool read, bool write, F new_value) {
  c.mark_current(o);
  uint16_t num = static_cast<uint16_t>(o.imm);
  uint64_t old = 0;
  if (read || !write) old = c.csr_read(num);
  if (write) c.csr_write(num, new_value(old));
  c.s.x[o.rd] = old;
}
}  // namespace

DEF_OP(csrrw) {
  uint64_t v = c.s.x[o.rs1];
  csr_op(c, o, o.rd != 32, true, [v](uint64_t) { return v; });
}
DEF_OP(csrrs) {
  uint64_t v = c.s.x[o.rs1];
  csr_op(c, o, true, v != 0, [v](uint64_t old) { return old | v; });
}
DEF_OP(csrrc) {
  uint64_t v = c.s.x[o.rs1];
  csr_op(c, o, true, v != 0, [v](uint64_t old) { return old & ~v; });
}
DEF_OP(csrrwi) {
  uint64_t v = o.rs1;
  csr_op(c, o, o.rd != 32, true, [v](uint64_t) { return v; });
}
DEF_OP(csrrsi) {
  uint64_t v = o.rs1;
  csr_op(c, o, true, v != 0, [v](uint64_t old) { return old | v; });
}
DEF_OP(csrrci) {
  uint64_t v = o.rs1;
  csr_op(c, o, true, v != 0, [v](uint64_t old) { return old & ~v; });
}

DEF_OP(ecall) {
  mark(c, o);
  switch (c.s.priv) {
    case Priv::U: throw GuestTrap{Cause::kEcallU, 0};
    case Priv::S: throw GuestTrap{Cause::kEcallS, 0};
    default: throw GuestTrap{Cause::kEcallM, 0};
  }
}
// QEMU 7.2 reports mtval = 0 for ebreak.
DEF_OP(ebreak) {
  mark(c, o); throw GuestTrap{Cause::kBreakpoint, 0}; }
DEF_OP(mret) {
  mark(c, o); c.mret(); }
DEF_OP(sret) {
  mark(c, o); c.sret(); }

DEF_OP(wfi) {
  mark(c, o);
  if (c.s.priv == Priv::U) illegal();
  if (c.s.priv == Priv::S && (c.s.mstatus & mstatus::kTW)) illegal();
  // Waiting is the engine's business: it idles until an interrupt is pending.
  if (!c.interrupt_pending()) {
    c.s.wfi = true;
    c.s.attention = true;
  }
}

DEF_OP(sfence_vma) {
  mark(c, o);
  if (c.s.priv == Priv::U) illegal();
  if (c.s.priv == Priv::S && (c.s.mstatus & mstatus::kTVM)) illegal();
  // rs1 = x0: all addresses. (The ASID in rs2 is ignored: there is one
  // address space's worth of TLB, so every ASID is flushed.)
  if (o.rs1 == 0) c.mmu.flush();
  else c.mmu.flush_page(c.s.x[o.rs1]);
}

DEF_OP(fence) {}
// Stores to translated code invalidate it at once, so fence.i needs only to
// end the block, which its table flags do.
DEF_OP(fence_i) {}

// An undecodable instruction: counted as executed, as on QEMU.
DEF_OP(illegal) {
  mark(c, o);
  throw GuestTrap{Cause::kIllegalInsn, 0};
}

}  // namespace rwd::riscv
