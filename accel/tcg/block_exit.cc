#include "accel/tcg/block_exit.h"
#include "accel/tcg/block_exit_inline.h"

#include <array>
#include <utility>

#include "target/riscv/insn_handlers.h"

namespace rwd {

using riscv::Cpu;
using riscv::Op;
using namespace chain;

namespace {

// The plain exit op. It is replicated: blocks use one of several identical
// copies so the final indirect jump is spread over many branch sites, which
// host branch predictors track separately ("replicated dispatch").
template <int kCopy>
void exit_copy(Cpu& c, const Op* o) {
  TranslationBlock* tb = block_of(o);
  int exit = c.s.pc == tb->next_pc ? 0 : 1;
  return leave(c, tb, exit, false);
}

// Conditional branches fused with the exit (conditions in block_exit_inline.h).
template <typename Cond, int kCopy>
void branch_exit(Cpu& c, const Op* o) {
  TranslationBlock* tb = block_of(o + 1);
  bool taken = Cond()(c.s.x[o->rs1], c.s.x[o->rs2]);
  c.s.pc = taken ? o->pc + static_cast<uint64_t>(o->imm) : tb->next_pc;
  return leave(c, tb, taken ? 1 : 0, true);
}

template <int kCopy>
void jal_exit(Cpu& c, const Op* o) {
  TranslationBlock* tb = block_of(o + 1);
  c.s.x[o->rd] = o->pc + o->len;
  c.s.pc = o->pc + static_cast<uint64_t>(o->imm);
  return leave(c, tb, 1, true);
}

// jalr: an indirect jump (function returns, calls through pointers), so the
// link is checked against the target pc.
template <int kCopy>
void jalr_exit(Cpu& c, const Op* o) {
  TranslationBlock* tb = block_of(o + 1);
  uint64_t target = (c.s.x[o->rs1] + static_cast<uint64_t>(o->imm)) & ~1ull;
  c.s.x[o->rd] = o->pc + o->len;
  c.s.pc = target;
  return leave(c, tb, 1, false);
}

// A side exit (block_exit.h). Not taken, the block goes on. Taken, it
// counts the instructions up to itself; it continues into another block only
// from a whole block (in a rest or a cut block's copy the engine entered the
// chain with no budget, so the test below returns first).
template <typename Cond>
void side_exit(Cpu& c, const Op* o) {
  if (!Cond()(c.s.x[o->rs1], c.s.x[o->rs2])) [[likely]]
    return o[1].fn(c, o + 1);
  c.s.pc = o->pc + static_cast<uint64_t>(o->imm);
  c.s.icount += o->seq;
  if (c.s.attention || c.s.icount >= c.chain->stop) return;
  return go_on(c, block_of(o + o->exit_distance), TranslationBlock::kSideExitSlot, false);
}

constexpr size_t kCopies = 16;

template <template <int> class F, int... I>
constexpr std::array<riscv::OpFn, sizeof...(I)> table(std::integer_sequence<int, I...>) {
  return {F<I>::fn...};
}
template <int I> struct ExitF { static constexpr riscv::OpFn fn = &exit_copy<I>; };
template <int I> struct JalF { static constexpr riscv::OpFn fn = &jal_exit<I>; };
template <int I> struct JalrF { static constexpr riscv::OpFn fn = &jalr_exit<I>; };
template <typename Cond>
struct BranchOf {
  template <int I> struct F { static constexpr riscv::OpFn fn = &branch_exit<Cond, I>; };
};

constexpr auto kSeq = std::make_integer_sequence<int, kCopies>();
constexpr auto kExit = table<ExitF>(std::make_integer_sequence<int, 64>());
constexpr auto kJal = table<JalF>(kSeq);
constexpr auto kJalr = table<JalrF>(kSeq);
constexpr auto kBeq = table<BranchOf<Eq>::F>(kSeq);
constexpr auto kBne = table<BranchOf<Ne>::F>(kSeq);
constexpr auto kBlt = table<BranchOf<Lt>::F>(kSeq);
constexpr auto kBge = table<BranchOf<Ge>::F>(kSeq);
constexpr auto kBltu = table<BranchOf<Ltu>::F>(kSeq);
constexpr auto kBgeu = table<BranchOf<Geu>::F>(kSeq);

size_t copy_index(const TranslationBlock* tb, size_t n) { return (reinterpret_cast<uintptr_t>(tb) >> 6) % n; }

}  // namespace

constexpr std::pair<riscv::OpFn, riscv::OpFn> kSideExits[] = {
    {riscv::op_beq, side_exit<Eq>},   {riscv::op_bne, side_exit<Ne>},   {riscv::op_blt, side_exit<Lt>},
    {riscv::op_bge, side_exit<Ge>},   {riscv::op_bltu, side_exit<Ltu>}, {riscv::op_bgeu, side_exit<Geu>},
};

riscv::OpFn side_exit_op(riscv::OpFn branch) {
  for (const auto& [plain, side] : kSideExits)
    if (plain == branch) return side;
  return nullptr;
}

riscv::OpFn branch_of_side_exit(riscv::OpFn fn) {
  for (const auto& [plain, side] : kSideExits)
    if (side == fn) return plain;
  return nullptr;
}

void leave_after_side_exit(Cpu& c, const Op* exit_op) {
  return go_on(c, block_of(exit_op), TranslationBlock::kSideExitSlot, false);
}

riscv::OpFn tb_exit_for(const TranslationBlock* tb) { return kExit[copy_index(tb, kExit.size())]; }

riscv::OpFn fused_block_end(riscv::OpFn fn, const TranslationBlock* tb) {
  size_t i = copy_index(tb, kCopies);
  if (fn == riscv::op_beq) return kBeq[i];
  if (fn == riscv::op_bne) return kBne[i];
  if (fn == riscv::op_blt) return kBlt[i];
  if (fn == riscv::op_bge) return kBge[i];
  if (fn == riscv::op_bltu) return kBltu[i];
  if (fn == riscv::op_bgeu) return kBgeu[i];
  if (fn == riscv::op_jal) return kJal[i];
  if (fn == riscv::op_jalr) return kJalr[i];
  return fn;
}

}  // namespace rwd
