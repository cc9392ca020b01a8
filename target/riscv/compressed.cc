// RVC: each 16-bit instruction is expanded to the 32-bit instruction it
// stands for (RISC-V unprivileged spec, chapter "C" Standard Extension), so
// that one table and one set of semantics serve both.
#include "target/riscv/decode.h"

namespace rwd::riscv {

namespace {

uint32_t bits(uint32_t v, int hi, int lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
uint32_t creg(uint32_t r3) { return r3 + 8; }  // x8..x15 / f8..f15

uint32_t enc_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
uint32_t enc_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op) {
  return (static_cast<uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}
uint32_t enc_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t op) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (bits(u, 11, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (bits(u, 4, 0) << 7) | op;
}
uint32_t enc_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (bits(u, 12, 12) << 31) | (bits(u, 10, 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
         (bits(u, 4, 1) << 8) | (bits(u, 11, 11) << 7) | 0x63;
}
uint32_t enc_j(int32_t imm, uint32_t rd) {
  uint32_t u = static_cast<uint32_t>(imm);
  return (bits(u, 20, 20) << 31) | (bits(u, 10, 1) << 21) | (bits(u, 11, 11) << 20) |
         (bits(u, 19, 12) << 12) | (rd << 7) | 0x6f;
}
int32_t sext(uint32_t v, int width) { return static_cast<int32_t>(v << (32 - width)) >> (32 - width); }

constexpr uint32_t kOpLoad = 0x03, kOpLoadFp = 0x07, kOpImm = 0x13, kOpImm32 = 0x1b;
constexpr uint32_t kOpStore = 0x23, kOpStoreFp = 0x27, kOp = 0x33, kOp32 = 0x3b, kOpLui = 0x37;
constexpr uint32_t kOpJalr = 0x67;

uint32_t quadrant0(uint32_t c) {
  uint32_t rd = creg(bits(c, 4, 2)), rs1 = creg(bits(c, 9, 7));
  uint32_t off_w = (bits(c, 5, 5) << 6) | (bits(c, 12, 10) << 3) | (bits(c, 6, 6) << 2);
  uint32_t off_d = (bits(c, 6, 5) << 6) | (bits(c, 12, 10) << 3);
  switch (bits(c, 15, 13)) {
    case 0: {  // c.addi4spn
      uint32_t imm = (bits(c, 10, 7) << 6) | (bits(c, 12, 11) << 4) | (bits(c, 5, 5) << 3) |
                     (bits(c, 6, 6) << 2);
      if (imm == 0) return 0;
      return enc_i(static_cast<int32_t>(imm), 2, 0, rd, kOpImm);
    }
    case 1: return enc_i(static_cast<int32_t>(off_d), rs1, 3, rd, kOpLoadFp);  // c.fld
    case 2: return enc_i(static_cast<int32_t>(off_w), rs1, 2, rd, kOpLoad);    // c.lw
    case 3: return enc_i(static_cast<int32_t>(off_d), rs1, 3, rd, kOpLoad);    // c.ld
    case 5: return enc_s(static_cast<int32_t>(off_d), rd, rs1, 3, kOpStoreFp); // c.fsd
    case 6: return enc_s(static_cast<int32_t>(off_w), rd, rs1, 2, kOpStore);   // c.sw
    case 7: return enc_s(static_cast<int32_t>(off_d), rd, rs1, 3, kOpStore);   // c.sd
    default: return 0;
  }
}

uint32_t quadrant1(uint32_t c) {
  uint32_t rd = bits(c, 11, 7);
  int32_t imm6 = sext((bits(c, 12, 12) << 5) | bits(c, 6, 2), 6);
  switch (bits(c, 15, 13)) {
    case 0: return enc_i(imm6, rd, 0, rd, kOpImm);  // c.addi / c.nop (hints included)
    case 1:  // c.addiw
      if (rd == 0) return 0;
      return enc_i(imm6, rd, 0, rd, kOpImm32);
    case 2: return enc_i(imm6, 0, 0, rd, kOpImm);  // c.li
    case 3:
      if (rd == 2) {  // c.addi16sp
        int32_t imm = sext((bits(c, 12, 12) << 9) | (bits(c, 4, 3) << 7) | (bits(c, 5, 5) << 6) |
                               (bits(c, 2, 2) << 5) | (bits(c, 6, 6) << 4),
                           10);
        if (imm == 0) return 0;
        return enc_i(imm, 2, 0, 2, kOpImm);
      }
      if (imm6 == 0) return 0;  // c.lui with zero immediate is reserved
      return (static_cast<uint32_t>(imm6) << 12) | (rd << 7) | kOpLui;
    case 4: {
      uint32_t r = creg(bits(c, 9, 7));
      uint32_t shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
      switch (bits(c, 11, 10)) {
        case 0: return enc_i(static_cast<int32_t>(shamt), r, 5, r, kOpImm);           // c.srli
        case 1: return enc_i(static_cast<int32_t>(shamt | 0x400), r, 5, r, kOpImm);   // c.srai
        case 2: return enc_i(imm6, r, 7, r, kOpImm);                                  // c.andi
        default: {
          uint32_t rs2 = creg(bits(c, 4, 2));
          uint32_t sel = (bits(c, 12, 12) << 2) | bits(c, 6, 5);
          switch (sel) {
            case 0: return enc_r(0x20, rs2, r, 0, r, kOp);    // c.sub
            case 1: return enc_r(0, rs2, r, 4, r, kOp);       // c.xor
            case 2: return enc_r(0, rs2, r, 6, r, kOp);       // c.or
            case 3: return enc_r(0, rs2, r, 7, r, kOp);       // c.and
            case 4: return enc_r(0x20, rs2, r, 0, r, kOp32);  // c.subw
            case 5: return enc_r(0, rs2, r, 0, r, kOp32);     // c.addw
            default: return 0;
          }
        }
      }
    }
    case 5: {  // c.j
      int32_t imm = sext((bits(c, 12, 12) << 11) | (bits(c, 8, 8) << 10) | (bits(c, 10, 9) << 8) |
                             (bits(c, 6, 6) << 7) | (bits(c, 7, 7) << 6) | (bits(c, 2, 2) << 5) |
                             (bits(c, 11, 11) << 4) | (bits(c, 5, 3) << 1),
                         12);
      return enc_j(imm, 0);
    }
    default: {  // c.beqz / c.bnez
      int32_t imm = sext((bits(c, 12, 12) << 8) | (bits(c, 6, 5) << 6) | (bits(c, 2, 2) << 5) |
                             (bits(c, 11, 10) << 3) | (bits(c, 4, 3) << 1),
                         9);
      return enc_b(imm, 0, creg(bits(c, 9, 7)), bits(c, 15, 13) == 6 ? 0 : 1);
    }
  }
}

uint32_t quadrant2(uint32_t c) {
  uint32_t rd = bits(c, 11, 7), rs2 = bits(c, 6, 2);
  switch (bits(c, 15, 13)) {
    case 0: {  // c.slli
      uint32_t shamt = (bits(c, 12, 12) << 5) | bits(c, 6, 2);
      return enc_i(static_cast<int32_t>(shamt), rd, 1, rd, kOpImm);
    }
    case 1: {  // c.fldsp
      uint32_t off = (bits(c, 4, 2) << 6) | (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3);
      return enc_i(static_cast<int32_t>(off), 2, 3, rd, kOpLoadFp);
    }
    case 2: {  // c.lwsp
      if (rd == 0) return 0;
      uint32_t off = (bits(c, 3, 2) << 6) | (bits(c, 12, 12) << 5) | (bits(c, 6, 4) << 2);
      return enc_i(static_cast<int32_t>(off), 2, 2, rd, kOpLoad);
    }
    case 3: {  // c.ldsp
      if (rd == 0) return 0;
      uint32_t off = (bits(c, 4, 2) << 6) | (bits(c, 12, 12) << 5) | (bits(c, 6, 5) << 3);
      return enc_i(static_cast<int32_t>(off), 2, 3, rd, kOpLoad);
    }
    case 4:
      if (bits(c, 12, 12) == 0) {
        if (rs2 == 0) {  // c.jr
          if (rd == 0) return 0;
          return enc_i(0, rd, 0, 0, kOpJalr);
        }
        return enc_r(0, rs2, 0, 0, rd, kOp);  // c.mv
      }
      if (rs2 == 0) {
        if (rd == 0) return 0x00100073;         // c.ebreak
        return enc_i(0, rd, 0, 1, kOpJalr);     // c.jalr
      }
      return enc_r(0, rs2, rd, 0, rd, kOp);     // c.add
    case 5: {  // c.fsdsp
      uint32_t off = (bits(c, 9, 7) << 6) | (bits(c, 12, 10) << 3);
      return enc_s(static_cast<int32_t>(off), rs2, 2, 3, kOpStoreFp);
    }
    case 6: {  // c.swsp
      uint32_t off = (bits(c, 8, 7) << 6) | (bits(c, 12, 9) << 2);
      return enc_s(static_cast<int32_t>(off), rs2, 2, 2, kOpStore);
    }
    default: {  // c.sdsp
      uint32_t off = (bits(c, 9, 7) << 6) | (bits(c, 12, 10) << 3);
      return enc_s(static_cast<int32_t>(off), rs2, 2, 3, kOpStore);
    }
  }
}

}  // namespace

uint32_t expand_compressed(uint16_t c) {
  if (c == 0) return 0;  // the all-zero parcel is defined illegal
  switch (c & 3) {
    case 0: return quadrant0(c);
    case 1: return quadrant1(c);
    case 2: return quadrant2(c);
    default: return 0;
  }
}

}  // namespace rwd::riscv
