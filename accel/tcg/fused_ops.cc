// The fused handlers. Each instruction listed below is a "step" that either
// completes on its fast path or returns false having changed nothing; the
// pair then hands over to that instruction's own handler, which continues
// the block normally (the engine unfuses a pair that a budget cut splits).
// So a pair behaves exactly like its two ops run back to back. The steps are
// the target's own semantics (int_steps.h, mem_steps.h), inlined here; a
// step fused with the branch that ends its block also performs the block
// exit, inline (block_exit_inline.h), which is why these live in the engine.
#include "accel/tcg/fused_ops.h"

#include <array>
#include <cstdint>
#include <utility>

#include "accel/tcg/block_exit_inline.h"
#include "target/riscv/insn_handlers.h"
#include "target/riscv/int_steps.h"
#include "target/riscv/mem_steps.h"

namespace rwd {

namespace {

using namespace riscv;

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
// The instructions that fuse with each other and with a conditional branch:
// the most frequent ones in integer code.
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

// Each fusable instruction pairs with each conditional branch and with each
// fusable instruction.
constexpr int kPairsPerRow = 6 + kNumFusable;
using PairTable = std::array<FusedPair, kNumFusable * kPairsPerRow>;

template <int A, int... B>
constexpr void add_row(PairTable& t, std::integer_sequence<int, B...>) {
  size_t n = static_cast<size_t>(A) * kPairsPerRow;
  OpFn first = kFusable[A].handler;
  t[n++] = {first, &op_beq, &fused_step_branch<A, chain::Eq>};
  t[n++] = {first, &op_bne, &fused_step_branch<A, chain::Ne>};
  t[n++] = {first, &op_blt, &fused_step_branch<A, chain::Lt>};
  t[n++] = {first, &op_bge, &fused_step_branch<A, chain::Ge>};
  t[n++] = {first, &op_bltu, &fused_step_branch<A, chain::Ltu>};
  t[n++] = {first, &op_bgeu, &fused_step_branch<A, chain::Geu>};
  ((t[n++] = {first, kFusable[B].handler, &fused_pair<A, B>}), ...);
}

template <int... A>
constexpr PairTable all_pairs(std::integer_sequence<int, A...>) {
  PairTable t{};
  (add_row<A>(t, std::make_integer_sequence<int, kNumFusable>()), ...);
  return t;
}

constexpr PairTable kPairs = all_pairs(std::make_integer_sequence<int, kNumFusable>());

}  // namespace

std::span<const FusedPair> fused_pairs() { return kPairs; }

}  // namespace rwd
