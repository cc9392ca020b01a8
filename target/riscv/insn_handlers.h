// Declarations of every instruction's semantics, generated from the table.
#pragma once
#include "target/riscv/decode.h"

namespace rwd::riscv {
#define INSN(name, match, mask, fmt, flags) void op_##name(Cpu& c, const Op& o);
#include "target/riscv/insn_table.inc"
#undef INSN
// Raises illegal-instruction: what undecodable instructions become.
void op_illegal(Cpu& c, const Op& o);
}  // namespace rwd::riscv
