// The integer instructions that fused pairs are built from, as semantics
// `sem_<name>(c, o)`: exec_int.cc makes their handlers from them
// (DEF_OP_HANDLERS) and the engine's fused pairs (accel/tcg/fused_ops.cc)
// inline them, so each instruction is still defined once. They only write
// rd, so as steps (see mem_steps.h) they always complete.
#pragma once
#include <cstdint>

#include "target/riscv/cpu.h"
#include "target/riscv/decode.h"

namespace rwd::riscv {

namespace int_reg {
inline uint64_t& X(Cpu& c, unsigned r) { return c.s.x[r]; }
inline int64_t S(Cpu& c, unsigned r) { return static_cast<int64_t>(c.s.x[r]); }
inline uint64_t sx32(uint64_t v) { return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v))); }
}  // namespace int_reg

// Shorthands for this header only (#undef'd below).
#define INT_STEP(name) inline void sem_##name(Cpu& c, const Op& o)
#define RS1 int_reg::X(c, o.rs1)
#define RS2 int_reg::X(c, o.rs2)
#define RD int_reg::X(c, o.rd)
#define SRS1 int_reg::S(c, o.rs1)
#define SRS2 int_reg::S(c, o.rs2)
#define IMM static_cast<uint64_t>(o.imm)

INT_STEP(lui) { RD = IMM; }
INT_STEP(auipc) { RD = o.pc + IMM; }

INT_STEP(addi) { RD = RS1 + IMM; }
INT_STEP(sltiu) { RD = RS1 < IMM; }
INT_STEP(xori) { RD = RS1 ^ IMM; }
INT_STEP(ori) { RD = RS1 | IMM; }
INT_STEP(andi) { RD = RS1 & IMM; }
INT_STEP(slli) { RD = RS1 << (o.imm & 63); }
INT_STEP(srli) { RD = RS1 >> (o.imm & 63); }
INT_STEP(srai) { RD = static_cast<uint64_t>(SRS1 >> (o.imm & 63)); }
INT_STEP(add) { RD = RS1 + RS2; }
INT_STEP(sub) { RD = RS1 - RS2; }
INT_STEP(sll) { RD = RS1 << (RS2 & 63); }
INT_STEP(slt) { RD = SRS1 < SRS2; }
INT_STEP(sltu) { RD = RS1 < RS2; }
INT_STEP(xor) { RD = RS1 ^ RS2; }
INT_STEP(srl) { RD = RS1 >> (RS2 & 63); }
INT_STEP(or) { RD = RS1 | RS2; }
INT_STEP(and) { RD = RS1 & RS2; }
INT_STEP(addiw) { RD = int_reg::sx32(RS1 + IMM); }
INT_STEP(slliw) { RD = int_reg::sx32(RS1 << (o.imm & 31)); }
INT_STEP(srliw) { RD = int_reg::sx32(static_cast<uint32_t>(RS1) >> (o.imm & 31)); }
INT_STEP(sraiw) { RD = int_reg::sx32(static_cast<uint64_t>(static_cast<int32_t>(RS1) >> (o.imm & 31))); }
INT_STEP(addw) { RD = int_reg::sx32(RS1 + RS2); }
INT_STEP(subw) { RD = int_reg::sx32(RS1 - RS2); }
INT_STEP(mul) { RD = RS1 * RS2; }
INT_STEP(mulw) { RD = int_reg::sx32(RS1 * RS2); }

#undef INT_STEP
#undef RS1
#undef RS2
#undef RD
#undef SRS1
#undef SRS2
#undef IMM

}  // namespace rwd::riscv
