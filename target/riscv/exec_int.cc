// Integer semantics: RV64I arithmetic and control flow, M, Zba, Zbb, Zbc, Zbs.
// Control-flow ops are always last in a block; the engine has already set
// pc to the fall-through address, so they only write it when they jump. (A
// plain jump the block goes on through is op_jump_followed instead.)
// The instructions defined with DEF_OP_HANDLERS have their semantics in
// int_steps.h, because the engine's fused pairs inline them too.
#include <bit>

#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"
#include "target/riscv/int_steps.h"

namespace rwd::riscv {

using int_reg::S;
using int_reg::sx32;
using int_reg::X;

#define RS1 X(c, o.rs1)
#define RS2 X(c, o.rs2)
#define RD X(c, o.rd)
#define IMM static_cast<uint64_t>(o.imm)

DEF_OP_HANDLERS(lui)
DEF_OP_HANDLERS(auipc)
DEF_OP(jal) {
  RD = o.pc + o.len;
  c.s.pc = o.pc + IMM;
}
DEF_OP(jalr) {
  uint64_t target = (RS1 + IMM) & ~1ull;
  RD = o.pc + o.len;
  c.s.pc = target;
}
DEF_OP(jump_followed) {}
DEF_OP(beq) { if (RS1 == RS2) c.s.pc = o.pc + IMM; }
DEF_OP(bne) { if (RS1 != RS2) c.s.pc = o.pc + IMM; }
DEF_OP(blt) { if (S(c, o.rs1) < S(c, o.rs2)) c.s.pc = o.pc + IMM; }
DEF_OP(bge) { if (S(c, o.rs1) >= S(c, o.rs2)) c.s.pc = o.pc + IMM; }
DEF_OP(bltu) { if (RS1 < RS2) c.s.pc = o.pc + IMM; }
DEF_OP(bgeu) { if (RS1 >= RS2) c.s.pc = o.pc + IMM; }

// IALIGN = 32 (no C): a jump or taken branch to a pc that is not 4-byte
// aligned raises instruction-address-misaligned at the jump, with the target
// in tval, and writes no register. Decoding picks these handlers only for
// such a hart (and for jal and branches, only when the target is misaligned).
DEF_OP(jal_misaligned) {
  c.mark_current(o);
  throw GuestTrap{Cause::kInsnMisaligned, o.pc + IMM};
}
DEF_OP(branch_misaligned) {
  bool taken;
  switch (o.rm) {  // funct3
    case 0: taken = RS1 == RS2; break;
    case 1: taken = RS1 != RS2; break;
    case 4: taken = S(c, o.rs1) < S(c, o.rs2); break;
    case 5: taken = S(c, o.rs1) >= S(c, o.rs2); break;
    case 6: taken = RS1 < RS2; break;
    default: taken = RS1 >= RS2; break;
  }
  if (taken) {
    c.mark_current(o);
    throw GuestTrap{Cause::kInsnMisaligned, o.pc + IMM};
  }
}
DEF_OP(jalr_ialign32) {
  uint64_t target = (RS1 + IMM) & ~1ull;
  if (target & 2) {
    c.mark_current(o);
    throw GuestTrap{Cause::kInsnMisaligned, target};
  }
  RD = o.pc + o.len;
  c.s.pc = target;
}

DEF_OP_HANDLERS(addi)
DEF_OP(slti) { RD = S(c, o.rs1) < o.imm; }
DEF_OP_HANDLERS(sltiu)
DEF_OP_HANDLERS(xori)
DEF_OP_HANDLERS(ori)
DEF_OP_HANDLERS(andi)
DEF_OP_HANDLERS(slli)
DEF_OP_HANDLERS(srli)
DEF_OP_HANDLERS(srai)
DEF_OP_HANDLERS(add)
DEF_OP_HANDLERS(sub)
DEF_OP_HANDLERS(sll)
DEF_OP_HANDLERS(slt)
DEF_OP_HANDLERS(sltu)
DEF_OP_HANDLERS(xor)
DEF_OP_HANDLERS(srl)
DEF_OP(sra) { RD = static_cast<uint64_t>(S(c, o.rs1) >> (RS2 & 63)); }
DEF_OP_HANDLERS(or)
DEF_OP_HANDLERS(and)
DEF_OP_HANDLERS(addiw)
DEF_OP_HANDLERS(slliw)
DEF_OP_HANDLERS(srliw)
DEF_OP_HANDLERS(sraiw)
DEF_OP_HANDLERS(addw)
DEF_OP_HANDLERS(subw)
DEF_OP(sllw) { RD = sx32(RS1 << (RS2 & 31)); }
DEF_OP(srlw) { RD = sx32(static_cast<uint32_t>(RS1) >> (RS2 & 31)); }
DEF_OP(sraw) { RD = sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (RS2 & 31))); }

// M
DEF_OP_HANDLERS(mul)
DEF_OP(mulh) {
  RD = static_cast<uint64_t>((static_cast<__int128>(S(c, o.rs1)) * S(c, o.rs2)) >> 64);
}
DEF_OP(mulhsu) {
  RD = static_cast<uint64_t>((static_cast<__int128>(S(c, o.rs1)) * static_cast<unsigned __int128>(RS2)) >> 64);
}
DEF_OP(mulhu) {
  RD = static_cast<uint64_t>((static_cast<unsigned __int128>(RS1) * RS2) >> 64);
}
DEF_OP(div) {
  int64_t a = S(c, o.rs1), b = S(c, o.rs2);
  if (b == 0) RD = ~0ull;
  else if (a == INT64_MIN && b == -1) RD = static_cast<uint64_t>(a);
  else RD = static_cast<uint64_t>(a / b);
}
DEF_OP(divu) { RD = RS2 == 0 ? ~0ull : RS1 / RS2; }
DEF_OP(rem) {
  int64_t a = S(c, o.rs1), b = S(c, o.rs2);
  if (b == 0) RD = static_cast<uint64_t>(a);
  else if (a == INT64_MIN && b == -1) RD = 0;
  else RD = static_cast<uint64_t>(a % b);
}
DEF_OP(remu) { RD = RS2 == 0 ? RS1 : RS1 % RS2; }
DEF_OP_HANDLERS(mulw)
DEF_OP(divw) {
  int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
  if (b == 0) RD = ~0ull;
  else if (a == INT32_MIN && b == -1) RD = sx32(static_cast<uint32_t>(a));
  else RD = sx32(static_cast<uint32_t>(a / b));
}
DEF_OP(divuw) {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = b == 0 ? ~0ull : sx32(a / b);
}
DEF_OP(remw) {
  int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
  if (b == 0) RD = sx32(static_cast<uint32_t>(a));
  else if (a == INT32_MIN && b == -1) RD = 0;
  else RD = sx32(static_cast<uint32_t>(a % b));
}
DEF_OP(remuw) {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = sx32(b == 0 ? a : a % b);
}

// Zba
DEF_OP(sh1add) { RD = RS2 + (RS1 << 1); }
DEF_OP(sh2add) { RD = RS2 + (RS1 << 2); }
DEF_OP(sh3add) { RD = RS2 + (RS1 << 3); }
DEF_OP(add_uw) { RD = RS2 + static_cast<uint32_t>(RS1); }
DEF_OP(sh1add_uw) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 1); }
DEF_OP(sh2add_uw) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 2); }
DEF_OP(sh3add_uw) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 3); }
DEF_OP(slli_uw) { RD = static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << (o.imm & 63); }

// Zbb
DEF_OP(andn) { RD = RS1 & ~RS2; }
DEF_OP(orn) { RD = RS1 | ~RS2; }
DEF_OP(xnor) { RD = ~(RS1 ^ RS2); }
DEF_OP(clz) { RD = static_cast<uint64_t>(std::countl_zero(RS1)); }
DEF_OP(ctz) { RD = static_cast<uint64_t>(std::countr_zero(RS1)); }
DEF_OP(cpop) { RD = static_cast<uint64_t>(std::popcount(RS1)); }
DEF_OP(clzw) { RD = static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(RS1))); }
DEF_OP(ctzw) { RD = static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(RS1))); }
DEF_OP(cpopw) { RD = static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(RS1))); }
DEF_OP(max) { RD = S(c, o.rs1) > S(c, o.rs2) ? RS1 : RS2; }
DEF_OP(maxu) { RD = RS1 > RS2 ? RS1 : RS2; }
DEF_OP(min) { RD = S(c, o.rs1) < S(c, o.rs2) ? RS1 : RS2; }
DEF_OP(minu) { RD = RS1 < RS2 ? RS1 : RS2; }
DEF_OP(sext_b) { RD = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(RS1))); }
DEF_OP(sext_h) { RD = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(RS1))); }
DEF_OP(zext_h) { RD = RS1 & 0xffff; }
DEF_OP(rol) { RD = std::rotl(RS1, static_cast<int>(RS2 & 63)); }
DEF_OP(ror) { RD = std::rotr(RS1, static_cast<int>(RS2 & 63)); }
DEF_OP(rolw) { RD = sx32(std::rotl(static_cast<uint32_t>(RS1), static_cast<int>(RS2 & 31))); }
DEF_OP(rorw) { RD = sx32(std::rotr(static_cast<uint32_t>(RS1), static_cast<int>(RS2 & 31))); }
DEF_OP(rori) { RD = std::rotr(RS1, static_cast<int>(o.imm & 63)); }
DEF_OP(roriw) { RD = sx32(std::rotr(static_cast<uint32_t>(RS1), static_cast<int>(o.imm & 31))); }
DEF_OP(orc_b) {
  uint64_t v = RS1, r = 0;
  for (int i = 0; i < 64; i += 8) {
    if ((v >> i) & 0xff) r |= 0xffull << i;
  }
  RD = r;
}
DEF_OP(rev8) { RD = __builtin_bswap64(RS1); }

// Zbc: carry-less products. clmul is the low 64 bits of the 128-bit
// product, clmulh the high 64, clmulr bits 126..63 (the high half of the
// product of the bit-reversed operands, reversed).
DEF_OP(clmul) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 64; ++i)
    if ((RS2 >> i) & 1) r ^= RS1 << i;
  RD = r;
}
DEF_OP(clmulh) {
  uint64_t r = 0;
  for (unsigned i = 1; i < 64; ++i)
    if ((RS2 >> i) & 1) r ^= RS1 >> (64 - i);
  RD = r;
}
DEF_OP(clmulr) {
  uint64_t r = 0;
  for (unsigned i = 0; i < 64; ++i)
    if ((RS2 >> i) & 1) r ^= RS1 >> (63 - i);
  RD = r;
}

// Zbs
DEF_OP(bclr) { RD = RS1 & ~(1ull << (RS2 & 63)); }
DEF_OP(bclri) { RD = RS1 & ~(1ull << (o.imm & 63)); }
DEF_OP(bext) { RD = (RS1 >> (RS2 & 63)) & 1; }
DEF_OP(bexti) { RD = (RS1 >> (o.imm & 63)) & 1; }
DEF_OP(binv) { RD = RS1 ^ (1ull << (RS2 & 63)); }
DEF_OP(binvi) { RD = RS1 ^ (1ull << (o.imm & 63)); }
DEF_OP(bset) { RD = RS1 | (1ull << (RS2 & 63)); }
DEF_OP(bseti) { RD = RS1 | (1ull << (o.imm & 63)); }

}  // namespace rwd::riscv
