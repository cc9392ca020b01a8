// Disassembler driven by the instruction table: the operand shape of each
// entry decides how it prints.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "target/riscv/decode.h"

namespace rwd::riscv {

namespace {
const char* const kIntNames[] = {"zero", "ra", "sp",  "gp",  "tp", "t0", "t1", "t2", "s0", "s1", "a0",
                                 "a1",   "a2", "a3",  "a4",  "a5", "a6", "a7", "s2", "s3", "s4", "s5",
                                 "s6",   "s7", "s8",  "s9",  "s10", "s11", "t3", "t4", "t5", "t6"};
const char* const kFpNames[] = {"ft0", "ft1", "ft2",  "ft3",  "ft4", "ft5", "ft6",  "ft7",
                                "fs0", "fs1", "fa0",  "fa1",  "fa2", "fa3", "fa4",  "fa5",
                                "fa6", "fa7", "fs2",  "fs3",  "fs4", "fs5", "fs6",  "fs7",
                                "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

std::string mnemonic(const char* name) {
  std::string s(name);
  for (char& ch : s) if (ch == '_') ch = '.';
  return s;
}
}  // namespace

const char* int_reg_name(unsigned r) { return r < 32 ? kIntNames[r] : "zero"; }
const char* fp_reg_name(unsigned r) { return kFpNames[r & 31]; }

std::string disassemble(uint32_t raw, uint64_t pc) {
  Op op;
  const InsnDesc* d = decode(raw, pc, op);
  if (!d) return "illegal";
  unsigned rd = op.rd == 32 ? 0 : op.rd;
  const char* x_rd = int_reg_name(rd);
  const char* x_rs1 = int_reg_name(op.rs1);
  const char* x_rs2 = int_reg_name(op.rs2);
  char buf[160];
  std::string m = mnemonic(d->name);
  const char* n = m.c_str();
  long long imm = op.imm;
  // Shift-immediate forms carry funct bits above the shift amount.
  static const std::string kShifts6[] = {"slli", "srli", "srai", "rori", "slli.uw", "bclri", "bexti", "binvi", "bseti"};
  static const std::string kShifts5[] = {"slliw", "srliw", "sraiw", "roriw"};
  for (const auto& n6 : kShifts6) if (m == n6) imm &= 63;
  for (const auto& n5 : kShifts5) if (m == n5) imm &= 31;
  unsigned long long target = pc + op.imm;
  switch (d->fmt) {
    case Fmt::R: snprintf(buf, sizeof buf, "%-7s %s,%s,%s", n, x_rd, x_rs1, x_rs2); break;
    case Fmt::R1: snprintf(buf, sizeof buf, "%-7s %s,%s", n, x_rd, x_rs1); break;
    case Fmt::I: snprintf(buf, sizeof buf, "%-7s %s,%s,%lld", n, x_rd, x_rs1, imm); break;
    case Fmt::L: snprintf(buf, sizeof buf, "%-7s %s,%lld(%s)", n, x_rd, imm, x_rs1); break;
    case Fmt::S: snprintf(buf, sizeof buf, "%-7s %s,%lld(%s)", n, x_rs2, imm, x_rs1); break;
    case Fmt::B: snprintf(buf, sizeof buf, "%-7s %s,%s,0x%llx", n, x_rs1, x_rs2, target); break;
    case Fmt::U:
      snprintf(buf, sizeof buf, "%-7s %s,0x%llx", n, x_rd, (static_cast<unsigned long long>(imm) >> 12) & 0xfffff);
      break;
    case Fmt::J: snprintf(buf, sizeof buf, "%-7s %s,0x%llx", n, x_rd, target); break;
    case Fmt::Csr: snprintf(buf, sizeof buf, "%-7s %s,0x%03llx,%s", n, x_rd, imm, x_rs1); break;
    case Fmt::CsrI: snprintf(buf, sizeof buf, "%-7s %s,0x%03llx,%u", n, x_rd, imm, op.rs1); break;
    case Fmt::N: snprintf(buf, sizeof buf, "%s", n); break;
    case Fmt::Fence: snprintf(buf, sizeof buf, "%s", n); break;
    case Fmt::Sfence: snprintf(buf, sizeof buf, "%-7s %s,%s", n, x_rs1, x_rs2); break;
    case Fmt::Amo: snprintf(buf, sizeof buf, "%-7s %s,%s,(%s)", n, x_rd, x_rs2, x_rs1); break;
    case Fmt::Lr: snprintf(buf, sizeof buf, "%-7s %s,(%s)", n, x_rd, x_rs1); break;
    case Fmt::FL: snprintf(buf, sizeof buf, "%-7s %s,%lld(%s)", n, fp_reg_name(op.rd), imm, x_rs1); break;
    case Fmt::FS: snprintf(buf, sizeof buf, "%-7s %s,%lld(%s)", n, fp_reg_name(op.rs2), imm, x_rs1); break;
    case Fmt::F3:
      snprintf(buf, sizeof buf, "%-7s %s,%s,%s", n, fp_reg_name(op.rd), fp_reg_name(op.rs1), fp_reg_name(op.rs2));
      break;
    case Fmt::F4:
      snprintf(buf, sizeof buf, "%-7s %s,%s,%s,%s", n, fp_reg_name(op.rd), fp_reg_name(op.rs1),
               fp_reg_name(op.rs2), fp_reg_name(op.rs3));
      break;
    case Fmt::F2: snprintf(buf, sizeof buf, "%-7s %s,%s", n, fp_reg_name(op.rd), fp_reg_name(op.rs1)); break;
    case Fmt::XF: snprintf(buf, sizeof buf, "%-7s %s,%s", n, x_rd, fp_reg_name(op.rs1)); break;
    case Fmt::FX: snprintf(buf, sizeof buf, "%-7s %s,%s", n, fp_reg_name(op.rd), x_rs1); break;
    case Fmt::XFF:
      snprintf(buf, sizeof buf, "%-7s %s,%s,%s", n, x_rd, fp_reg_name(op.rs1), fp_reg_name(op.rs2));
      break;
  }
  return buf;
}

}  // namespace rwd::riscv
