// Declarations of every instruction's semantics, generated from the table.
#pragma once
#include <array>

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

namespace rwd::riscv {
#define INSN(name, match, mask, fmt, flags, ext) void op_##name(Cpu& c, const Op* o);
#include "target/riscv/insn_table.inc"
#undef INSN
// Raises illegal-instruction: what undecodable instructions become.
void op_illegal(Cpu& c, const Op* o);
// IALIGN = 32 (a hart without C): what decoding puts in place of jal and of
// a branch whose target is not 4-byte aligned (they raise
// instruction-address-misaligned when they jump), and of every jalr (which
// checks its computed target).
void op_jal_misaligned(Cpu& c, const Op* o);
void op_branch_misaligned(Cpu& c, const Op* o);
void op_jalr_ialign32(Cpu& c, const Op* o);
// A plain jump inside a block (accel/tcg/translate.cc, follows_jump): the
// block's next op is its target, so it has nothing left to do.
void op_jump_followed(Cpu& c, const Op* o);
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
  c.ended_after_seq = o->seq;
}

inline void Cpu::mark_current(const Op& o) {
  s.tb_insn_index = o.seq;
  current_op = &o;
}

// Replicated handlers: each DEF_OP handler exists in kReplicas identical
// copies, and block translation (accel/tcg/op_registry.h) spreads
// instructions over them by address. The indirect jump that ends a handler is
// then made from several branch sites, each seeing fewer distinct targets,
// which host branch predictors track better (replicated threaded dispatch).
inline constexpr int kReplicas = 4;

// The copies of one handler (fns[0] is the handler itself). Each DEF_OP links
// one into a list while its file is statically initialised, so this target
// publishes its handler variants without calling into the engine. The list
// head is constant-initialised, so initialisation order does not matter; the
// engine reads the list on first translation, after main has begun. Every
// file with DEF_OPs is linked in, because the instruction table in decode.cc
// names each op_<name>.
struct HandlerCopies {
  explicit HandlerCopies(std::array<OpFn, kReplicas> copies) : fns(copies), next(first) { first = this; }
  HandlerCopies(const HandlerCopies&) = delete;
  HandlerCopies& operator=(const HandlerCopies&) = delete;

  const std::array<OpFn, kReplicas> fns;
  const HandlerCopies* const next;
  static inline constinit const HandlerCopies* first = nullptr;
};

}  // namespace rwd::riscv

// Defines op_<name>: the semantics `sem_<name>(c, o)` written after the
// macro, followed by a tail call into the next op of the block. The call
// compiles to a jump, so a block runs as one chain of indirect jumps with no
// loop around it. An op that may trap must first store its `seq` into
// CpuState::tb_insn_index, so the engine knows which instruction trapped.
#define DEF_OP(name)                                                          \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o);   \
  DEF_OP_HANDLERS(name)                                                       \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o)

// The handlers of DEF_OP (op_<name> and its copies) for semantics
// sem_<name> defined elsewhere: in a header, when fused pairs share them
// (int_steps.h).
#define DEF_OP_HANDLERS(name)                                                 \
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
  static ::rwd::riscv::HandlerCopies copies_##name({op_##name, op_##name##_copy<1>, \
                                                    op_##name##_copy<2>, op_##name##_copy<3>});

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
