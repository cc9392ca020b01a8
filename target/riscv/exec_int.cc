// Integer semantics: RV64I arithmetic and control flow, M, Zba, Zbb, Zbs.
// Control-flow ops are always last in a block; the engine has already set
// pc to the fall-through address, so they only write it when they jump.
#include <bit>

#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {
inline uint64_t& X(Cpu& c, unsigned r) { return c.s.x[r]; }
inline int64_t S(Cpu& c, unsigned r) { return static_cast<int64_t>(c.s.x[r]); }
inline uint64_t sx32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
}  // namespace

#define RS1 X(c, o.rs1)
#define RS2 X(c, o.rs2)
#define RD X(c, o.rd)
#define IMM static_cast<uint64_t>(o.imm)

void op_lui(Cpu& c, const Op& o) { RD = IMM; }
void op_auipc(Cpu& c, const Op& o) { RD = o.pc + IMM; }
void op_jal(Cpu& c, const Op& o) {
  RD = o.pc + o.len;
  c.s.pc = o.pc + IMM;
}
void op_jalr(Cpu& c, const Op& o) {
  uint64_t target = (RS1 + IMM) & ~1ull;
  RD = o.pc + o.len;
  c.s.pc = target;
}
void op_beq(Cpu& c, const Op& o) { if (RS1 == RS2) c.s.pc = o.pc + IMM; }
void op_bne(Cpu& c, const Op& o) { if (RS1 != RS2) c.s.pc = o.pc + IMM; }
void op_blt(Cpu& c, const Op& o) { if (S(c, o.rs1) < S(c, o.rs2)) c.s.pc = o.pc + IMM; }
void op_bge(Cpu& c, const Op& o) { if (S(c, o.rs1) >= S(c, o.rs2)) c.s.pc = o.pc + IMM; }
void op_bltu(Cpu& c, const Op& o) { if (RS1 < RS2) c.s.pc = o.pc + IMM; }
void op_bgeu(Cpu& c, const Op& o) { if (RS1 >= RS2) c.s.pc = o.pc + IMM; }

void op_addi(Cpu& c, const Op& o) { RD = RS1 + IMM; }
void op_slti(Cpu& c, const Op& o) { RD = S(c, o.rs1) < o.imm; }
void op_sltiu(Cpu& c, const Op& o) { RD = RS1 < IMM; }
void op_xori(Cpu& c, const Op& o) { RD = RS1 ^ IMM; }
void op_ori(Cpu& c, const Op& o) { RD = RS1 | IMM; }
void op_andi(Cpu& c, const Op& o) { RD = RS1 & IMM; }
void op_slli(Cpu& c, const Op& o) { RD = RS1 << (o.imm & 63); }
void op_srli(Cpu& c, const Op& o) { RD = RS1 >> (o.imm & 63); }
void op_srai(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(S(c, o.rs1) >> (o.imm & 63)); }
void op_add(Cpu& c, const Op& o) { RD = RS1 + RS2; }
void op_sub(Cpu& c, const Op& o) { RD = RS1 - RS2; }
void op_sll(Cpu& c, const Op& o) { RD = RS1 << (RS2 & 63); }
void op_slt(Cpu& c, const Op& o) { RD = S(c, o.rs1) < S(c, o.rs2); }
void op_sltu(Cpu& c, const Op& o) { RD = RS1 < RS2; }
void op_xor(Cpu& c, const Op& o) { RD = RS1 ^ RS2; }
void op_srl(Cpu& c, const Op& o) { RD = RS1 >> (RS2 & 63); }
void op_sra(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(S(c, o.rs1) >> (RS2 & 63)); }
void op_or(Cpu& c, const Op& o) { RD = RS1 | RS2; }
void op_and(Cpu& c, const Op& o) { RD = RS1 & RS2; }
void op_addiw(Cpu& c, const Op& o) { RD = sx32(RS1 + IMM); }
void op_slliw(Cpu& c, const Op& o) { RD = sx32(RS1 << (o.imm & 31)); }
void op_srliw(Cpu& c, const Op& o) { RD = sx32(static_cast<uint32_t>(RS1) >> (o.imm & 31)); }
void op_sraiw(Cpu& c, const Op& o) { RD = sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (o.imm & 31))); }
void op_addw(Cpu& c, const Op& o) { RD = sx32(RS1 + RS2); }
void op_subw(Cpu& c, const Op& o) { RD = sx32(RS1 - RS2); }
void op_sllw(Cpu& c, const Op& o) { RD = sx32(RS1 << (RS2 & 31)); }
void op_srlw(Cpu& c, const Op& o) { RD = sx32(static_cast<uint32_t>(RS1) >> (RS2 & 31)); }
void op_sraw(Cpu& c, const Op& o) { RD = sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (RS2 & 31))); }

// M
void op_mul(Cpu& c, const Op& o) { RD = RS1 * RS2; }
void op_mulh(Cpu& c, const Op& o) {
  RD = static_cast<uint64_t>((static_cast<__int128>(S(c, o.rs1)) * S(c, o.rs2)) >> 64);
}
void op_mulhsu(Cpu& c, const Op& o) {
  RD = static_cast<uint64_t>((static_cast<__int128>(S(c, o.rs1)) * static_cast<unsigned __int128>(RS2)) >> 64);
}
void op_mulhu(Cpu& c, const Op& o) {
  RD = static_cast<uint64_t>((static_cast<unsigned __int128>(RS1) * RS2) >> 64);
}
void op_div(Cpu& c, const Op& o) {
  int64_t a = S(c, o.rs1), b = S(c, o.rs2);
  if (b == 0) RD = ~0ull;
  else if (a == INT64_MIN && b == -1) RD = static_cast<uint64_t>(a);
  else RD = static_cast<uint64_t>(a / b);
}
void op_divu(Cpu& c, const Op& o) { RD = RS2 == 0 ? ~0ull : RS1 / RS2; }
void op_rem(Cpu& c, const Op& o) {
  int64_t a = S(c, o.rs1), b = S(c, o.rs2);
  if (b == 0) RD = static_cast<uint64_t>(a);
  else if (a == INT64_MIN && b == -1) RD = 0;
  else RD = static_cast<uint64_t>(a % b);
}
void op_remu(Cpu& c, const Op& o) { RD = RS2 == 0 ? RS1 : RS1 % RS2; }
void op_mulw(Cpu& c, const Op& o) { RD = sx32(RS1 * RS2); }
void op_divw(Cpu& c, const Op& o) {
  int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
  if (b == 0) RD = ~0ull;
  else if (a == INT32_MIN && b == -1) RD = sx32(static_cast<uint32_t>(a));
  else RD = sx32(static_cast<uint32_t>(a / b));
}
void op_divuw(Cpu& c, const Op& o) {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = b == 0 ? ~0ull : sx32(a / b);
}
void op_remw(Cpu& c, const Op& o) {
  int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
  if (b == 0) RD = sx32(static_cast<uint32_t>(a));
  else if (a == INT32_MIN && b == -1) RD = 0;
  else RD = sx32(static_cast<uint32_t>(a % b));
}
void op_remuw(Cpu& c, const Op& o) {
  uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
  RD = sx32(b == 0 ? a : a % b);
}

// Zba
void op_sh1add(Cpu& c, const Op& o) { RD = RS2 + (RS1 << 1); }
void op_sh2add(Cpu& c, const Op& o) { RD = RS2 + (RS1 << 2); }
void op_sh3add(Cpu& c, const Op& o) { RD = RS2 + (RS1 << 3); }
void op_add_uw(Cpu& c, const Op& o) { RD = RS2 + static_cast<uint32_t>(RS1); }
void op_sh1add_uw(Cpu& c, const Op& o) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 1); }
void op_sh2add_uw(Cpu& c, const Op& o) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 2); }
void op_sh3add_uw(Cpu& c, const Op& o) { RD = RS2 + (static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << 3); }
void op_slli_uw(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(static_cast<uint32_t>(RS1)) << (o.imm & 63); }

// Zbb
void op_andn(Cpu& c, const Op& o) { RD = RS1 & ~RS2; }
void op_orn(Cpu& c, const Op& o) { RD = RS1 | ~RS2; }
void op_xnor(Cpu& c, const Op& o) { RD = ~(RS1 ^ RS2); }
void op_clz(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::countl_zero(RS1)); }
void op_ctz(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::countr_zero(RS1)); }
void op_cpop(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::popcount(RS1)); }
void op_clzw(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::countl_zero(static_cast<uint32_t>(RS1))); }
void op_ctzw(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::countr_zero(static_cast<uint32_t>(RS1))); }
void op_cpopw(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(std::popcount(static_cast<uint32_t>(RS1))); }
void op_max(Cpu& c, const Op& o) { RD = S(c, o.rs1) > S(c, o.rs2) ? RS1 : RS2; }
void op_maxu(Cpu& c, const Op& o) { RD = RS1 > RS2 ? RS1 : RS2; }
void op_min(Cpu& c, const Op& o) { RD = S(c, o.rs1) < S(c, o.rs2) ? RS1 : RS2; }
void op_minu(Cpu& c, const Op& o) { RD = RS1 < RS2 ? RS1 : RS2; }
void op_sext_b(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(RS1))); }
void op_sext_h(Cpu& c, const Op& o) { RD = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(RS1))); }
void op_zext_h(Cpu& c, const Op& o) { RD = RS1 & 0xffff; }
void op_rol(Cpu& c, const Op& o) { RD = std::rotl(RS1, static_cast<int>(RS2 & 63)); }
void op_ror(Cpu& c, const Op& o) { RD = std::rotr(RS1, static_cast<int>(RS2 & 63)); }
void op_rolw(Cpu& c, const Op& o) { RD = sx32(std::rotl(static_cast<uint32_t>(RS1), static_cast<int>(RS2 & 31))); }
void op_rorw(Cpu& c, const Op& o) { RD = sx32(std::rotr(static_cast<uint32_t>(RS1), static_cast<int>(RS2 & 31))); }
void op_rori(Cpu& c, const Op& o) { RD = std::rotr(RS1, static_cast<int>(o.imm & 63)); }
void op_roriw(Cpu& c, const Op& o) { RD = sx32(std::rotr(static_cast<uint32_t>(RS1), static_cast<int>(o.imm & 31))); }
void op_orc_b(Cpu& c, const Op& o) {
  uint64_t v = RS1, r = 0;
  for (int i = 0; i < 64; i += 8) {
    if ((v >> i) & 0xff) r |= 0xffull << i;
  }
  RD = r;
}
void op_rev8(Cpu& c, const Op& o) { RD = __builtin_bswap64(RS1); }

// Zbs
void op_bclr(Cpu& c, const Op& o) { RD = RS1 & ~(1ull << (RS2 & 63)); }
void op_bclri(Cpu& c, const Op& o) { RD = RS1 & ~(1ull << (o.imm & 63)); }
void op_bext(Cpu& c, const Op& o) { RD = (RS1 >> (RS2 & 63)) & 1; }
void op_bexti(Cpu& c, const Op& o) { RD = (RS1 >> (o.imm & 63)) & 1; }
void op_binv(Cpu& c, const Op& o) { RD = RS1 ^ (1ull << (RS2 & 63)); }
void op_binvi(Cpu& c, const Op& o) { RD = RS1 ^ (1ull << (o.imm & 63)); }
void op_bset(Cpu& c, const Op& o) { RD = RS1 | (1ull << (RS2 & 63)); }
void op_bseti(Cpu& c, const Op& o) { RD = RS1 | (1ull << (o.imm & 63)); }

}  // namespace rwd::riscv
