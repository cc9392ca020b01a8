#include "accel/tcg/block_exit.h"

#include <array>
#include <utility>

#include "target/riscv/insn_handlers.h"

namespace rwd {

using riscv::Cpu;
using riscv::Op;

namespace {

TranslationBlock* block_of(const Op* exit_op) {
  return reinterpret_cast<TranslationBlock*>(static_cast<uintptr_t>(exit_op->imm));
}

// Links are only made between blocks of the same context, and only followed
// when nothing raised `attention` — and every instruction that changes the
// context (CSR writes, trap returns) raises it. So a hop needs no context
// check, only the epoch (invalidations, TLB flushes) and, for an exit whose
// target varies (jalr, trap returns), the target pc.
inline TranslationBlock* successor(TranslationBlock* tb, int exit, uint64_t pc, bool fixed_target,
                                   const ChainContext& ch) {
  uint64_t epoch = *ch.epoch;
  if (tb->chain_epoch == epoch) [[likely]] {
    TranslationBlock* next = tb->chain[exit];
    if (next && (fixed_target || tb->chain_pc[exit] == pc)) [[likely]]
      return next;
  } else {
    tb->chain[0] = tb->chain[1] = nullptr;
    tb->chain_epoch = epoch;
  }
  TranslationBlock* next = ch.cache->find_virtual(pc, tb->context);
  if (next) {
    tb->chain[exit] = next;
    tb->chain_pc[exit] = pc;
  }
  return next;
}

// Counts `tb`, then continues at c.s.pc through exit slot `exit` if allowed.
inline void leave(Cpu& c, TranslationBlock* tb, int exit, bool fixed_target) {
  // (tb_insn_index is left as it is: only instructions that mark themselves
  // read it, and the engine clears it when the chain returns.)
  uint64_t icount = c.s.icount + tb->size;
  c.s.icount = icount;
  ChainContext& ch = *c.chain;
  if (c.s.attention || icount >= ch.stop) return;
  TranslationBlock* next = successor(tb, exit, c.s.pc, fixed_target, ch);
  if (!next || next->size > ch.stop - icount) return;
  c.s.pc = next->next_pc;
  const Op* ops = next->ops.data();
  return ops[0].fn(c, ops);
}

// The plain exit op. It is replicated: blocks use one of several identical
// copies so the final indirect jump is spread over many branch sites, which
// host branch predictors track separately ("replicated dispatch").
template <int kCopy>
void exit_copy(Cpu& c, const Op* o) {
  TranslationBlock* tb = block_of(o);
  int exit = c.s.pc == tb->next_pc ? 0 : 1;
  return leave(c, tb, exit, false);
}

// Conditional branches fused with the exit. The comparison is the branch's
// whole semantics; the plain versions in target/riscv/exec_int.cc remain
// for blocks cut short and must agree with these.
struct Eq { bool operator()(uint64_t a, uint64_t b) const { return a == b; } };
struct Ne { bool operator()(uint64_t a, uint64_t b) const { return a != b; } };
struct Lt { bool operator()(uint64_t a, uint64_t b) const { return static_cast<int64_t>(a) < static_cast<int64_t>(b); } };
struct Ge { bool operator()(uint64_t a, uint64_t b) const { return static_cast<int64_t>(a) >= static_cast<int64_t>(b); } };
struct Ltu { bool operator()(uint64_t a, uint64_t b) const { return a < b; } };
struct Geu { bool operator()(uint64_t a, uint64_t b) const { return a >= b; } };

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

constexpr size_t kCopies = 16;

template <template <int> class F, int... I>
constexpr std::array<riscv::OpFn, sizeof...(I)> table(std::integer_sequence<int, I...>) {
  return {F<I>::fn...};
}
template <int I> struct ExitF { static constexpr riscv::OpFn fn = &exit_copy<I>; };
template <int I> struct JalF { static constexpr riscv::OpFn fn = &jal_exit<I>; };
template <typename Cond>
struct BranchOf {
  template <int I> struct F { static constexpr riscv::OpFn fn = &branch_exit<Cond, I>; };
};

constexpr auto kSeq = std::make_integer_sequence<int, kCopies>();
constexpr auto kExit = table<ExitF>(std::make_integer_sequence<int, 64>());
constexpr auto kJal = table<JalF>(kSeq);
constexpr auto kBeq = table<BranchOf<Eq>::F>(kSeq);
constexpr auto kBne = table<BranchOf<Ne>::F>(kSeq);
constexpr auto kBlt = table<BranchOf<Lt>::F>(kSeq);
constexpr auto kBge = table<BranchOf<Ge>::F>(kSeq);
constexpr auto kBltu = table<BranchOf<Ltu>::F>(kSeq);
constexpr auto kBgeu = table<BranchOf<Geu>::F>(kSeq);

size_t copy_index(const TranslationBlock* tb, size_t n) { return (reinterpret_cast<uintptr_t>(tb) >> 6) % n; }

}  // namespace

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
  return fn;
}

}  // namespace rwd
