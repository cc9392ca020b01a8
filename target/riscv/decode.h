// Instruction decoding. Every instruction is listed once, in insn_table.inc,
// as (name, match, mask, format, flags, extension); that one table drives
// decoding, the disassembler and the encoding-overlap unit test.
#pragma once
#include <cstdint>
#include <string>

#include "target/riscv/cpu_config.h"

namespace rwd::riscv {

class Cpu;
struct Op;
// Ops are threaded: each handler does its work and tail-calls the next op of
// its block (see DEF_OP in insn_handlers.h); every block ends with an exit op.
using OpFn = void (*)(Cpu&, const Op*);

// Operand shapes. They decide which fields are extracted and how the
// instruction is printed; "F" marks floating-point register operands.
enum class Fmt : uint8_t {
  R,      // rd, rs1, rs2
  R1,     // rd, rs1
  I,      // rd, rs1, imm
  L,      // rd, imm(rs1)
  S,      // rs2, imm(rs1)
  B,      // rs1, rs2, pc+imm
  U,      // rd, imm
  J,      // rd, pc+imm
  Csr,    // rd, csr, rs1
  CsrI,   // rd, csr, uimm (uimm in rs1)
  N,      // no operands
  Fence,  // pred, succ
  Sfence, // rs1, rs2
  Amo,    // rd, rs2, (rs1)
  Lr,     // rd, (rs1)
  FL,     // fd, imm(rs1)
  FS,     // fs2, imm(rs1)
  F3,     // fd, fs1, fs2
  F4,     // fd, fs1, fs2, fs3
  F2,     // fd, fs1
  XF,     // rd, fs1
  FX,     // fd, rs1
  XFF,    // rd, fs1, fs2
};

enum InsnFlags : uint8_t {
  kEndsBlock = 1,  // control flow or state change: last instruction of a block
  kFloat = 2,      // illegal while mstatus.FS is Off
};

struct InsnDesc {
  const char* name;  // identifier form, e.g. "fadd_s" (printed as "fadd.s")
  uint32_t match;
  uint32_t mask;
  Fmt fmt;
  uint8_t flags;
  Ext ext;  // the extension it belongs to
  OpFn fn;
};

// Instructions whose only effect is writing rd; with rd = x0 they are no-ops
// but must still decode (hints), and their result goes to the sink x[32],
// which is what an op's rd names for x0.
inline constexpr uint8_t kSinkReg = 32;

// One decoded instruction, ready to execute.
struct Op {
  OpFn fn;
  uint64_t pc;
  int64_t imm;
  uint32_t raw;  // the instruction bits as fetched (16 or 32 bits)
  // 1-based position within its translation block. While this instruction
  // executes, the instructions counted are those before its block plus `seq`:
  // an instruction that reads a counter or the clock sees itself counted, as
  // on QEMU with -icount.
  uint16_t seq;
  uint8_t rd, rs1, rs2, rs3;
  uint8_t len;   // 2 or 4 bytes
  uint8_t rm;    // funct3 (rounding mode) or aq/rl bits
  // A side exit (a forward branch a block goes on past, accel/tcg/block_exit.h):
  // how many ops on its block's exit op is, which names the block. Unused in
  // a block's rest and in a cut block's copy, which never continue into
  // another block.
  uint16_t exit_distance = 0;
};

// Expands a 16-bit compressed instruction to its 32-bit equivalent, or
// returns 0 for an illegal/reserved encoding.
uint32_t expand_compressed(uint16_t c);

// Finds the table entry of a (32-bit) instruction; nullptr if illegal.
const InsnDesc* find_insn(uint32_t insn);

// Decodes one instruction for a hart with the extensions `exts`
// (CpuConfig::decode_set). `raw` is 16 or 32 bits (len from its low bits).
// Illegal instructions, and those of an extension the hart lacks (any
// 16-bit one without C), decode to an op that raises illegal-instruction.
// Returns the descriptor (nullptr when illegal). Without C (IALIGN = 32) a
// jump or branch to a pc that is not 4-byte aligned gets a handler that
// raises instruction-address-misaligned when it jumps; the check is made
// here, once per translation, and costs the other harts nothing.
const InsnDesc* decode(uint32_t raw, uint64_t pc, Op& op, ExtSet exts = kAllExts);

// The table, for tests and tools.
const InsnDesc* insn_table(size_t& count);

// "addi a0, a0, 1"-style text for one instruction (raw 16 or 32 bits).
std::string disassemble(uint32_t raw, uint64_t pc);
const char* int_reg_name(unsigned r);
const char* fp_reg_name(unsigned r);

// Instruction length in bytes from its first 16-bit parcel.
inline unsigned insn_length(uint16_t first_parcel) { return (first_parcel & 3) == 3 ? 4 : 2; }

}  // namespace rwd::riscv
