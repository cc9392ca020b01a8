// Declarations of every instruction's semantics, generated from the table.
#pragma once
#include <array>

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

namespace rwd::riscv {
#define INSN(name, match, mask, fmt, flags) void op_##name(Cpu& c, const Op* o);
#include "target/riscv/insn_table.inc"
#undef INSN
// Raises illegal-instruction: what undecodable instructions become.
void op_illegal(Cpu& c, const Op* o);
// Ends the block right after `o` (which has executed): counts the block's
// instructions up to and including it and returns to the engine. Used when
// an instruction's memory access raised `attention` (a device raised an
// interrupt or re-armed a timer, or a store hit translated code): the engine
// must act before the next instruction, wherever the run happens to be
// sliced, or replay would not be deterministic.
inline void end_block_after(Cpu& c, const Op* o) {
  c.s.icount += o->seq;
  c.s.tb_insn_index = 0;
  c.s.pc = o->pc + o->len;
}

inline void Cpu::mark_current(const Op& o) {
  s.tb_insn_index = o.seq;
  current_op = &o;
}

// Replicated handlers: each DEF_OP handler exists in kReplicas identical
// copies, and the translator spreads instructions over them by address.
// The indirect jump that ends a handler is then made from several branch
// sites, each seeing fewer distinct targets, which host branch predictors
// track better (replicated threaded dispatch).
inline constexpr int kReplicas = 4;
void register_replicas(OpFn primary, std::array<OpFn, kReplicas> copies);
// The copy of `fn` to use for the instruction at `pc` (fn itself when it has
// no copies).
OpFn replica_for(OpFn fn, uint64_t pc);

// Fused pairs: `fused` runs the ops `first` and `second` (adjacent in a
// block) in one dispatch. pair_for() returns nullptr when there is none;
// unfused() maps a fused handler back to its first op's handler.
void register_pair(OpFn first, OpFn second, OpFn fused);
OpFn pair_for(OpFn first, OpFn second);
OpFn unfused(OpFn fn);

}  // namespace rwd::riscv

// Defines op_<name>: the semantics `sem_<name>(c, o)` written after the
// macro, followed by a tail call into the next op of the block. The call
// compiles to a jump, so a block runs as one chain of indirect jumps with no
// loop around it. An op that may trap must first store its `seq` into
// CpuState::tb_insn_index, so the engine knows which instruction trapped.
#define DEF_OP(name)                                                          \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o);   \
  template <int K>                                                            \
  static void op_##name##_copy(::rwd::riscv::Cpu& c, const ::rwd::riscv::Op* o) { \
    ::rwd::riscv::OpFn next = o[1].fn; /* load early: stores below may alias */ \
    sem_##name(c, *o);                                                        \
    return next(c, o + 1);                                                    \
  }                                                                           \
  void op_##name(::rwd::riscv::Cpu& c, const ::rwd::riscv::Op* o) {            \
    ::rwd::riscv::OpFn next = o[1].fn;                                        \
    sem_##name(c, *o);                                                        \
    return next(c, o + 1);                                                    \
  }                                                                           \
  [[maybe_unused]] static const bool replicas_##name = [] {                   \
    ::rwd::riscv::register_replicas(op_##name, {op_##name, op_##name##_copy<1>, \
                                    op_##name##_copy<2>, op_##name##_copy<3>}); \
    return true;                                                              \
  }();                                                                        \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o)

// DEF_OP for instructions that access memory through the slow path (device
// or code-page side effects possible): ends the block early on `attention`.
#define DEF_OP_MEM(name)                                                      \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o);   \
  void op_##name(::rwd::riscv::Cpu& c, const ::rwd::riscv::Op* o) {            \
    ::rwd::riscv::OpFn next = o[1].fn;                                        \
    sem_##name(c, *o);                                                        \
    if (c.s.attention) [[unlikely]]                                           \
      return ::rwd::riscv::end_block_after(c, o);                             \
    return next(c, o + 1);                                                    \
  }                                                                           \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o)
