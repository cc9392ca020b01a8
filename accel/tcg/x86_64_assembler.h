// A small x86-64 machine-code assembler: just the instructions the block
// compiler (accel/tcg/jit_x86_64.cc) emits, encoded from the Intel SDM's
// tables (REX, ModRM, SIB). Code goes into a byte vector; forward jumps are
// labels patched when bound.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace rwd::x86 {

enum Reg : uint8_t { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

// A memory operand [base + index*scale + disp]; index RSP means none.
struct Mem {
  Reg base;
  int32_t disp = 0;
  Reg index = RSP;
  uint8_t scale = 1;
};
inline Mem mem(Reg base, int32_t disp = 0) { return Mem{base, disp}; }
inline Mem mem(Reg base, Reg index, uint8_t scale, int32_t disp = 0) { return Mem{base, disp, index, scale}; }

enum Cond : uint8_t { kB = 0x2, kAE = 0x3, kE = 0x4, kNE = 0x5, kA = 0x7, kP = 0xa, kL = 0xc, kGE = 0xd };
// The opposite condition: x86 encodes each pair with the low bit flipped.
inline Cond negated(Cond c) { return static_cast<Cond>(c ^ 1); }

// Two-operand integer ALU operations: the /digit of their 0x81 form; the
// register forms are opcode (digit << 3) | 1 (r/m, reg) and | 3 (reg, r/m).
enum Alu : uint8_t { kAdd = 0, kOr = 1, kAnd = 4, kSub = 5, kXor = 6, kCmp = 7 };
enum Shift : uint8_t { kShl = 4, kShr = 5, kSar = 7 };

class Assembler {
 public:
  struct Label {
    int64_t pos = -1;                // bound position, or -1
    std::vector<size_t> fixups;      // rel32 fields waiting for it
  };

  const std::vector<uint8_t>& code() const { return buf_; }
  size_t size() const { return buf_.size(); }

  // --- moves ---------------------------------------------------------------
  void mov(Reg dst, Mem m) { rex_op(true, dst, m, {0x8b}); }            // mov r64, [m]
  void mov(Mem m, Reg src) { rex_op(true, src, m, {0x89}); }            // mov [m], r64
  void mov32(Reg dst, Mem m) { rex_op(false, dst, m, {0x8b}); }         // mov r32, [m] (zero-extends)
  void mov32(Mem m, Reg src) { rex_op(false, src, m, {0x89}); }
  void mov16(Mem m, Reg src) { byte(0x66); rex_op(false, src, m, {0x89}); }
  void mov8(Mem m, Reg src) { rex_op(false, src, m, {0x88}, src >= RSP); }
  void movsx8(Reg dst, Mem m) { rex_op(true, dst, m, {0x0f, 0xbe}); }
  void movsx16(Reg dst, Mem m) { rex_op(true, dst, m, {0x0f, 0xbf}); }
  void movsx32(Reg dst, Mem m) { rex_op(true, dst, m, {0x63}); }       // movsxd
  void movzx8(Reg dst, Mem m) { rex_op(false, dst, m, {0x0f, 0xb6}); }
  void movzx16(Reg dst, Mem m) { rex_op(false, dst, m, {0x0f, 0xb7}); }
  void mov(Reg dst, Reg src) { rex_rr(true, src, dst, {0x89}); }
  void mov32(Reg dst, Reg src) { rex_rr(false, src, dst, {0x89}); }  // zero-extends
  void movsxd(Reg dst, Reg src) { rex_rr(true, dst, src, {0x63}); }   // sign-extend the low 32 bits
  void movzx8(Reg dst, Reg src) { rex_rr(false, dst, src, {0x0f, 0xb6}, src >= RSP); }
  // Loads a 64-bit constant in the shortest form.
  void mov_imm(Reg dst, uint64_t v) {
    if (v <= 0xffffffffu) {
      rex(false, 0, dst);
      byte(0xb8 + (dst & 7));
      u32(static_cast<uint32_t>(v));
    } else if (fits_i32(static_cast<int64_t>(v))) {
      rex(true, 0, dst);
      byte(0xc7);
      byte(0xc0 | (dst & 7));
      u32(static_cast<uint32_t>(v));
    } else {
      rex(true, 0, dst);
      byte(0xb8 + (dst & 7));
      u64(v);
    }
  }
  // mov qword [m], sign-extended imm32.
  void mov_imm32(Mem m, int32_t v) {
    rex_op(true, RAX, m, {0xc7});
    u32(static_cast<uint32_t>(v));
  }

  // --- arithmetic ----------------------------------------------------------
  void alu(Alu op, Reg dst, Reg src, bool wide = true) {
    rex_rr(wide, src, dst, {static_cast<uint8_t>((op << 3) | 1)});
  }
  void alu(Alu op, Mem m, Reg src, bool wide = true) {  // op [m], src
    rex_op(wide, src, m, {static_cast<uint8_t>((op << 3) | 1)});
  }
  void alu(Alu op, Reg dst, Mem m, bool wide = true) {
    rex_op(wide, dst, m, {static_cast<uint8_t>((op << 3) | 3)});
  }
  void alu_imm(Alu op, Reg dst, int32_t imm, bool wide = true) {
    rex(wide, 0, dst);
    if (imm >= -128 && imm <= 127) {
      byte(0x83);
      byte(0xc0 | (op << 3) | (dst & 7));
      byte(static_cast<uint8_t>(imm));
    } else {
      byte(0x81);
      byte(0xc0 | (op << 3) | (dst & 7));
      u32(static_cast<uint32_t>(imm));
    }
  }
  void alu_imm(Alu op, Mem m, int32_t imm) {  // op qword [m], imm32
    rex_op(true, static_cast<Reg>(op), m, {0x81});
    u32(static_cast<uint32_t>(imm));
  }
  void shift_imm(Shift op, Reg dst, uint8_t count, bool wide = true) {
    rex(wide, 0, dst);
    byte(0xc1);
    byte(0xc0 | (op << 3) | (dst & 7));
    byte(count);
  }
  void shift_cl(Shift op, Reg dst, bool wide = true) {
    rex(wide, 0, dst);
    byte(0xd3);
    byte(0xc0 | (op << 3) | (dst & 7));
  }
  void imul(Reg dst, Mem m, bool wide = true) { rex_op(wide, dst, m, {0x0f, 0xaf}); }
  void imul(Reg dst, Reg src, bool wide = true) { rex_rr(wide, dst, src, {0x0f, 0xaf}); }
  void lea(Reg dst, Mem m) { rex_op(true, dst, m, {0x8d}); }
  // rdx:rax / src (edx:eax for 32 bits): quotient in rax, remainder in rdx.
  // #DE on a zero divisor or a signed overflow: callers rule both out.
  void div(Reg src, bool is_signed, bool wide = true) {
    rex_rr(wide, static_cast<Reg>(is_signed ? 7 : 6), src, {0xf7});
  }
  void sign_extend_rax_into_rdx(bool wide = true) {  // cqo / cdq
    if (wide) byte(0x48);
    byte(0x99);
  }
  void neg(Reg r, bool wide = true) { rex_rr(wide, static_cast<Reg>(3), r, {0xf7}); }
  void setcc(Cond cc, Reg dst) {
    rex(false, 0, dst, dst >= RSP);
    byte(0x0f);
    byte(0x90 | cc);
    byte(0xc0 | (dst & 7));
  }
  void test32(Reg a, Reg b) { rex_rr(false, b, a, {0x85}); }
  void test(Reg a, Reg b) { rex_rr(true, b, a, {0x85}); }
  void cmp8_imm(Mem m, uint8_t imm) {  // cmp byte [m], imm8
    rex_op(false, static_cast<Reg>(kCmp), m, {0x80});
    byte(imm);
  }

  void cmp32_imm8(Mem m, int8_t imm) {  // cmp dword [m], imm8
    rex_op(false, static_cast<Reg>(kCmp), m, {0x83});
    byte(static_cast<uint8_t>(imm));
  }
  void mov32_imm(Mem m, uint32_t imm) {  // mov dword [m], imm32
    rex_op(false, RAX, m, {0xc7});
    u32(imm);
  }
  void test32_imm(Mem m, uint32_t imm) {  // test dword [m], imm32
    rex_op(false, RAX, m, {0xf7});
    u32(imm);
  }
  void shr32_imm(Reg dst, uint8_t count) { shift_imm(kShr, dst, count, false); }

  // --- scalar SSE (xmm registers numbered as Reg 0..15) ---------------------
  enum SseOp : uint8_t { kSqrt = 0x51, kAddSd = 0x58, kMulSd = 0x59, kSubSd = 0x5c, kDivSd = 0x5e };
  void movsd(Reg xmm, Mem m) { sse(0xf2, 0x10, xmm, m); }   // movsd xmm, [m]
  void movsd(Mem m, Reg xmm) { sse(0xf2, 0x11, xmm, m); }   // movsd [m], xmm
  void arith_sd(SseOp op, Reg xmm, Mem m) { sse(0xf2, op, xmm, m); }
  void ucomisd(Reg a, Reg b) { byte(0x66); rex_rr(false, a, b, {0x0f, 0x2e}); }
  void ldmxcsr(Mem m) { rex_op(false, static_cast<Reg>(2), m, {0x0f, 0xae}); }
  void stmxcsr(Mem m) { rex_op(false, static_cast<Reg>(3), m, {0x0f, 0xae}); }
  // vfm{add,sub,nmadd,nmsub}231sd dst, src, [m] (FMA3, VEX.LIG.66.0F38.W1):
  // dst = ±(src * [m]) ± dst. `op` is its opcode byte (0xb9, 0xbb, 0xbd, 0xbf).
  void vfma231sd(uint8_t op, Reg dst, Reg src, Mem m) {
    byte(0xc4);
    unsigned x = m.index == RSP ? 0 : m.index;
    byte(static_cast<uint8_t>(((~dst >> 3) & 1) << 7 | ((~x >> 3) & 1) << 6 | ((~m.base >> 3) & 1) << 5 | 0x02));
    byte(static_cast<uint8_t>(0x80 | ((~src & 15) << 3) | 0x01));
    byte(op);
    modrm_mem(dst, m);
  }

  // --- control flow --------------------------------------------------------
  void push(Reg r) { if (r >= R8) byte(0x41); byte(0x50 + (r & 7)); }
  void pop(Reg r) { if (r >= R8) byte(0x41); byte(0x58 + (r & 7)); }
  void ret() { byte(0xc3); }
  void call(Reg r) { rex(false, 0, r); byte(0xff); byte(0xd0 | (r & 7)); }
  void jmp(Mem m) { rex_op(false, static_cast<Reg>(4), m, {0xff}); }  // jmp qword [m]
  void jmp(Label& l) { byte(0xe9); rel32(l); }
  void jmp(Reg r) { rex(false, 0, r); byte(0xff); byte(0xe0 | (r & 7)); }
  void jcc(Cond cc, Label& l) { byte(0x0f); byte(0x80 | cc); rel32(l); }
  // A jmp rel32 to the next instruction, to be patched later (block
  // linking): returns the offset of its rel32 field.
  size_t jmp_patchable() {
    byte(0xe9);
    size_t at = buf_.size();
    u32(0);
    return at;
  }
  void bind(Label& l) {
    l.pos = static_cast<int64_t>(buf_.size());
    for (size_t at : l.fixups) patch_rel32(at, l.pos);
    l.fixups.clear();
  }

  static bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

 private:
  void byte(uint8_t b) { buf_.push_back(b); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) byte(static_cast<uint8_t>(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i))); }
  void rel32(Label& l) {
    size_t at = buf_.size();
    u32(0);
    if (l.pos >= 0) patch_rel32(at, l.pos);
    else l.fixups.push_back(at);
  }
  void patch_rel32(size_t at, int64_t target) {
    int32_t rel = static_cast<int32_t>(target - static_cast<int64_t>(at + 4));
    std::memcpy(&buf_[at], &rel, 4);
  }
  // REX prefix for reg field `r`, index `x`, base/rm `b`; emitted only when
  // needed (or forced, for the byte registers spl/bpl/sil/dil).
  void rex(bool w, unsigned r, unsigned b, bool force = false, unsigned x = 0) {
    uint8_t v = static_cast<uint8_t>(0x40 | (w << 3) | ((r >> 3) << 2) | ((x >> 3) << 1) | (b >> 3));
    if (v != 0x40 || force) byte(v);
  }
  void opcode(std::initializer_list<uint8_t> op) { for (uint8_t b : op) byte(b); }
  // Register-register form: `reg` in ModRM.reg, `rm` in ModRM.rm.
  void rex_rr(bool w, Reg reg, Reg rm, std::initializer_list<uint8_t> op, bool force = false) {
    rex(w, reg, rm, force);
    opcode(op);
    byte(static_cast<uint8_t>(0xc0 | ((reg & 7) << 3) | (rm & 7)));
  }
  // Register-memory form.
  void rex_op(bool w, Reg reg, Mem m, std::initializer_list<uint8_t> op, bool force = false) {
    rex(w, reg, m.base, force, m.index == RSP ? 0 : m.index);
    opcode(op);
    modrm_mem(reg, m);
  }
  // A legacy-SSE instruction: mandatory prefix, (REX,) 0F op, ModRM.
  void sse(uint8_t prefix, uint8_t op, Reg reg, Mem m) {
    byte(prefix);
    rex_op(false, reg, m, {0x0f, op});
  }
  // ModRM (+ SIB, displacement) for `reg` and the memory operand `m`.
  void modrm_mem(Reg reg, Mem m) {
    bool need_sib = m.index != RSP || (m.base & 7) == RSP;
    // mod 00 with base rbp/r13 would mean rip-relative: always give a displacement.
    uint8_t mod = (m.disp == 0 && (m.base & 7) != RBP) ? 0 : (m.disp >= -128 && m.disp <= 127) ? 1 : 2;
    byte(static_cast<uint8_t>((mod << 6) | ((reg & 7) << 3) | (need_sib ? 4 : (m.base & 7))));
    if (need_sib) {
      uint8_t ss = m.scale == 8 ? 3 : m.scale == 4 ? 2 : m.scale == 2 ? 1 : 0;
      byte(static_cast<uint8_t>((ss << 6) | ((m.index & 7) << 3) | (m.base & 7)));
    }
    if (mod == 1) byte(static_cast<uint8_t>(m.disp));
    else if (mod == 2) u32(static_cast<uint32_t>(m.disp));
  }

  std::vector<uint8_t> buf_;
};

}  // namespace rwd::x86
