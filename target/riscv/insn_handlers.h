// Declarations of every instruction's semantics, generated from the table.
#pragma once
#include "target/riscv/decode.h"

namespace rwd::riscv {
#define INSN(name, match, mask, fmt, flags) void op_##name(Cpu& c, const Op* o);
#include "target/riscv/insn_table.inc"
#undef INSN
// Raises illegal-instruction: what undecodable instructions become.
void op_illegal(Cpu& c, const Op* o);
}  // namespace rwd::riscv

// Defines op_<name>: the semantics `sem_<name>(c, o)` written after the
// macro, followed by a tail call into the next op of the block. The call
// compiles to a jump, so a block runs as one chain of indirect jumps with no
// loop around it. An op that may trap must first store its `seq` into
// CpuState::tb_insn_index, so the engine knows which instruction trapped.
#define DEF_OP(name)                                                          \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o);   \
  void op_##name(::rwd::riscv::Cpu& c, const ::rwd::riscv::Op* o) {            \
    sem_##name(c, *o);                                                        \
    return o[1].fn(c, o + 1);                                                 \
  }                                                                           \
  static inline void sem_##name([[maybe_unused]] ::rwd::riscv::Cpu& c,         \
                                [[maybe_unused]] const ::rwd::riscv::Op& o)
