// Tests for the instruction table and decoder (target/riscv/decode.h):
// encoding overlaps (as Spike's check), table self-consistency, RVC expansion
// against GNU as, the disassembler's text and immediate extraction.
//
// The RVC vectors were produced with riscv64-linux-gnu-as -march=rv64gc: each
// c.* mnemonic assembled alone, and its 32-bit equivalent assembled alone
// with `.option norvc`; objcopy -O binary gave the words.
#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "target/riscv/decode.h"

namespace rwd::riscv {
namespace {

// ------------------------------------------------------------------ the table

TEST(DecodeTable, NoTwoEntriesOverlap) {
  size_t n = 0;
  const InsnDesc* t = insn_table(n);
  ASSERT_GT(n, 150u);
  int overlaps = 0;
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      const InsnDesc& a = t[i];
      const InsnDesc& b = t[j];
      // Some word matches both iff they agree on every bit both masks fix.
      if (((a.match ^ b.match) & a.mask & b.mask) == 0) {
        ADD_FAILURE() << a.name << " (match " << std::hex << a.match << " mask " << a.mask << ") overlaps "
                      << b.name << " (match " << b.match << " mask " << b.mask << ")";
        ++overlaps;
      }
    }
  }
  EXPECT_EQ(overlaps, 0);
}

TEST(DecodeTable, EntriesAreSelfConsistentAndDecodeToThemselves) {
  size_t n = 0;
  const InsnDesc* t = insn_table(n);
  std::set<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    const InsnDesc& d = t[i];
    SCOPED_TRACE(d.name);
    EXPECT_EQ(d.match & d.mask, d.match) << std::hex << d.match << " has bits outside mask " << d.mask;
    EXPECT_EQ(d.match & 3, 3u) << "32-bit instructions end in 0b11";
    EXPECT_EQ(d.mask & 0x7f, 0x7fu) << "the major opcode must be fully decoded";
    EXPECT_NE(d.fn, nullptr);
    EXPECT_TRUE(names.insert(d.name).second) << "duplicate name";
    EXPECT_EQ(find_insn(d.match), &d);
    // Every don't-care bit set must still decode to the same entry.
    EXPECT_EQ(find_insn(d.match | ~d.mask), &d);
    Op op;
    EXPECT_EQ(decode(d.match, 0x1000, op), &d);
    EXPECT_EQ(op.fn, d.fn);
    EXPECT_EQ(op.len, 4);
  }
}

TEST(DecodeTable, UnlistedWordsAreIllegal) {
  Op op;
  // custom-0 opcode, an all-ones word, a reserved funct3 of OP-IMM-32 and of
  // BRANCH, and ecall with a non-zero rs1.
  for (uint32_t w : {0x0000000bu, 0xffffffffu, 0x0000201bu, 0x00002063u, 0x00008073u}) {
    EXPECT_EQ(find_insn(w), nullptr) << std::hex << w;
    EXPECT_EQ(decode(w, 0, op), nullptr) << std::hex << w;
    EXPECT_NE(op.fn, nullptr) << "illegal words still decode to an op that traps";
  }
}

// ------------------------------------------------------------ RVC expansion

struct RvcCase {
  uint16_t c;
  uint32_t expanded;
  const char* text;
};

const RvcCase kRvcCases[] = {
    {0x0040, 0x00410413, "c.addi4spn s0, sp, 4"},
    {0x1ffc, 0x3fc10793, "c.addi4spn a5, sp, 1020"},
    {0x2588, 0x0085b507, "c.fld fa0, 8(a1)"},
    {0x3c64, 0x0f843487, "c.fld fs1, 248(s0)"},
    {0x4188, 0x0005a503, "c.lw a0, 0(a1)"},
    {0x5fe4, 0x07c7a483, "c.lw s1, 124(a5)"},
    {0x6a90, 0x0106b603, "c.ld a2, 16(a3)"},
    {0x7cf8, 0x0f84b703, "c.ld a4, 248(s1)"},
    {0xb51c, 0x02f53427, "c.fsd fa5, 40(a0)"},
    {0xc1a8, 0x04a5a023, "c.sw a0, 64(a1)"},
    {0xc05c, 0x00f42223, "c.sw a5, 4(s0)"},
    {0xe644, 0x08963423, "c.sd s1, 136(a2)"},
    {0x0001, 0x00000013, "c.nop"},
    {0x0505, 0x00150513, "c.addi a0, 1"},
    {0x1301, 0xfe030313, "c.addi t1, -32"},
    {0x017d, 0x01f10113, "c.addi sp, 31"},
    {0x357d, 0xfff5051b, "c.addiw a0, -1"},
    {0x2901, 0x0009091b, "c.addiw s2, 0"},
    {0x4501, 0x00000513, "c.li a0, 0"},
    {0x5ffd, 0xfff00f93, "c.li t6, -1"},
    {0x40fd, 0x01f00093, "c.li ra, 31"},
    {0x6141, 0x01010113, "c.addi16sp sp, 16"},
    {0x7101, 0xe0010113, "c.addi16sp sp, -512"},
    {0x617d, 0x1f010113, "c.addi16sp sp, 496"},
    {0x6505, 0x00001537, "c.lui a0, 1"},
    {0x7281, 0xfffe02b7, "c.lui t0, 0xfffe0"},
    {0x6dfd, 0x0001fdb7, "c.lui s11, 31"},
    {0x8105, 0x00155513, "c.srli a0, 1"},
    {0x90fd, 0x03f4d493, "c.srli s1, 63"},
    {0x9781, 0x4207d793, "c.srai a5, 32"},
    {0x99fd, 0xfff5f593, "c.andi a1, -1"},
    {0x883d, 0x00f47413, "c.andi s0, 15"},
    {0x8d0d, 0x40b50533, "c.sub a0, a1"},
    {0x8c3d, 0x00f44433, "c.xor s0, a5"},
    {0x8e55, 0x00d66633, "c.or a2, a3"},
    {0x8f65, 0x00977733, "c.and a4, s1"},
    {0x9d11, 0x40c5053b, "c.subw a0, a2"},
    {0x9eb9, 0x00e686bb, "c.addw a3, a4"},
    {0xa001, 0x0000006f, "c.j .+0"},
    {0xaffd, 0x7fe0006f, "c.j .+2046"},
    {0xb001, 0x801ff06f, "c.j .-2048"},
    {0xc501, 0x00050463, "c.beqz a0, .+8"},
    {0xd081, 0xf00480e3, "c.beqz s1, .-256"},
    {0xeffd, 0x0e079f63, "c.bnez a5, .+254"},
    {0x0506, 0x00151513, "c.slli a0, 1"},
    {0x1ffe, 0x03ff9f93, "c.slli t6, 63"},
    {0x2502, 0x00013507, "c.fldsp fa0, 0(sp)"},
    {0x3ffe, 0x1f813f87, "c.fldsp ft11, 504(sp)"},
    {0x40b2, 0x00c12083, "c.lwsp ra, 12(sp)"},
    {0x52fe, 0x0fc12283, "c.lwsp t0, 252(sp)"},
    {0x6422, 0x00813403, "c.ldsp s0, 8(sp)"},
    {0x78fe, 0x1f813883, "c.ldsp a7, 504(sp)"},
    {0x8082, 0x00008067, "c.jr ra"},
    {0x8f02, 0x000f0067, "c.jr t5"},
    {0x852e, 0x00b00533, "c.mv a0, a1"},
    {0x8dfe, 0x01f00db3, "c.mv s11, t6"},
    {0x9002, 0x00100073, "c.ebreak"},
    {0x9502, 0x000500e7, "c.jalr a0"},
    {0x952e, 0x00b50533, "c.add a0, a1"},
    {0x9106, 0x00110133, "c.add sp, ra"},
    {0xa022, 0x00813027, "c.fsdsp fs0, 0(sp)"},
    {0xbf86, 0x1e113c27, "c.fsdsp ft1, 504(sp)"},
    {0xc22a, 0x00a12223, "c.swsp a0, 4(sp)"},
    {0xdffe, 0x0ff12e23, "c.swsp t6, 252(sp)"},
    {0xe406, 0x00113423, "c.sdsp ra, 8(sp)"},
    {0xffd6, 0x1f513c23, "c.sdsp s5, 504(sp)"},
};

TEST(Compressed, ExpandsLikeTheAssembler) {
  static_assert(sizeof(kRvcCases) / sizeof(kRvcCases[0]) >= 40);
  for (const RvcCase& k : kRvcCases) {
    SCOPED_TRACE(k.text);
    EXPECT_EQ(insn_length(k.c), 2u);
    EXPECT_EQ(expand_compressed(k.c), k.expanded) << std::hex << "c=0x" << k.c;
    // The 16-bit form decodes to the same entry and operands as the 32-bit one.
    Op op16, op32;
    const InsnDesc* d16 = decode(k.c, 0x80000100, op16);
    const InsnDesc* d32 = decode(k.expanded, 0x80000100, op32);
    ASSERT_NE(d16, nullptr);
    EXPECT_EQ(d16, d32);
    EXPECT_EQ(op16.len, 2);
    EXPECT_EQ(op16.raw, k.c);
    EXPECT_EQ(op16.imm, op32.imm);
    EXPECT_EQ(op16.rd, op32.rd);
    EXPECT_EQ(op16.rs1, op32.rs1);
    EXPECT_EQ(op16.rs2, op32.rs2);
  }
}

TEST(Compressed, ReservedEncodingsExpandToZero) {
  struct Reserved {
    uint16_t c;
    const char* what;
  } cases[] = {
      {0x0000, "all-zero parcel"},
      {0x0004, "c.addi4spn x9 with nzuimm = 0"},
      {0x0010, "c.addi4spn a2 with nzuimm = 0"},
      {0x6501, "c.lui a0 with imm = 0"},
      {0x6081, "c.lui ra with imm = 0"},
      {0x6101, "c.addi16sp with imm = 0"},
      {0x4002, "c.lwsp rd = 0"},
      {0x6002, "c.ldsp rd = 0"},
      {0x8002, "c.jr rs1 = 0"},
      {0x2001, "c.addiw rd = 0"},
      {0x207d, "c.addiw rd = 0, imm = -1"},
      {0x8000, "quadrant 0 funct3 = 100 (reserved)"},
      {0x9c41, "c.subw/c.addw group, reserved funct2 = 10"},
      {0x9c61, "c.subw/c.addw group, reserved funct2 = 11"},
  };
  for (const Reserved& r : cases) {
    EXPECT_EQ(expand_compressed(r.c), 0u) << r.what << std::hex << " c=0x" << r.c;
    Op op;
    EXPECT_EQ(decode(r.c, 0, op), nullptr) << r.what;
    EXPECT_EQ(op.len, 2) << r.what;
  }
}

// ------------------------------------------------------------- disassembly

struct DisCase {
  uint32_t raw;
  uint64_t pc;
  const char* text;
};

// Operands are comma-separated without spaces; mnemonics are left-justified in
// 8 columns; branch and jump targets are absolute; U-type prints imm[31:12].
const DisCase kDisCases[] = {
    {0x00150513, 0x1000, "addi    a0,a0,1"},
    {0xff010113, 0x1000, "addi    sp,sp,-16"},
    {0x80032293, 0x1000, "slti    t0,t1,-2048"},
    {0x12345537, 0x1000, "lui     a0,0x12345"},
    {0xfffff097, 0x1000, "auipc   ra,0xfffff"},
    {0x010000ef, 0x80000000, "jal     ra,0x80000010"},
    {0xffdff06f, 0x80000000, "jal     zero,0x7ffffffc"},
    {0x00008067, 0x1000, "jalr    zero,0(ra)"},
    {0x00b50463, 0x2000, "beq     a0,a1,0x2008"},
    {0xfe029ce3, 0x2000, "bne     t0,zero,0x1ff8"},
    {0x7f24ffe3, 0x2000, "bgeu    s1,s2,0x2ffe"},
    {0x00813403, 0x1000, "ld      s0,8(sp)"},
    {0xfff74783, 0x1000, "lbu     a5,-1(a4)"},
    {0x00113c23, 0x1000, "sd      ra,24(sp)"},
    {0x800f8023, 0x1000, "sb      zero,-2048(t6)"},
    {0x00c58533, 0x1000, "add     a0,a1,a2"},
    {0x415a09b3, 0x1000, "sub     s3,s4,s5"},
    {0x03fe1393, 0x1000, "slli    t2,t3,63"},
    {0x02b50533, 0x1000, "mul     a0,a0,a1"},
    {0xc0002573, 0x1000, "csrrs   a0,0xc00,zero"},
    {0x30029073, 0x1000, "csrrw   zero,0x300,t0"},
    {0x340fd5f3, 0x1000, "csrrwi  a1,0x340,31"},
    {0x00000073, 0x1000, "ecall"},
    {0x00100073, 0x1000, "ebreak"},
    {0x30200073, 0x1000, "mret"},
    {0x10500073, 0x1000, "wfi"},
    {0x0330000f, 0x1000, "fence"},
    {0x1005b52f, 0x1000, "lr.d    a0,(a1)"},
    {0x00c5f553, 0x1000, "fadd.s  fa0,fa1,fa2"},
    {0x9b24f443, 0x1000, "fmadd.d fs0,fs1,fs2,fs3"},
    {0x01013007, 0x1000, "fld     ft0,16(sp)"},
    {0xfef52e27, 0x1000, "fsw     fa5,-4(a0)"},
    {0xe0008553, 0x1000, "fmv.x.w a0,ft1"},
    {0xa2b525d3, 0x1000, "feq.d   a1,fa0,fa1"},
    {0x5a0271d3, 0x1000, "fsqrt.d ft3,ft4"},
    // Compressed instructions print as their expansion.
    {0x4505, 0x1000, "addi    a0,zero,1"},
    {0x852e, 0x1000, "add     a0,zero,a1"},
    {0xc501, 0x3000, "beq     a0,zero,0x3008"},
    {0x9002, 0x1000, "ebreak"},
    {0x0000000b, 0x1000, "illegal"},
    {0x0000, 0x1000, "illegal"},
};

TEST(Disassembler, PrintsExpectedText) {
  for (const DisCase& k : kDisCases) {
    EXPECT_EQ(disassemble(k.raw, k.pc), k.text) << std::hex << "raw=0x" << k.raw;
  }
}

TEST(Disassembler, RegisterNames) {
  EXPECT_STREQ(int_reg_name(0), "zero");
  EXPECT_STREQ(int_reg_name(2), "sp");
  EXPECT_STREQ(int_reg_name(8), "s0");
  EXPECT_STREQ(int_reg_name(31), "t6");
  EXPECT_STREQ(int_reg_name(32), "zero");  // the x0 write sink
  EXPECT_STREQ(fp_reg_name(0), "ft0");
  EXPECT_STREQ(fp_reg_name(10), "fa0");
  EXPECT_STREQ(fp_reg_name(31), "ft11");
}

// Was a bug (fixed): with "%-8s" a mnemonic of 8 or more characters runs into its first
// operand ("amoadd.wa2,a3,(a4)", "fcvt.d.lfa0,a7", "sfence.vmazero,zero").
TEST(Disassembler, LongMnemonicsAreSeparatedFromOperands) {
  struct {
    uint32_t raw;
    const char* mnemonic;
  } cases[] = {
      {0x08b6252f, "amoswap.w"},   // amoswap.w a0,a1,(a2)
      {0x00d7262f, "amoadd.w"},    // amoadd.w a2,a3,(a4)
      {0xd228f553, "fcvt.d.l"},    // fcvt.d.l fa0,a7
      {0x12000073, "sfence.vma"},  // sfence.vma zero,zero
      {0xc0051553, "fcvt.w.s"},    // fcvt.w.s a0,fa0,rtz
  };
  for (const auto& k : cases) {
    std::string text = disassemble(k.raw, 0);
    std::string want = std::string(k.mnemonic) + " ";
    EXPECT_EQ(text.substr(0, want.size()), want) << text;
  }
}

// Was a bug (fixed): shift-immediate instructions are printed with the whole I-immediate,
// funct7/funct6 bits included: "sraiw a0,a0,31" prints as 1055.
TEST(Disassembler, ShiftImmediatesPrintTheShiftAmount) {
  EXPECT_EQ(disassemble(0x41f5551b, 0x1000), "sraiw   a0,a0,31");
  EXPECT_EQ(disassemble(0x4207d793, 0x1000), "srai    a5,a5,32");
  EXPECT_EQ(disassemble(0x60555513, 0x1000), "rori    a0,a0,5");
}

// --------------------------------------------------- immediate extraction
// Encoders written from the spec's instruction-format figures.

uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc) {
  return (static_cast<uint32_t>(imm) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}
uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t opc) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (((u >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 0x1f) << 7) | opc;
}
uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
         (f3 << 12) | (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}
uint32_t enc_u(uint32_t imm20, uint32_t rd, uint32_t opc) { return (imm20 << 12) | (rd << 7) | opc; }
uint32_t enc_j(int32_t imm, uint32_t rd) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
         (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

int64_t imm_of(uint32_t insn) {
  Op op;
  EXPECT_NE(decode(insn, 0x80000000, op), nullptr) << std::hex << insn;
  return op.imm;
}

TEST(Immediates, FixedWordsFromTheAssembler) {
  EXPECT_EQ(imm_of(0x80032293), -2048);           // slti t0,t1,-2048
  EXPECT_EQ(imm_of(0x7ff00513), 2047);            // addi a0,zero,2047
  EXPECT_EQ(imm_of(0xfff74783), -1);              // lbu a5,-1(a4)
  EXPECT_EQ(imm_of(0x800f8023), -2048);           // sb zero,-2048(t6)
  EXPECT_EQ(imm_of(0xfef52e27), -4);              // fsw fa5,-4(a0)
  EXPECT_EQ(imm_of(0x00113c23), 24);              // sd ra,24(sp)
  EXPECT_EQ(imm_of(0x7f24ffe3), 4094);            // bgeu s1,s2,.+4094
  EXPECT_EQ(imm_of(0xfe029ce3), -8);              // bne t0,zero,.-8
  EXPECT_EQ(imm_of(0x12345537), 0x12345000);      // lui a0,0x12345
  EXPECT_EQ(imm_of(0xfffff097), -4096);           // auipc ra,0xfffff
  EXPECT_EQ(imm_of(0x010000ef), 16);              // jal ra,.+16
  EXPECT_EQ(imm_of(0xffdff06f), -4);              // jal zero,.-4
  EXPECT_EQ(imm_of(0x801ff06f), -2048);           // jal zero,.-2048
  EXPECT_EQ(imm_of(0x80000537), -0x80000000ll);   // lui a0,0x80000: sign-extended on RV64
}

TEST(Immediates, IType) {
  for (int32_t imm : {0, 1, -1, 5, 1000, -1000, 2047, -2048, 0x555, -0x556}) {
    EXPECT_EQ(imm_of(enc_i(imm & 0xfff, 11, 0, 10, 0x13)), imm) << "addi " << imm;
    EXPECT_EQ(imm_of(enc_i(imm & 0xfff, 11, 3, 10, 0x03)), imm) << "ld " << imm;
    EXPECT_EQ(imm_of(enc_i(imm & 0xfff, 11, 0, 1, 0x67)), imm) << "jalr " << imm;
    EXPECT_EQ(imm_of(enc_i(imm & 0xfff, 11, 3, 10, 0x07)), imm) << "fld " << imm;
  }
}

TEST(Immediates, SType) {
  for (int32_t imm : {0, 1, -1, 31, 32, -32, 2047, -2048, 0x7e0, -0x7e1}) {
    EXPECT_EQ(imm_of(enc_s(imm, 12, 2, 3, 0x23)), imm) << "sd " << imm;
    EXPECT_EQ(imm_of(enc_s(imm, 12, 2, 2, 0x27)), imm) << "fsw " << imm;
  }
}

TEST(Immediates, BType) {
  for (int32_t imm : {0, 2, -2, 4, 0x7fe, 0x800, -0x800, 4094, -4096, 0x554, -0xaaa}) {
    for (uint32_t f3 : {0u, 1u, 4u, 5u, 6u, 7u})
      EXPECT_EQ(imm_of(enc_b(imm, 5, 6, f3)), imm) << "branch f3=" << f3 << " " << imm;
  }
}

TEST(Immediates, UType) {
  for (uint32_t imm20 : {0u, 1u, 0x7ffffu, 0x80000u, 0xfffffu, 0x12345u, 0xabcdeu}) {
    int64_t want = static_cast<int32_t>(imm20 << 12);
    EXPECT_EQ(imm_of(enc_u(imm20, 10, 0x37)), want) << "lui " << imm20;
    EXPECT_EQ(imm_of(enc_u(imm20, 10, 0x17)), want) << "auipc " << imm20;
  }
}

TEST(Immediates, JType) {
  for (int32_t imm : {0, 2, -2, 0x7fe, 0x800, 0x1000, -0x1000, 0xffffe, -0x100000, 0x55554, -0xaaaaa}) {
    EXPECT_EQ(imm_of(enc_j(imm, 1)), imm) << "jal " << imm;
  }
}

TEST(Immediates, CsrNumberAndOperandFields) {
  Op op;
  ASSERT_NE(decode(0x340fd5f3, 0, op), nullptr);  // csrrwi a1,mscratch,31
  EXPECT_EQ(op.imm, 0x340);
  EXPECT_EQ(op.rs1, 31);
  EXPECT_EQ(op.rd, 11);
  ASSERT_NE(decode(0x30029073, 0, op), nullptr);  // csrrw zero,mstatus,t0
  EXPECT_EQ(op.rd, 32) << "writes to x0 go to the sink register";
  EXPECT_EQ(op.rs1, 5);
  ASSERT_NE(decode(0x9b24f443, 0, op), nullptr);  // fmadd.d fs0,fs1,fs2,fs3
  EXPECT_EQ(op.rd, 8);
  EXPECT_EQ(op.rs1, 9);
  EXPECT_EQ(op.rs2, 18);
  EXPECT_EQ(op.rs3, 19);
  EXPECT_EQ(op.rm, 7);  // dynamic rounding
  ASSERT_NE(decode(0x00113c23, 0, op), nullptr);  // sd ra,24(sp): no rd
  EXPECT_EQ(op.rs1, 2);
  EXPECT_EQ(op.rs2, 1);
  ASSERT_NE(decode(0x0600262f, 0, op), nullptr);  // amoadd.w.aqrl a2,zero,(zero)
  EXPECT_EQ(op.rm, 3) << "aq/rl";
}

}  // namespace
}  // namespace rwd::riscv
