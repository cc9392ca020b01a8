#include "target/riscv/decode.h"

#include <array>
#include <vector>

#include "target/riscv/insn_handlers.h"

namespace rwd::riscv {

namespace {

const InsnDesc kTable[] = {
#define INSN(name, match, mask, fmt, flags, ext) {#name, match, mask, Fmt::fmt, flags, Ext::ext, op_##name},
#include "target/riscv/insn_table.inc"
#undef INSN
};

// Candidates per major opcode (low 7 bits), so decoding scans a handful.
const std::array<std::vector<const InsnDesc*>, 128>& by_opcode() {
  static const auto table = [] {
    std::array<std::vector<const InsnDesc*>, 128> t;
    for (const auto& d : kTable) t[d.match & 0x7f].push_back(&d);
    return t;
  }();
  return table;
}

int64_t sext(uint64_t v, int width) {
  return static_cast<int64_t>(v << (64 - width)) >> (64 - width);
}

int64_t imm_i(uint32_t i) { return sext(i >> 20, 12); }
int64_t imm_s(uint32_t i) { return sext(((i >> 25) << 5) | ((i >> 7) & 0x1f), 12); }
int64_t imm_b(uint32_t i) {
  return sext((((i >> 31) & 1) << 12) | (((i >> 7) & 1) << 11) | (((i >> 25) & 0x3f) << 5) |
                  (((i >> 8) & 0xf) << 1),
              13);
}
int64_t imm_u(uint32_t i) { return sext(i & 0xfffff000u, 32); }
int64_t imm_j(uint32_t i) {
  return sext((((i >> 31) & 1) << 20) | (((i >> 12) & 0xff) << 12) | (((i >> 20) & 1) << 11) |
                  (((i >> 21) & 0x3ff) << 1),
              21);
}

}  // namespace

const InsnDesc* insn_table(size_t& count) {
  count = sizeof(kTable) / sizeof(kTable[0]);
  return kTable;
}

const InsnDesc* find_insn(uint32_t insn) {
  for (const InsnDesc* d : by_opcode()[insn & 0x7f]) {
    if ((insn & d->mask) == d->match) return d;
  }
  return nullptr;
}

const InsnDesc* decode(uint32_t raw, uint64_t pc, Op& op, ExtSet exts) {
  unsigned len = insn_length(static_cast<uint16_t>(raw));
  const bool rvc = (exts & ext_bit(Ext::C)) != 0;
  uint32_t insn = len == 4 ? raw : rvc ? expand_compressed(static_cast<uint16_t>(raw)) : 0;
  op = Op{};
  op.pc = pc;
  op.raw = len == 2 ? (raw & 0xffff) : raw;
  op.len = static_cast<uint8_t>(len);
  op.fn = op_illegal;
  const InsnDesc* d = insn ? find_insn(insn) : nullptr;
  if (!d || !(exts & ext_bit(d->ext))) return nullptr;

  op.fn = d->fn;
  op.rd = (insn >> 7) & 0x1f;
  op.rs1 = (insn >> 15) & 0x1f;
  op.rs2 = (insn >> 20) & 0x1f;
  op.rs3 = (insn >> 27) & 0x1f;
  op.rm = (insn >> 12) & 7;
  switch (d->fmt) {
    case Fmt::I:
    case Fmt::L:
    case Fmt::FL:
      op.imm = imm_i(insn);
      break;
    case Fmt::S:
    case Fmt::FS:
      op.imm = imm_s(insn);
      break;
    case Fmt::B:
      op.imm = imm_b(insn);
      break;
    case Fmt::U:
      op.imm = imm_u(insn);
      break;
    case Fmt::J:
      op.imm = imm_j(insn);
      break;
    case Fmt::Csr:
    case Fmt::CsrI:
      op.imm = insn >> 20;  // CSR number
      break;
    case Fmt::Amo:
    case Fmt::Lr:
      op.rm = (insn >> 25) & 3;  // aq/rl
      break;
    default:
      break;
  }
  // IALIGN = 32: the target of jal and of a branch is known now.
  if (!rvc) {
    const bool misaligned = (pc + static_cast<uint64_t>(op.imm)) & 3;
    if (d->fmt == Fmt::J && misaligned) op.fn = op_jal_misaligned;
    else if (d->fmt == Fmt::B && misaligned) op.fn = op_branch_misaligned;
    else if (d->fn == op_jalr) op.fn = op_jalr_ialign32;
  }
  // Integer destinations of x0 go to the sink register.
  switch (d->fmt) {
    case Fmt::R: case Fmt::R1: case Fmt::I: case Fmt::L: case Fmt::U: case Fmt::J:
    case Fmt::Csr: case Fmt::CsrI: case Fmt::Amo: case Fmt::Lr: case Fmt::XF: case Fmt::XFF:
      if (op.rd == 0) op.rd = kSinkReg;
      break;
    default:
      break;
  }
  return d;
}

}  // namespace rwd::riscv
