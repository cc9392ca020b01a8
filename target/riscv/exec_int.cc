// Integer semantics: RV64I arithmetic and control flow, M, Zba, Zbb, Zbs.
// Control-flow ops are always last in a block; the engine has already set
// pc to the fall-through address, so they only write it when they jump.
#include <bit>
#include <utility>

#include "target/riscv/cpu.h"
#include "target/riscv/insn_handlers.h"
#include "target/riscv/mem_steps.h"
// Fused step+branch ops end their block themselves, so they need the
// engine's inline block-exit path.
#include "accel/tcg/block_exit_inline.h"

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

DEF_OP(lui) { RD = IMM; }
DEF_OP(auipc) { RD = o.pc + IMM; }
DEF_OP(jal) {
  RD = o.pc + o.len;
  c.s.pc = o.pc + IMM;
}
DEF_OP(jalr) {
  uint64_t target = (RS1 + IMM) & ~1ull;
  RD = o.pc + o.len;
  c.s.pc = target;
}
DEF_OP(beq) { if (RS1 == RS2) c.s.pc = o.pc + IMM; }
DEF_OP(bne) { if (RS1 != RS2) c.s.pc = o.pc + IMM; }
DEF_OP(blt) { if (S(c, o.rs1) < S(c, o.rs2)) c.s.pc = o.pc + IMM; }
DEF_OP(bge) { if (S(c, o.rs1) >= S(c, o.rs2)) c.s.pc = o.pc + IMM; }
DEF_OP(bltu) { if (RS1 < RS2) c.s.pc = o.pc + IMM; }
DEF_OP(bgeu) { if (RS1 >= RS2) c.s.pc = o.pc + IMM; }

DEF_OP(addi) { RD = RS1 + IMM; }
DEF_OP(slti) { RD = S(c, o.rs1) < o.imm; }
DEF_OP(sltiu) { RD = RS1 < IMM; }
DEF_OP(xori) { RD = RS1 ^ IMM; }
DEF_OP(ori) { RD = RS1 | IMM; }
DEF_OP(andi) { RD = RS1 & IMM; }
DEF_OP(slli) { RD = RS1 << (o.imm & 63); }
DEF_OP(srli) { RD = RS1 >> (o.imm & 63); }
DEF_OP(srai) { RD = static_cast<uint64_t>(S(c, o.rs1) >> (o.imm & 63)); }
DEF_OP(add) { RD = RS1 + RS2; }
DEF_OP(sub) { RD = RS1 - RS2; }
DEF_OP(sll) { RD = RS1 << (RS2 & 63); }
DEF_OP(slt) { RD = S(c, o.rs1) < S(c, o.rs2); }
DEF_OP(sltu) { RD = RS1 < RS2; }
DEF_OP(xor) { RD = RS1 ^ RS2; }
DEF_OP(srl) { RD = RS1 >> (RS2 & 63); }
DEF_OP(sra) { RD = static_cast<uint64_t>(S(c, o.rs1) >> (RS2 & 63)); }
DEF_OP(or) { RD = RS1 | RS2; }
DEF_OP(and) { RD = RS1 & RS2; }
DEF_OP(addiw) { RD = sx32(RS1 + IMM); }
DEF_OP(slliw) { RD = sx32(RS1 << (o.imm & 31)); }
DEF_OP(srliw) { RD = sx32(static_cast<uint32_t>(RS1) >> (o.imm & 31)); }
DEF_OP(sraiw) { RD = sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (o.imm & 31))); }
DEF_OP(addw) { RD = sx32(RS1 + RS2); }
DEF_OP(subw) { RD = sx32(RS1 - RS2); }
DEF_OP(sllw) { RD = sx32(RS1 << (RS2 & 31)); }
DEF_OP(srlw) { RD = sx32(static_cast<uint32_t>(RS1) >> (RS2 & 31)); }
DEF_OP(sraw) { RD = sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (RS2 & 31))); }

// M
DEF_OP(mul) { RD = RS1 * RS2; }
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
DEF_OP(mulw) { RD = sx32(RS1 * RS2); }
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

// --- Fused pairs ------------------------------------------------------------
// Two adjacent instructions from this list run as one op: one dispatch
// instead of two. Each is a "step" that either completes on its fast path or
// returns false having changed nothing; the pair then hands over to that
// instruction's own handler, which continues the block normally (the second
// op stays in the block for this, and the engine unfuses a pair that a budget
// cut splits). So a pair behaves exactly like the two ops run back to back.
namespace rwd::riscv {
namespace {

using Step = bool (*)(Cpu&, const Op&);
template <void (*S)(Cpu&, const Op&)>
[[gnu::always_inline]] inline bool alu(Cpu& c, const Op& o) {
  S(c, o);
  return true;
}

struct Fusable {
  Step step;
  OpFn handler;
};
constexpr Fusable kFusable[] = {
    {&alu<&sem_addi>, &op_addi},   {&alu<&sem_addiw>, &op_addiw}, {&alu<&sem_add>, &op_add},
    {&alu<&sem_addw>, &op_addw},   {&alu<&sem_sub>, &op_sub},     {&alu<&sem_subw>, &op_subw},
    {&alu<&sem_slli>, &op_slli},   {&alu<&sem_srli>, &op_srli},   {&alu<&sem_srai>, &op_srai},
    {&alu<&sem_andi>, &op_andi},   {&alu<&sem_and>, &op_and},     {&alu<&sem_or>, &op_or},
    {&alu<&sem_xor>, &op_xor},     {&alu<&sem_lui>, &op_lui},     {&alu<&sem_mul>, &op_mul},
    {&alu<&sem_mulw>, &op_mulw},   {&alu<&sem_slliw>, &op_slliw}, {&alu<&sem_ori>, &op_ori},
    {&alu<&sem_auipc>, &op_auipc}, {&alu<&sem_xori>, &op_xori},   {&alu<&sem_sltu>, &op_sltu},
    {&alu<&sem_sltiu>, &op_sltiu}, {&alu<&sem_slt>, &op_slt},     {&alu<&sem_srliw>, &op_srliw},
    {&alu<&sem_sraiw>, &op_sraiw}, {&alu<&sem_sll>, &op_sll},     {&alu<&sem_srl>, &op_srl},
    {&load_step<int8_t>, &op_lb},  {&load_step<uint8_t>, &op_lbu}, {&load_step<int16_t>, &op_lh},
    {&load_step<uint16_t>, &op_lhu}, {&load_step<int32_t>, &op_lw}, {&load_step<uint32_t>, &op_lwu},
    {&load_step<int64_t>, &op_ld},  {&store_step<uint8_t>, &op_sb}, {&store_step<uint16_t>, &op_sh},
    {&store_step<uint32_t>, &op_sw}, {&store_step<uint64_t>, &op_sd},
    {&fload_step<uint64_t>, &op_fld}, {&fstore_step<uint64_t>, &op_fsd},
    {&fload_step<uint32_t>, &op_flw}, {&fstore_step<uint32_t>, &op_fsw},
};
constexpr int kNumFusable = sizeof(kFusable) / sizeof(kFusable[0]);

template <int A, int B>
void fused_pair(Cpu& c, const Op* o) {
  OpFn next = o[2].fn;
  if (!kFusable[A].step(c, o[0])) [[unlikely]]
    return kFusable[A].handler(c, o);
  if (!kFusable[B].step(c, o[1])) [[unlikely]]
    return kFusable[B].handler(c, o + 1);
  return next(c, o + 2);
}

// A step fused with the conditional branch that ends its block: the branch
// and the block exit (chaining into the next block) happen in the same op.
template <int A, typename Cond>
void fused_step_branch(Cpu& c, const Op* o) {
  if (!kFusable[A].step(c, o[0])) [[unlikely]]
    return kFusable[A].handler(c, o);  // continues into the branch's own op
  const Op& br = o[1];
  TranslationBlock* tb = chain::block_of(o + 2);
  bool taken = Cond()(c.s.x[br.rs1], c.s.x[br.rs2]);
  c.s.pc = taken ? br.pc + static_cast<uint64_t>(br.imm) : tb->next_pc;
  return chain::leave(c, tb, taken ? 1 : 0, true);
}

template <int A>
void register_branches() {
  register_pair(kFusable[A].handler, &op_beq, &fused_step_branch<A, chain::Eq>);
  register_pair(kFusable[A].handler, &op_bne, &fused_step_branch<A, chain::Ne>);
  register_pair(kFusable[A].handler, &op_blt, &fused_step_branch<A, chain::Lt>);
  register_pair(kFusable[A].handler, &op_bge, &fused_step_branch<A, chain::Ge>);
  register_pair(kFusable[A].handler, &op_bltu, &fused_step_branch<A, chain::Ltu>);
  register_pair(kFusable[A].handler, &op_bgeu, &fused_step_branch<A, chain::Geu>);
}

template <int A, int... B>
void register_row(std::integer_sequence<int, B...>) {
  register_branches<A>();
  (register_pair(kFusable[A].handler, kFusable[B].handler, &fused_pair<A, B>), ...);
}
template <int... A>
bool register_all(std::integer_sequence<int, A...>) {
  (register_row<A>(std::make_integer_sequence<int, kNumFusable>()), ...);
  return true;
}
[[maybe_unused]] const bool kPairsRegistered = register_all(std::make_integer_sequence<int, kNumFusable>());

}  // namespace
}  // namespace rwd::riscv
