// Tests for the x86-64 assembler the JIT emits host code with
// (accel/tcg/x86_64_assembler.h): every emitting method is checked byte for
// byte against GNU as. Each case carries the Intel-syntax line that was fed to
// `as` (.intel_syntax noprefix) and the bytes objdump showed for it, so any row
// can be re-checked by hand. The cases lean on the irregular corners of the
// encoding, where a hand-written encoder goes wrong without noticing: rsp/r12
// as base (SIB needed), rbp/r13 as base (displacement needed even when 0),
// disp8/disp32 boundaries, REX bits for r8-r15 in every field, the empty REX
// that turns ah/ch/dh/bh into spl/bpl/sil/dil, and rel32 label fixups.
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "accel/tcg/x86_64_assembler.h"

namespace rwd::x86 {
namespace {

struct Case {
  const char* intel;            // the line given to `as`
  void (*emit)(Assembler&);     // the same instruction through the Assembler
  std::vector<uint8_t> bytes;   // what `as` produced for it
};
#define EMIT(...) [](Assembler& a) { a.__VA_ARGS__; }

// "48 8b 03": bytes as objdump prints them, for readable failures.
std::string dump(std::span<const uint8_t> bytes) {
  std::string s;
  for (uint8_t b : bytes) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%s%02x", s.empty() ? "" : " ", b);
    s += buf;
  }
  return s;
}

void expect_bytes(const Case& c) {
  Assembler a;
  c.emit(a);
  EXPECT_EQ(dump(a.code()), dump(c.bytes)) << c.intel;
  EXPECT_EQ(a.size(), c.bytes.size()) << c.intel;
}

void expect_table(std::span<const Case> cases) {
  for (const Case& c : cases) expect_bytes(c);
}

// ------------------------------------------------------------ expectations

const Case kAddressing[] = {
    // mov r64, [m] carries the addressing-mode cases: ModRM, SIB, REX.B/X/R, disp sizes.
    {"mov rax, [rax]", EMIT(mov(RAX, mem(RAX))), {0x48, 0x8b, 0x00}},
    {"mov rax, [rbx]", EMIT(mov(RAX, mem(RBX))), {0x48, 0x8b, 0x03}},
    {"mov rdx, [rsi]", EMIT(mov(RDX, mem(RSI))), {0x48, 0x8b, 0x16}},
    {"mov rcx, [rdi]", EMIT(mov(RCX, mem(RDI))), {0x48, 0x8b, 0x0f}},
    {"mov r8, [rax]", EMIT(mov(R8, mem(RAX))), {0x4c, 0x8b, 0x00}},
    {"mov r15, [rbx]", EMIT(mov(R15, mem(RBX))), {0x4c, 0x8b, 0x3b}},
    {"mov rax, [r8]", EMIT(mov(RAX, mem(R8))), {0x49, 0x8b, 0x00}},
    {"mov rax, [r15]", EMIT(mov(RAX, mem(R15))), {0x49, 0x8b, 0x07}},
    {"mov r9, [r14]", EMIT(mov(R9, mem(R14))), {0x4d, 0x8b, 0x0e}},
    // rsp and r12 as base need a SIB byte (rm=100 means "SIB follows").
    {"mov rax, [rsp]", EMIT(mov(RAX, mem(RSP))), {0x48, 0x8b, 0x04, 0x24}},
    {"mov rax, [r12]", EMIT(mov(RAX, mem(R12))), {0x49, 0x8b, 0x04, 0x24}},
    {"mov r12, [rsp+8]", EMIT(mov(R12, mem(RSP, 8))), {0x4c, 0x8b, 0x64, 0x24, 0x08}},
    {"mov rsp, [r12+8]", EMIT(mov(RSP, mem(R12, 8))), {0x49, 0x8b, 0x64, 0x24, 0x08}},
    {"mov rax, [rsp+0x400]", EMIT(mov(RAX, mem(RSP, 0x400))),
     {0x48, 0x8b, 0x84, 0x24, 0x00, 0x04, 0x00, 0x00}},
    {"mov r11, [r12-129]", EMIT(mov(R11, mem(R12, -129))),
     {0x4d, 0x8b, 0x9c, 0x24, 0x7f, 0xff, 0xff, 0xff}},
    // rbp and r13 as base need a displacement even when it is 0 (mod=00 rm=101 is rip-relative).
    {"mov rax, [rbp]", EMIT(mov(RAX, mem(RBP))), {0x48, 0x8b, 0x45, 0x00}},
    {"mov rax, [r13]", EMIT(mov(RAX, mem(R13))), {0x49, 0x8b, 0x45, 0x00}},
    {"mov r13, [rbp+8]", EMIT(mov(R13, mem(RBP, 8))), {0x4c, 0x8b, 0x6d, 0x08}},
    {"mov rbp, [r13+127]", EMIT(mov(RBP, mem(R13, 127))), {0x49, 0x8b, 0x6d, 0x7f}},
    {"mov rax, [rbp-0x1000]", EMIT(mov(RAX, mem(RBP, -0x1000))),
     {0x48, 0x8b, 0x85, 0x00, 0xf0, 0xff, 0xff}},
    {"mov rax, [r13+0x80]", EMIT(mov(RAX, mem(R13, 0x80))),
     {0x49, 0x8b, 0x85, 0x80, 0x00, 0x00, 0x00}},
    // disp8 / disp32 boundaries.
    {"mov rax, [rbx+1]", EMIT(mov(RAX, mem(RBX, 1))), {0x48, 0x8b, 0x43, 0x01}},
    {"mov rax, [rbx+127]", EMIT(mov(RAX, mem(RBX, 127))), {0x48, 0x8b, 0x43, 0x7f}},
    {"mov rax, [rbx-128]", EMIT(mov(RAX, mem(RBX, -128))), {0x48, 0x8b, 0x43, 0x80}},
    {"mov rax, [rbx+128]", EMIT(mov(RAX, mem(RBX, 128))),
     {0x48, 0x8b, 0x83, 0x80, 0x00, 0x00, 0x00}},
    {"mov rax, [rbx-129]", EMIT(mov(RAX, mem(RBX, -129))),
     {0x48, 0x8b, 0x83, 0x7f, 0xff, 0xff, 0xff}},
    {"mov rax, [rbx+0x12345678]", EMIT(mov(RAX, mem(RBX, 0x12345678))),
     {0x48, 0x8b, 0x83, 0x78, 0x56, 0x34, 0x12}},
    {"mov rax, [rbx+0x7fffffff]", EMIT(mov(RAX, mem(RBX, INT32_MAX))),
     {0x48, 0x8b, 0x83, 0xff, 0xff, 0xff, 0x7f}},
    {"mov rax, [rbx-0x80000000]", EMIT(mov(RAX, mem(RBX, INT32_MIN))),
     {0x48, 0x8b, 0x83, 0x00, 0x00, 0x00, 0x80}},
    {"mov r10, [r9-1]", EMIT(mov(R10, mem(R9, -1))), {0x4d, 0x8b, 0x51, 0xff}},
    // base + index*scale + disp, with every scale and r8-r15 in both slots.
    {"mov rax, [rbx+rcx*1]", EMIT(mov(RAX, mem(RBX, RCX, 1))), {0x48, 0x8b, 0x04, 0x0b}},
    {"mov rax, [rbx+rcx*2+8]", EMIT(mov(RAX, mem(RBX, RCX, 2, 8))), {0x48, 0x8b, 0x44, 0x4b, 0x08}},
    {"mov rax, [rbx+rdx*4-128]", EMIT(mov(RAX, mem(RBX, RDX, 4, -128))),
     {0x48, 0x8b, 0x44, 0x93, 0x80}},
    {"mov rax, [rbx+rsi*8+0x1000]", EMIT(mov(RAX, mem(RBX, RSI, 8, 0x1000))),
     {0x48, 0x8b, 0x84, 0xf3, 0x00, 0x10, 0x00, 0x00}},
    {"mov rax, [rbx+r8*8]", EMIT(mov(RAX, mem(RBX, R8, 8))), {0x4a, 0x8b, 0x04, 0xc3}},
    {"mov rax, [r8+rbx*8]", EMIT(mov(RAX, mem(R8, RBX, 8))), {0x49, 0x8b, 0x04, 0xd8}},
    {"mov r14, [r8+r9*2]", EMIT(mov(R14, mem(R8, R9, 2))), {0x4f, 0x8b, 0x34, 0x48}},
    {"mov rax, [rbx+r12*1]", EMIT(mov(RAX, mem(RBX, R12, 1))), {0x4a, 0x8b, 0x04, 0x23}},
    {"mov rax, [r12+r12*4]", EMIT(mov(RAX, mem(R12, R12, 4))), {0x4b, 0x8b, 0x04, 0xa4}},
    {"mov rax, [rsp+rax*8]", EMIT(mov(RAX, mem(RSP, RAX, 8))), {0x48, 0x8b, 0x04, 0xc4}},
    {"mov rax, [rsp+r13*2+127]", EMIT(mov(RAX, mem(RSP, R13, 2, 127))),
     {0x4a, 0x8b, 0x44, 0x6c, 0x7f}},
    {"mov rax, [rbp+rcx*1]", EMIT(mov(RAX, mem(RBP, RCX, 1))), {0x48, 0x8b, 0x44, 0x0d, 0x00}},
    {"mov rax, [r13+rdx*2]", EMIT(mov(RAX, mem(R13, RDX, 2))), {0x49, 0x8b, 0x44, 0x55, 0x00}},
    {"mov r15, [r13+r14*8+0x7fffffff]", EMIT(mov(R15, mem(R13, R14, 8, INT32_MAX))),
     {0x4f, 0x8b, 0xbc, 0xf5, 0xff, 0xff, 0xff, 0x7f}},
    {"mov rdi, [r15+r15*8-1]", EMIT(mov(RDI, mem(R15, R15, 8, -1))),
     {0x4b, 0x8b, 0x7c, 0xff, 0xff}},
    {"mov rsi, [rdi+rbp*4-129]", EMIT(mov(RSI, mem(RDI, RBP, 4, -129))),
     {0x48, 0x8b, 0xb4, 0xaf, 0x7f, 0xff, 0xff, 0xff}},
};

const Case kMoves[] = {
    {"mov [rax], rbx", EMIT(mov(mem(RAX), RBX)), {0x48, 0x89, 0x18}},
    {"mov [rsp+8], r8", EMIT(mov(mem(RSP, 8), R8)), {0x4c, 0x89, 0x44, 0x24, 0x08}},
    {"mov [r13], r15", EMIT(mov(mem(R13), R15)), {0x4d, 0x89, 0x7d, 0x00}},
    {"mov [r12+rax*8-4], rsi", EMIT(mov(mem(R12, RAX, 8, -4), RSI)),
     {0x49, 0x89, 0x74, 0xc4, 0xfc}},
    {"mov [rbp+128], rdi", EMIT(mov(mem(RBP, 128), RDI)),
     {0x48, 0x89, 0xbd, 0x80, 0x00, 0x00, 0x00}},
    {"mov eax, [rbx]", EMIT(mov32(RAX, mem(RBX))), {0x8b, 0x03}},
    {"mov r10d, [rsp+4]", EMIT(mov32(R10, mem(RSP, 4))), {0x44, 0x8b, 0x54, 0x24, 0x04}},
    {"mov ecx, [r13]", EMIT(mov32(RCX, mem(R13))), {0x41, 0x8b, 0x4d, 0x00}},
    {"mov edx, [r12+r8*4+0x100]", EMIT(mov32(RDX, mem(R12, R8, 4, 0x100))),
     {0x43, 0x8b, 0x94, 0x84, 0x00, 0x01, 0x00, 0x00}},
    {"mov [rax], ecx", EMIT(mov32(mem(RAX), RCX)), {0x89, 0x08}},
    {"mov [r9+4], r11d", EMIT(mov32(mem(R9, 4), R11)), {0x45, 0x89, 0x59, 0x04}},
    {"mov [rbp-8], esp", EMIT(mov32(mem(RBP, -8), RSP)), {0x89, 0x65, 0xf8}},
    {"mov [rsp], edi", EMIT(mov32(mem(RSP), RDI)), {0x89, 0x3c, 0x24}},
    {"mov [rax], bx", EMIT(mov16(mem(RAX), RBX)), {0x66, 0x89, 0x18}},
    {"mov [r8+2], cx", EMIT(mov16(mem(R8, 2), RCX)), {0x66, 0x41, 0x89, 0x48, 0x02}},
    {"mov [rsp], r9w", EMIT(mov16(mem(RSP), R9)), {0x66, 0x44, 0x89, 0x0c, 0x24}},
    {"mov [r13+r14*2], r15w", EMIT(mov16(mem(R13, R14, 2), R15)),
     {0x66, 0x47, 0x89, 0x7c, 0x75, 0x00}},
    {"mov [rbp], si", EMIT(mov16(mem(RBP), RSI)), {0x66, 0x89, 0x75, 0x00}},
    // Byte stores: spl/bpl/sil/dil need a (possibly empty) REX, or they would be ah/ch/dh/bh.
    {"mov [rax], al", EMIT(mov8(mem(RAX), RAX)), {0x88, 0x00}},
    {"mov [rax], cl", EMIT(mov8(mem(RAX), RCX)), {0x88, 0x08}},
    {"mov [rax], dl", EMIT(mov8(mem(RAX), RDX)), {0x88, 0x10}},
    {"mov [rax], bl", EMIT(mov8(mem(RAX), RBX)), {0x88, 0x18}},
    {"mov [rax], spl", EMIT(mov8(mem(RAX), RSP)), {0x40, 0x88, 0x20}},
    {"mov [rax], bpl", EMIT(mov8(mem(RAX), RBP)), {0x40, 0x88, 0x28}},
    {"mov [rax], sil", EMIT(mov8(mem(RAX), RSI)), {0x40, 0x88, 0x30}},
    {"mov [rax], dil", EMIT(mov8(mem(RAX), RDI)), {0x40, 0x88, 0x38}},
    {"mov [rax], r8b", EMIT(mov8(mem(RAX), R8)), {0x44, 0x88, 0x00}},
    {"mov [rax], r9b", EMIT(mov8(mem(RAX), R9)), {0x44, 0x88, 0x08}},
    {"mov [rax], r10b", EMIT(mov8(mem(RAX), R10)), {0x44, 0x88, 0x10}},
    {"mov [rax], r11b", EMIT(mov8(mem(RAX), R11)), {0x44, 0x88, 0x18}},
    {"mov [rax], r12b", EMIT(mov8(mem(RAX), R12)), {0x44, 0x88, 0x20}},
    {"mov [rax], r13b", EMIT(mov8(mem(RAX), R13)), {0x44, 0x88, 0x28}},
    {"mov [rax], r14b", EMIT(mov8(mem(RAX), R14)), {0x44, 0x88, 0x30}},
    {"mov [rax], r15b", EMIT(mov8(mem(RAX), R15)), {0x44, 0x88, 0x38}},
    {"mov [r8], al", EMIT(mov8(mem(R8), RAX)), {0x41, 0x88, 0x00}},
    {"mov [r12+1], sil", EMIT(mov8(mem(R12, 1), RSI)), {0x41, 0x88, 0x74, 0x24, 0x01}},
    {"mov [r13], bl", EMIT(mov8(mem(R13), RBX)), {0x41, 0x88, 0x5d, 0x00}},
    {"mov [rsp+rcx*1], dil", EMIT(mov8(mem(RSP, RCX, 1), RDI)), {0x40, 0x88, 0x3c, 0x0c}},
    {"mov [rbp-128], r11b", EMIT(mov8(mem(RBP, -128), R11)), {0x44, 0x88, 0x5d, 0x80}},
    {"movsx rax, byte ptr [rbx]", EMIT(movsx8(RAX, mem(RBX))), {0x48, 0x0f, 0xbe, 0x03}},
    {"movsx r8, byte ptr [rsp+1]", EMIT(movsx8(R8, mem(RSP, 1))),
     {0x4c, 0x0f, 0xbe, 0x44, 0x24, 0x01}},
    {"movsx rcx, byte ptr [r13+r9*1]", EMIT(movsx8(RCX, mem(R13, R9, 1))),
     {0x4b, 0x0f, 0xbe, 0x4c, 0x0d, 0x00}},
    {"movsx rdx, word ptr [rbp+2]", EMIT(movsx16(RDX, mem(RBP, 2))),
     {0x48, 0x0f, 0xbf, 0x55, 0x02}},
    {"movsx r15, word ptr [r12]", EMIT(movsx16(R15, mem(R12))), {0x4d, 0x0f, 0xbf, 0x3c, 0x24}},
    {"movsxd rsi, dword ptr [rax+rbx*4+0x200]", EMIT(movsx32(RSI, mem(RAX, RBX, 4, 0x200))),
     {0x48, 0x63, 0xb4, 0x98, 0x00, 0x02, 0x00, 0x00}},
    {"movsxd r11, dword ptr [r15-4]", EMIT(movsx32(R11, mem(R15, -4))), {0x4d, 0x63, 0x5f, 0xfc}},
    {"movzx eax, byte ptr [rbx]", EMIT(movzx8(RAX, mem(RBX))), {0x0f, 0xb6, 0x03}},
    {"movzx r9d, byte ptr [rsp]", EMIT(movzx8(R9, mem(RSP))), {0x44, 0x0f, 0xb6, 0x0c, 0x24}},
    {"movzx edi, byte ptr [r12+rax*1+127]", EMIT(movzx8(RDI, mem(R12, RAX, 1, 127))),
     {0x41, 0x0f, 0xb6, 0x7c, 0x04, 0x7f}},
    {"movzx r15d, byte ptr [rbp]", EMIT(movzx8(R15, mem(RBP))), {0x44, 0x0f, 0xb6, 0x7d, 0x00}},
    {"movzx ecx, word ptr [rdx+2]", EMIT(movzx16(RCX, mem(RDX, 2))), {0x0f, 0xb7, 0x4a, 0x02}},
    {"movzx r10d, word ptr [r13+0x80]", EMIT(movzx16(R10, mem(R13, 0x80))),
     {0x45, 0x0f, 0xb7, 0x95, 0x80, 0x00, 0x00, 0x00}},
    {"mov rax, rbx", EMIT(mov(RAX, RBX)), {0x48, 0x89, 0xd8}},
    {"mov r8, rax", EMIT(mov(R8, RAX)), {0x49, 0x89, 0xc0}},
    {"mov rax, r8", EMIT(mov(RAX, R8)), {0x4c, 0x89, 0xc0}},
    {"mov r15, r12", EMIT(mov(R15, R12)), {0x4d, 0x89, 0xe7}},
    {"mov rsp, rbp", EMIT(mov(RSP, RBP)), {0x48, 0x89, 0xec}},
    {"mov rdi, rsi", EMIT(mov(RDI, RSI)), {0x48, 0x89, 0xf7}},
    {"movsxd rax, ebx", EMIT(movsxd(RAX, RBX)), {0x48, 0x63, 0xc3}},
    {"movsxd r8, eax", EMIT(movsxd(R8, RAX)), {0x4c, 0x63, 0xc0}},
    {"movsxd rax, r9d", EMIT(movsxd(RAX, R9)), {0x49, 0x63, 0xc1}},
    {"movsxd r15, r14d", EMIT(movsxd(R15, R14)), {0x4d, 0x63, 0xfe}},
    {"movsxd rsp, ebp", EMIT(movsxd(RSP, RBP)), {0x48, 0x63, 0xe5}},
    {"movzx eax, al", EMIT(movzx8(RAX, RAX)), {0x0f, 0xb6, 0xc0}},
    {"movzx eax, bl", EMIT(movzx8(RAX, RBX)), {0x0f, 0xb6, 0xc3}},
    {"movzx ecx, spl", EMIT(movzx8(RCX, RSP)), {0x40, 0x0f, 0xb6, 0xcc}},
    {"movzx edx, bpl", EMIT(movzx8(RDX, RBP)), {0x40, 0x0f, 0xb6, 0xd5}},
    {"movzx eax, sil", EMIT(movzx8(RAX, RSI)), {0x40, 0x0f, 0xb6, 0xc6}},
    {"movzx ebx, dil", EMIT(movzx8(RBX, RDI)), {0x40, 0x0f, 0xb6, 0xdf}},
    {"movzx r8d, sil", EMIT(movzx8(R8, RSI)), {0x44, 0x0f, 0xb6, 0xc6}},
    {"movzx r8d, cl", EMIT(movzx8(R8, RCX)), {0x44, 0x0f, 0xb6, 0xc1}},
    {"movzx eax, r8b", EMIT(movzx8(RAX, R8)), {0x41, 0x0f, 0xb6, 0xc0}},
    {"movzx edi, r12b", EMIT(movzx8(RDI, R12)), {0x41, 0x0f, 0xb6, 0xfc}},
    {"movzx r15d, r15b", EMIT(movzx8(R15, R15)), {0x45, 0x0f, 0xb6, 0xff}},
};

const Case kMovImm[] = {
    // Up to 0xffffffff: mov r32, imm32 (zero-extends).
    {"mov eax, 0", EMIT(mov_imm(RAX, 0)), {0xb8, 0x00, 0x00, 0x00, 0x00}},
    {"mov edx, 1", EMIT(mov_imm(RDX, 1)), {0xba, 0x01, 0x00, 0x00, 0x00}},
    {"mov eax, 0x7fffffff", EMIT(mov_imm(RAX, 0x7fffffff)), {0xb8, 0xff, 0xff, 0xff, 0x7f}},
    {"mov ecx, 0x80000000", EMIT(mov_imm(RCX, 0x80000000)), {0xb9, 0x00, 0x00, 0x00, 0x80}},
    {"mov ecx, 0xffffffff", EMIT(mov_imm(RCX, 0xffffffff)), {0xb9, 0xff, 0xff, 0xff, 0xff}},
    {"mov r8d, 1", EMIT(mov_imm(R8, 1)), {0x41, 0xb8, 0x01, 0x00, 0x00, 0x00}},
    {"mov r15d, 0xdeadbeef", EMIT(mov_imm(R15, 0xdeadbeef)), {0x41, 0xbf, 0xef, 0xbe, 0xad, 0xde}},
    {"mov esp, 0x1000", EMIT(mov_imm(RSP, 0x1000)), {0xbc, 0x00, 0x10, 0x00, 0x00}},
    // Negative int32: mov r64, sign-extended imm32.
    {"mov rax, -1", EMIT(mov_imm(RAX, ~0ull)), {0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff}},
    {"mov rdx, -2", EMIT(mov_imm(RDX, static_cast<uint64_t>(-2))),
     {0x48, 0xc7, 0xc2, 0xfe, 0xff, 0xff, 0xff}},
    {"mov rdi, -0x1000", EMIT(mov_imm(RDI, static_cast<uint64_t>(-0x1000))),
     {0x48, 0xc7, 0xc7, 0x00, 0xf0, 0xff, 0xff}},
    {"mov r12, -0x80000000", EMIT(mov_imm(R12, 0xffffffff80000000)),
     {0x49, 0xc7, 0xc4, 0x00, 0x00, 0x00, 0x80}},
    {"mov r9, -128", EMIT(mov_imm(R9, static_cast<uint64_t>(-128))),
     {0x49, 0xc7, 0xc1, 0x80, 0xff, 0xff, 0xff}},
    // Anything else: movabs r64, imm64.
    {"movabs rax, 0x100000000", EMIT(mov_imm(RAX, 0x100000000)),
     {0x48, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}},
    {"movabs r11, 0x123456789abcdef0", EMIT(mov_imm(R11, 0x123456789abcdef0)),
     {0x49, 0xbb, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12}},
    {"movabs rsp, 0x8000000000000000", EMIT(mov_imm(RSP, 0x8000000000000000)),
     {0x48, 0xbc, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}},
    {"movabs r15, 0xffffffff7fffffff", EMIT(mov_imm(R15, 0xffffffff7fffffff)),
     {0x49, 0xbf, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff}},
    {"movabs rbx, 0x7fffffffffffffff", EMIT(mov_imm(RBX, 0x7fffffffffffffff)),
     {0x48, 0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    {"mov qword ptr [rax], 0", EMIT(mov_imm32(mem(RAX), 0)),
     {0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {"mov qword ptr [rsp+8], -1", EMIT(mov_imm32(mem(RSP, 8), -1)),
     {0x48, 0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff}},
    {"mov qword ptr [r13], 0x12345678", EMIT(mov_imm32(mem(R13), 0x12345678)),
     {0x49, 0xc7, 0x45, 0x00, 0x78, 0x56, 0x34, 0x12}},
    {"mov qword ptr [r12+rcx*8+0x100], -0x80000000",
     EMIT(mov_imm32(mem(R12, RCX, 8, 0x100), INT32_MIN)),
     {0x49, 0xc7, 0x84, 0xcc, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}},
    {"mov qword ptr [rbp-129], 127", EMIT(mov_imm32(mem(RBP, -129), 127)),
     {0x48, 0xc7, 0x85, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00}},
    {"mov qword ptr [r8], 0x7fffffff", EMIT(mov_imm32(mem(R8), INT32_MAX)),
     {0x49, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f}},
};

const Case kAlu[] = {
    {"add rax, rbx", EMIT(alu(kAdd, RAX, RBX)), {0x48, 0x01, 0xd8}},
    {"or rcx, r8", EMIT(alu(kOr, RCX, R8)), {0x4c, 0x09, 0xc1}},
    {"and r9, rdx", EMIT(alu(kAnd, R9, RDX)), {0x49, 0x21, 0xd1}},
    {"sub r15, r14", EMIT(alu(kSub, R15, R14)), {0x4d, 0x29, 0xf7}},
    {"xor rsp, rbp", EMIT(alu(kXor, RSP, RBP)), {0x48, 0x31, 0xec}},
    {"cmp rdi, rsi", EMIT(alu(kCmp, RDI, RSI)), {0x48, 0x39, 0xf7}},
    {"add eax, ebx", EMIT(alu(kAdd, RAX, RBX, false)), {0x01, 0xd8}},
    {"or ecx, r8d", EMIT(alu(kOr, RCX, R8, false)), {0x44, 0x09, 0xc1}},
    {"and r9d, edx", EMIT(alu(kAnd, R9, RDX, false)), {0x41, 0x21, 0xd1}},
    {"sub r15d, r14d", EMIT(alu(kSub, R15, R14, false)), {0x45, 0x29, 0xf7}},
    {"xor esi, esi", EMIT(alu(kXor, RSI, RSI, false)), {0x31, 0xf6}},
    {"cmp edi, r11d", EMIT(alu(kCmp, RDI, R11, false)), {0x44, 0x39, 0xdf}},
    {"add rax, [rbx]", EMIT(alu(kAdd, RAX, mem(RBX))), {0x48, 0x03, 0x03}},
    {"or r8, [rsp+8]", EMIT(alu(kOr, R8, mem(RSP, 8))), {0x4c, 0x0b, 0x44, 0x24, 0x08}},
    {"and rcx, [r13]", EMIT(alu(kAnd, RCX, mem(R13))), {0x49, 0x23, 0x4d, 0x00}},
    {"sub rdx, [r12+rax*2-4]", EMIT(alu(kSub, RDX, mem(R12, RAX, 2, -4))),
     {0x49, 0x2b, 0x54, 0x44, 0xfc}},
    {"xor r15, [rbp+0x100]", EMIT(alu(kXor, R15, mem(RBP, 0x100))),
     {0x4c, 0x33, 0xbd, 0x00, 0x01, 0x00, 0x00}},
    {"cmp rsi, [r9+r10*8]", EMIT(alu(kCmp, RSI, mem(R9, R10, 8))), {0x4b, 0x3b, 0x34, 0xd1}},
    {"add eax, [rbx]", EMIT(alu(kAdd, RAX, mem(RBX), false)), {0x03, 0x03}},
    {"or r8d, [rsp]", EMIT(alu(kOr, R8, mem(RSP), false)), {0x44, 0x0b, 0x04, 0x24}},
    {"and ecx, [rbp]", EMIT(alu(kAnd, RCX, mem(RBP), false)), {0x23, 0x4d, 0x00}},
    {"sub edx, [r12+127]", EMIT(alu(kSub, RDX, mem(R12, 127), false)),
     {0x41, 0x2b, 0x54, 0x24, 0x7f}},
    {"xor r15d, [r13-128]", EMIT(alu(kXor, R15, mem(R13, -128), false)), {0x45, 0x33, 0x7d, 0x80}},
    {"cmp esi, [rdi+128]", EMIT(alu(kCmp, RSI, mem(RDI, 128), false)),
     {0x3b, 0xb7, 0x80, 0x00, 0x00, 0x00}},
};

const Case kAluImm[] = {
    // imm8 form (0x83) for -128..127, imm32 form (0x81) otherwise. rax/eax is only
    // used with imm8 here: for imm32, as picks the shorter accumulator opcodes
    // (0x05, 0x0d, ...), while this assembler emits the equally valid 0x81 form.
    {"add rcx, 1", EMIT(alu_imm(kAdd, RCX, 1)), {0x48, 0x83, 0xc1, 0x01}},
    {"add rcx, 0x1000", EMIT(alu_imm(kAdd, RCX, 0x1000)),
     {0x48, 0x81, 0xc1, 0x00, 0x10, 0x00, 0x00}},
    {"add rax, 8", EMIT(alu_imm(kAdd, RAX, 8)), {0x48, 0x83, 0xc0, 0x08}},
    {"or r8, -128", EMIT(alu_imm(kOr, R8, -128)), {0x49, 0x83, 0xc8, 0x80}},
    {"or r8, 127", EMIT(alu_imm(kOr, R8, 127)), {0x49, 0x83, 0xc8, 0x7f}},
    {"and r9, 128", EMIT(alu_imm(kAnd, R9, 128)), {0x49, 0x81, 0xe1, 0x80, 0x00, 0x00, 0x00}},
    {"and r9, -129", EMIT(alu_imm(kAnd, R9, -129)), {0x49, 0x81, 0xe1, 0x7f, 0xff, 0xff, 0xff}},
    {"sub r15, -1", EMIT(alu_imm(kSub, R15, -1)), {0x49, 0x83, 0xef, 0xff}},
    {"sub rsp, 0x7fffffff", EMIT(alu_imm(kSub, RSP, INT32_MAX)),
     {0x48, 0x81, 0xec, 0xff, 0xff, 0xff, 0x7f}},
    {"xor rdx, -0x80000000", EMIT(alu_imm(kXor, RDX, INT32_MIN)),
     {0x48, 0x81, 0xf2, 0x00, 0x00, 0x00, 0x80}},
    {"xor rbx, 0x55", EMIT(alu_imm(kXor, RBX, 0x55)), {0x48, 0x83, 0xf3, 0x55}},
    {"cmp rdi, 0", EMIT(alu_imm(kCmp, RDI, 0)), {0x48, 0x83, 0xff, 0x00}},
    {"cmp r12, 0x100", EMIT(alu_imm(kCmp, R12, 0x100)), {0x49, 0x81, 0xfc, 0x00, 0x01, 0x00, 0x00}},
    {"cmp rax, -1", EMIT(alu_imm(kCmp, RAX, -1)), {0x48, 0x83, 0xf8, 0xff}},
    {"add ecx, 1", EMIT(alu_imm(kAdd, RCX, 1, false)), {0x83, 0xc1, 0x01}},
    {"add ecx, 0x1000", EMIT(alu_imm(kAdd, RCX, 0x1000, false)),
     {0x81, 0xc1, 0x00, 0x10, 0x00, 0x00}},
    {"or r8d, -128", EMIT(alu_imm(kOr, R8, -128, false)), {0x41, 0x83, 0xc8, 0x80}},
    {"and r9d, 128", EMIT(alu_imm(kAnd, R9, 128, false)),
     {0x41, 0x81, 0xe1, 0x80, 0x00, 0x00, 0x00}},
    {"and eax, 127", EMIT(alu_imm(kAnd, RAX, 127, false)), {0x83, 0xe0, 0x7f}},
    {"sub r15d, -1", EMIT(alu_imm(kSub, R15, -1, false)), {0x41, 0x83, 0xef, 0xff}},
    {"xor edx, 0x12345678", EMIT(alu_imm(kXor, RDX, 0x12345678, false)),
     {0x81, 0xf2, 0x78, 0x56, 0x34, 0x12}},
    {"cmp edi, 0", EMIT(alu_imm(kCmp, RDI, 0, false)), {0x83, 0xff, 0x00}},
    {"cmp r12d, -129", EMIT(alu_imm(kCmp, R12, -129, false)),
     {0x41, 0x81, 0xfc, 0x7f, 0xff, 0xff, 0xff}},
    // The memory form always has an imm32 (as would pick 0x83 for an imm8 value).
    {"add qword ptr [rax], 0x1000", EMIT(alu_imm(kAdd, mem(RAX), 0x1000)),
     {0x48, 0x81, 0x00, 0x00, 0x10, 0x00, 0x00}},
    {"or qword ptr [rsp+8], 0x12345", EMIT(alu_imm(kOr, mem(RSP, 8), 0x12345)),
     {0x48, 0x81, 0x4c, 0x24, 0x08, 0x45, 0x23, 0x01, 0x00}},
    {"and qword ptr [r13], -0x1000", EMIT(alu_imm(kAnd, mem(R13), -0x1000)),
     {0x49, 0x81, 0x65, 0x00, 0x00, 0xf0, 0xff, 0xff}},
    {"sub qword ptr [r12+rbx*8], 0x80", EMIT(alu_imm(kSub, mem(R12, RBX, 8), 0x80)),
     {0x49, 0x81, 0x2c, 0xdc, 0x80, 0x00, 0x00, 0x00}},
    {"xor qword ptr [rbp-8], 0x7fffffff", EMIT(alu_imm(kXor, mem(RBP, -8), INT32_MAX)),
     {0x48, 0x81, 0x75, 0xf8, 0xff, 0xff, 0xff, 0x7f}},
    {"cmp qword ptr [r15+0x200], -0x80000000", EMIT(alu_imm(kCmp, mem(R15, 0x200), INT32_MIN)),
     {0x49, 0x81, 0xbf, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80}},
};

const Case kShift[] = {
    // Counts other than 1 (for 1, as picks the shorter 0xd1 opcode).
    {"shl rax, 3", EMIT(shift_imm(kShl, RAX, 3)), {0x48, 0xc1, 0xe0, 0x03}},
    {"shr rcx, 63", EMIT(shift_imm(kShr, RCX, 63)), {0x48, 0xc1, 0xe9, 0x3f}},
    {"sar r8, 12", EMIT(shift_imm(kSar, R8, 12)), {0x49, 0xc1, 0xf8, 0x0c}},
    {"shl r15, 32", EMIT(shift_imm(kShl, R15, 32)), {0x49, 0xc1, 0xe7, 0x20}},
    {"shl eax, 5", EMIT(shift_imm(kShl, RAX, 5, false)), {0xc1, 0xe0, 0x05}},
    {"shr r9d, 31", EMIT(shift_imm(kShr, R9, 31, false)), {0x41, 0xc1, 0xe9, 0x1f}},
    {"sar esp, 2", EMIT(shift_imm(kSar, RSP, 2, false)), {0xc1, 0xfc, 0x02}},
    {"shl rax, cl", EMIT(shift_cl(kShl, RAX)), {0x48, 0xd3, 0xe0}},
    {"shr rdx, cl", EMIT(shift_cl(kShr, RDX)), {0x48, 0xd3, 0xea}},
    {"sar r10, cl", EMIT(shift_cl(kSar, R10)), {0x49, 0xd3, 0xfa}},
    {"shl ebx, cl", EMIT(shift_cl(kShl, RBX, false)), {0xd3, 0xe3}},
    {"shr r15d, cl", EMIT(shift_cl(kShr, R15, false)), {0x41, 0xd3, 0xef}},
    {"sar esi, cl", EMIT(shift_cl(kSar, RSI, false)), {0xd3, 0xfe}},
};

const Case kImulLea[] = {
    {"imul rax, [rbx]", EMIT(imul(RAX, mem(RBX))), {0x48, 0x0f, 0xaf, 0x03}},
    {"imul r8, [rsp+8]", EMIT(imul(R8, mem(RSP, 8))), {0x4c, 0x0f, 0xaf, 0x44, 0x24, 0x08}},
    {"imul rcx, [r13+r12*2]", EMIT(imul(RCX, mem(R13, R12, 2))),
     {0x4b, 0x0f, 0xaf, 0x4c, 0x65, 0x00}},
    {"imul eax, [rbp]", EMIT(imul(RAX, mem(RBP), false)), {0x0f, 0xaf, 0x45, 0x00}},
    {"imul r15d, [r12-200]", EMIT(imul(R15, mem(R12, -200), false)),
     {0x45, 0x0f, 0xaf, 0xbc, 0x24, 0x38, 0xff, 0xff, 0xff}},
    {"lea rax, [rbx+rcx*1]", EMIT(lea(RAX, mem(RBX, RCX, 1))), {0x48, 0x8d, 0x04, 0x0b}},
    {"lea rax, [rbx+rcx*2+8]", EMIT(lea(RAX, mem(RBX, RCX, 2, 8))), {0x48, 0x8d, 0x44, 0x4b, 0x08}},
    {"lea r8, [rsp+rax*4-128]", EMIT(lea(R8, mem(RSP, RAX, 4, -128))),
     {0x4c, 0x8d, 0x44, 0x84, 0x80}},
    {"lea rdx, [rbp+rsi*8]", EMIT(lea(RDX, mem(RBP, RSI, 8))), {0x48, 0x8d, 0x54, 0xf5, 0x00}},
    {"lea r15, [r13+r14*1+0x1000]", EMIT(lea(R15, mem(R13, R14, 1, 0x1000))),
     {0x4f, 0x8d, 0xbc, 0x35, 0x00, 0x10, 0x00, 0x00}},
    {"lea rdi, [r12+r12*8]", EMIT(lea(RDI, mem(R12, R12, 8))), {0x4b, 0x8d, 0x3c, 0xe4}},
    {"lea rsi, [rax+r12*2-129]", EMIT(lea(RSI, mem(RAX, R12, 2, -129))),
     {0x4a, 0x8d, 0xb4, 0x60, 0x7f, 0xff, 0xff, 0xff}},
    {"lea rax, [rsp+8]", EMIT(lea(RAX, mem(RSP, 8))), {0x48, 0x8d, 0x44, 0x24, 0x08}},
    {"lea rax, [rbp]", EMIT(lea(RAX, mem(RBP))), {0x48, 0x8d, 0x45, 0x00}},
    {"lea rcx, [r8+0x7fffffff]", EMIT(lea(RCX, mem(R8, INT32_MAX))),
     {0x49, 0x8d, 0x88, 0xff, 0xff, 0xff, 0x7f}},
};

const Case kCompare[] = {
    {"setb al", EMIT(setcc(kB, RAX)), {0x0f, 0x92, 0xc0}},
    {"setae cl", EMIT(setcc(kAE, RCX)), {0x0f, 0x93, 0xc1}},
    {"sete dl", EMIT(setcc(kE, RDX)), {0x0f, 0x94, 0xc2}},
    {"setne bl", EMIT(setcc(kNE, RBX)), {0x0f, 0x95, 0xc3}},
    {"seta spl", EMIT(setcc(kA, RSP)), {0x40, 0x0f, 0x97, 0xc4}},
    {"setl bpl", EMIT(setcc(kL, RBP)), {0x40, 0x0f, 0x9c, 0xc5}},
    {"setge sil", EMIT(setcc(kGE, RSI)), {0x40, 0x0f, 0x9d, 0xc6}},
    {"sete dil", EMIT(setcc(kE, RDI)), {0x40, 0x0f, 0x94, 0xc7}},
    {"setne r8b", EMIT(setcc(kNE, R8)), {0x41, 0x0f, 0x95, 0xc0}},
    {"setb r15b", EMIT(setcc(kB, R15)), {0x41, 0x0f, 0x92, 0xc7}},
    {"setl r12b", EMIT(setcc(kL, R12)), {0x41, 0x0f, 0x9c, 0xc4}},
    {"test eax, ebx", EMIT(test32(RAX, RBX)), {0x85, 0xd8}},
    {"test ecx, r8d", EMIT(test32(RCX, R8)), {0x44, 0x85, 0xc1}},
    {"test r9d, edx", EMIT(test32(R9, RDX)), {0x41, 0x85, 0xd1}},
    {"test r15d, r15d", EMIT(test32(R15, R15)), {0x45, 0x85, 0xff}},
    {"test esp, ebp", EMIT(test32(RSP, RBP)), {0x85, 0xec}},
    {"test rax, rbx", EMIT(test(RAX, RBX)), {0x48, 0x85, 0xd8}},
    {"test rcx, r8", EMIT(test(RCX, R8)), {0x4c, 0x85, 0xc1}},
    {"test r9, rdx", EMIT(test(R9, RDX)), {0x49, 0x85, 0xd1}},
    {"test r15, r15", EMIT(test(R15, R15)), {0x4d, 0x85, 0xff}},
    {"test rsi, rdi", EMIT(test(RSI, RDI)), {0x48, 0x85, 0xfe}},
    {"cmp byte ptr [rax], 0", EMIT(cmp8_imm(mem(RAX), 0)), {0x80, 0x38, 0x00}},
    {"cmp byte ptr [rsp+1], 0xff", EMIT(cmp8_imm(mem(RSP, 1), 0xff)),
     {0x80, 0x7c, 0x24, 0x01, 0xff}},
    {"cmp byte ptr [r13], 1", EMIT(cmp8_imm(mem(R13), 1)), {0x41, 0x80, 0x7d, 0x00, 0x01}},
    {"cmp byte ptr [r12+rcx*1+0x100], 0x80", EMIT(cmp8_imm(mem(R12, RCX, 1, 0x100), 0x80)),
     {0x41, 0x80, 0xbc, 0x0c, 0x00, 0x01, 0x00, 0x00, 0x80}},
    {"cmp byte ptr [rbp-1], 0x7f", EMIT(cmp8_imm(mem(RBP, -1), 0x7f)), {0x80, 0x7d, 0xff, 0x7f}},
    {"cmp byte ptr [r9+r10*4], 2", EMIT(cmp8_imm(mem(R9, R10, 4), 2)),
     {0x43, 0x80, 0x3c, 0x91, 0x02}},
};

const Case kControl[] = {
    {"push rax", EMIT(push(RAX)), {0x50}},
    {"push rcx", EMIT(push(RCX)), {0x51}},
    {"push rdx", EMIT(push(RDX)), {0x52}},
    {"push rbx", EMIT(push(RBX)), {0x53}},
    {"push rsp", EMIT(push(RSP)), {0x54}},
    {"push rbp", EMIT(push(RBP)), {0x55}},
    {"push rsi", EMIT(push(RSI)), {0x56}},
    {"push rdi", EMIT(push(RDI)), {0x57}},
    {"push r8", EMIT(push(R8)), {0x41, 0x50}},
    {"push r9", EMIT(push(R9)), {0x41, 0x51}},
    {"push r10", EMIT(push(R10)), {0x41, 0x52}},
    {"push r11", EMIT(push(R11)), {0x41, 0x53}},
    {"push r12", EMIT(push(R12)), {0x41, 0x54}},
    {"push r13", EMIT(push(R13)), {0x41, 0x55}},
    {"push r14", EMIT(push(R14)), {0x41, 0x56}},
    {"push r15", EMIT(push(R15)), {0x41, 0x57}},
    {"pop rax", EMIT(pop(RAX)), {0x58}},
    {"pop rcx", EMIT(pop(RCX)), {0x59}},
    {"pop rdx", EMIT(pop(RDX)), {0x5a}},
    {"pop rbx", EMIT(pop(RBX)), {0x5b}},
    {"pop rsp", EMIT(pop(RSP)), {0x5c}},
    {"pop rbp", EMIT(pop(RBP)), {0x5d}},
    {"pop rsi", EMIT(pop(RSI)), {0x5e}},
    {"pop rdi", EMIT(pop(RDI)), {0x5f}},
    {"pop r8", EMIT(pop(R8)), {0x41, 0x58}},
    {"pop r9", EMIT(pop(R9)), {0x41, 0x59}},
    {"pop r10", EMIT(pop(R10)), {0x41, 0x5a}},
    {"pop r11", EMIT(pop(R11)), {0x41, 0x5b}},
    {"pop r12", EMIT(pop(R12)), {0x41, 0x5c}},
    {"pop r13", EMIT(pop(R13)), {0x41, 0x5d}},
    {"pop r14", EMIT(pop(R14)), {0x41, 0x5e}},
    {"pop r15", EMIT(pop(R15)), {0x41, 0x5f}},
    {"ret", EMIT(ret()), {0xc3}},
    {"call rax", EMIT(call(RAX)), {0xff, 0xd0}},
    {"call rcx", EMIT(call(RCX)), {0xff, 0xd1}},
    {"call rsp", EMIT(call(RSP)), {0xff, 0xd4}},
    {"call rbp", EMIT(call(RBP)), {0xff, 0xd5}},
    {"call rdi", EMIT(call(RDI)), {0xff, 0xd7}},
    {"call r8", EMIT(call(R8)), {0x41, 0xff, 0xd0}},
    {"call r11", EMIT(call(R11)), {0x41, 0xff, 0xd3}},
    {"call r12", EMIT(call(R12)), {0x41, 0xff, 0xd4}},
    {"call r13", EMIT(call(R13)), {0x41, 0xff, 0xd5}},
    {"call r15", EMIT(call(R15)), {0x41, 0xff, 0xd7}},
    {"jmp qword ptr [rax]", EMIT(jmp(mem(RAX))), {0xff, 0x20}},
    {"jmp qword ptr [r8]", EMIT(jmp(mem(R8))), {0x41, 0xff, 0x20}},
    {"jmp qword ptr [rsp]", EMIT(jmp(mem(RSP))), {0xff, 0x24, 0x24}},
    {"jmp qword ptr [rbp]", EMIT(jmp(mem(RBP))), {0xff, 0x65, 0x00}},
    {"jmp qword ptr [r12+8]", EMIT(jmp(mem(R12, 8))), {0x41, 0xff, 0x64, 0x24, 0x08}},
    {"jmp qword ptr [r13]", EMIT(jmp(mem(R13))), {0x41, 0xff, 0x65, 0x00}},
    {"jmp qword ptr [rax+rcx*8]", EMIT(jmp(mem(RAX, RCX, 8))), {0xff, 0x24, 0xc8}},
    {"jmp qword ptr [r15+r14*8+0x1000]", EMIT(jmp(mem(R15, R14, 8, 0x1000))),
     {0x43, 0xff, 0xa4, 0xf7, 0x00, 0x10, 0x00, 0x00}},
    {"jmp qword ptr [rbx-129]", EMIT(jmp(mem(RBX, -129))), {0xff, 0xa3, 0x7f, 0xff, 0xff, 0xff}},
};

// What the block compiler added for direct links, the register cache and
// inline binary64 arithmetic (the same GNU as check, AT&T lines this time).
const Case kLinksCacheFp[] = {
    {"jmp *%rdi", EMIT(jmp(RDI)), {0xff, 0xe7}},
    {"jmp *%r11", EMIT(jmp(R11)), {0x41, 0xff, 0xe3}},
    {"jmp .+5 (rel32 0)", EMIT(jmp_patchable()), {0xe9, 0x00, 0x00, 0x00, 0x00}},
    {"imul %r9,%rax", EMIT(imul(RAX, R9)), {0x49, 0x0f, 0xaf, 0xc1}},
    {"imul %r10d,%eax", EMIT(imul(RAX, R10, false)), {0x41, 0x0f, 0xaf, 0xc2}},
    {"or %eax,0x300(%rbx)", EMIT(alu(kOr, mem(RBX, 0x300), RAX, false)), {0x09, 0x83, 0x00, 0x03, 0x00, 0x00}},
    {"cmpl $0x0,0x304(%rbx)", EMIT(cmp32_imm8(mem(RBX, 0x304), 0)), {0x83, 0xbb, 0x04, 0x03, 0x00, 0x00, 0x00}},
    {"movl $0x1f80,-0x8(%rsp)", EMIT(mov32_imm(mem(RSP, -8), 0x1f80)),
     {0xc7, 0x44, 0x24, 0xf8, 0x80, 0x1f, 0x00, 0x00}},
    {"testl $0x1f,-0x8(%rsp)", EMIT(test32_imm(mem(RSP, -8), 0x1f)), {0xf7, 0x44, 0x24, 0xf8, 0x1f, 0x00, 0x00, 0x00}},
    {"movsd 0x110(%rbx),%xmm1", EMIT(movsd(RCX, mem(RBX, 0x110))), {0xf2, 0x0f, 0x10, 0x8b, 0x10, 0x01, 0x00, 0x00}},
    {"movsd %xmm0,0x118(%rbx)", EMIT(movsd(mem(RBX, 0x118), RAX)), {0xf2, 0x0f, 0x11, 0x83, 0x18, 0x01, 0x00, 0x00}},
    {"addsd 0x120(%rbx),%xmm0", EMIT(arith_sd(Assembler::kAddSd, RAX, mem(RBX, 0x120))),
     {0xf2, 0x0f, 0x58, 0x83, 0x20, 0x01, 0x00, 0x00}},
    {"sqrtsd 0x8(%rbx),%xmm0", EMIT(arith_sd(Assembler::kSqrt, RAX, mem(RBX, 8))), {0xf2, 0x0f, 0x51, 0x43, 0x08}},
    {"ucomisd %xmm0,%xmm0", EMIT(ucomisd(RAX, RAX)), {0x66, 0x0f, 0x2e, 0xc0}},
    {"ldmxcsr -0x8(%rsp)", EMIT(ldmxcsr(mem(RSP, -8))), {0x0f, 0xae, 0x54, 0x24, 0xf8}},
    {"stmxcsr -0x8(%rsp)", EMIT(stmxcsr(mem(RSP, -8))), {0x0f, 0xae, 0x5c, 0x24, 0xf8}},
    {"vfmadd231sd 0x120(%rbx),%xmm1,%xmm0", EMIT(vfma231sd(0xb9, RAX, RCX, mem(RBX, 0x120))),
     {0xc4, 0xe2, 0xf1, 0xb9, 0x83, 0x20, 0x01, 0x00, 0x00}},
    {"vfnmsub231sd 0x10(%rbx),%xmm1,%xmm0", EMIT(vfma231sd(0xbf, RAX, RCX, mem(RBX, 0x10))),
     {0xc4, 0xe2, 0xf1, 0xbf, 0x43, 0x10}},
};

// ------------------------------------------------------------ instructions

TEST(X86AssemblerTest, AddressingModes) { expect_table(kAddressing); }
TEST(X86AssemblerTest, Moves) { expect_table(kMoves); }
TEST(X86AssemblerTest, MovImmediate) { expect_table(kMovImm); }
TEST(X86AssemblerTest, AluRegisterAndMemory) { expect_table(kAlu); }
TEST(X86AssemblerTest, AluImmediate) { expect_table(kAluImm); }
TEST(X86AssemblerTest, Shifts) { expect_table(kShift); }
TEST(X86AssemblerTest, ImulAndLea) { expect_table(kImulLea); }
TEST(X86AssemblerTest, SetccTestCmp8) { expect_table(kCompare); }
TEST(X86AssemblerTest, PushPopRetCallJmpMem) { expect_table(kControl); }
TEST(X86AssemblerTest, LinksRegisterCacheAndFp) { expect_table(kLinksCacheFp); }

// ------------------------------------------------------------ labels
// Expectations from `as` with {disp32} on each jump, which forces the rel32
// form this assembler always uses.

TEST(X86AssemblerTest, BackwardJumpsToABoundLabel) {
  // top: ret
  //      {disp32} jmp top / jb / jae / je / jne / ja / jl / jge top
  Assembler a;
  Assembler::Label top;
  a.bind(top);
  EXPECT_EQ(top.pos, 0);
  a.ret();
  a.jmp(top);
  for (Cond cc : {kB, kAE, kE, kNE, kA, kL, kGE}) a.jcc(cc, top);
  const std::vector<uint8_t> want = {
      0xc3,                                // ret
      0xe9, 0xfa, 0xff, 0xff, 0xff,        // jmp top  (rel -6)
      0x0f, 0x82, 0xf4, 0xff, 0xff, 0xff,  // jb top   (rel -12)
      0x0f, 0x83, 0xee, 0xff, 0xff, 0xff,  // jae top
      0x0f, 0x84, 0xe8, 0xff, 0xff, 0xff,  // je top
      0x0f, 0x85, 0xe2, 0xff, 0xff, 0xff,  // jne top
      0x0f, 0x87, 0xdc, 0xff, 0xff, 0xff,  // ja top
      0x0f, 0x8c, 0xd6, 0xff, 0xff, 0xff,  // jl top
      0x0f, 0x8d, 0xd0, 0xff, 0xff, 0xff,  // jge top  (rel -48)
  };
  EXPECT_EQ(dump(a.code()), dump(want));
  EXPECT_TRUE(top.fixups.empty());
}

TEST(X86AssemblerTest, ForwardJumpsArePatchedWhenBound) {
  //      {disp32} jmp fwd
  //      {disp32} je fwd
  //      push rax
  //      {disp32} jne fwd
  // fwd: ret
  //      {disp32} jmp fwd
  Assembler a;
  Assembler::Label fwd;
  a.jmp(fwd);
  a.jcc(kE, fwd);
  a.push(RAX);
  a.jcc(kNE, fwd);
  EXPECT_EQ(fwd.pos, -1);
  EXPECT_EQ(fwd.fixups.size(), 3u);
  // Unbound: the rel32 fields are placeholders.
  EXPECT_EQ(dump(std::span(a.code()).subspan(1, 4)), "00 00 00 00");
  a.bind(fwd);
  EXPECT_EQ(fwd.pos, 0x12);
  EXPECT_TRUE(fwd.fixups.empty());
  a.ret();
  a.jmp(fwd);
  const std::vector<uint8_t> want = {
      0xe9, 0x0d, 0x00, 0x00, 0x00,        // jmp fwd  (rel 0x0d)
      0x0f, 0x84, 0x07, 0x00, 0x00, 0x00,  // je fwd   (rel 7)
      0x50,                                // push rax
      0x0f, 0x85, 0x00, 0x00, 0x00, 0x00,  // jne fwd  (rel 0: the next instruction)
      0xc3,                                // fwd: ret
      0xe9, 0xfa, 0xff, 0xff, 0xff,        // jmp fwd  (rel -6)
  };
  EXPECT_EQ(dump(a.code()), dump(want));
}

TEST(X86AssemblerTest, JumpToItself) {
  // self: {disp32} jmp self
  Assembler a;
  Assembler::Label self;
  a.bind(self);
  a.jmp(self);
  EXPECT_EQ(dump(a.code()), "e9 fb ff ff ff");
}

// Jumps across more than 64 KiB, so every byte of the rel32 matters. In `as`:
//         {disp32} jge dest1
//         .rept 7000 / movabs rax, 0x123456789abcdef0 / .endr
//  dest1: {disp32} jl dest2
//         .rept 7000 / movabs rax, 0x123456789abcdef0 / .endr
//  dest2: ret
//         {disp32} jmp dest1
TEST(X86AssemblerTest, FarJumpsUseAllOfRel32) {
  const std::vector<uint8_t> movabs = {0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12};
  auto filler = [&](Assembler& a, std::vector<uint8_t>& want) {
    for (int i = 0; i < 7000; ++i) {
      a.mov_imm(RAX, 0x123456789abcdef0);
      want.insert(want.end(), movabs.begin(), movabs.end());
    }
  };
  Assembler a;
  std::vector<uint8_t> want;
  Assembler::Label dest1, dest2;
  a.jcc(kGE, dest1);
  want.insert(want.end(), {0x0f, 0x8d, 0x70, 0x11, 0x01, 0x00});  // jge dest1 (at 0x11176)
  filler(a, want);
  a.bind(dest1);
  a.jcc(kL, dest2);
  want.insert(want.end(), {0x0f, 0x8c, 0x70, 0x11, 0x01, 0x00});  // jl dest2 (at 0x222ec)
  filler(a, want);
  a.bind(dest2);
  a.ret();
  a.jmp(dest1);
  want.insert(want.end(), {0xc3, 0xe9, 0x84, 0xee, 0xfe, 0xff});  // ret; jmp dest1 (rel -0x1117c)
  EXPECT_EQ(dest1.pos, 0x11176);
  EXPECT_EQ(dest2.pos, 0x222ec);
  ASSERT_EQ(a.size(), want.size());
  EXPECT_TRUE(a.code() == want);
  for (size_t at : {size_t{0}, size_t{0x11176}, size_t{0x222ec}})
    EXPECT_EQ(dump(std::span(a.code()).subspan(at, 6)), dump(std::span(want).subspan(at, 6)))
        << "at " << at;
}

}  // namespace
}  // namespace rwd::x86
