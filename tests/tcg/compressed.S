/*
 * compressed.S - the RV64C instructions, each forced with its "c." mnemonic:
 * immediates (sign/zero extension, scaling), the x8-x15 register forms,
 * stack-pointer relative loads/stores, jumps and links (c.jalr links pc+2),
 * 32-bit instructions at 2-byte aligned addresses, and a 32-bit instruction
 * straddling a 4 KiB page boundary.
 */
#include "test.h"

TEST_BEGIN
    .option push
    .option rvc

    /* ---------------- immediates ---------------- */
    c.li a0, -32
    CHECK a0, -32, "c.li -32"
    c.li a0, 31
    CHECK a0, 31, "c.li 31"
    c.addi a0, -1
    CHECK a0, 30, "c.addi -1"
    c.addi a0, 31
    CHECK a0, 61, "c.addi 31"
    c.lui a1, 0x1f
    CHECK a1, 0x1f000, "c.lui 0x1f"
    c.lui a1, 0xfffe0                       /* imm[17] set: sign-extends */
    CHECK a1, 0xfffffffffffe0000, "c.lui negative"
    li a2, 0x7fffffff
    c.addiw a2, 1
    CHECK a2, 0xffffffff80000000, "c.addiw sign-extends"
    li a2, 0x100000005
    c.addiw a2, 0                           /* sext.w */
    CHECK a2, 5, "c.addiw 0 = sext.w"
    mv s1, sp
    c.addi16sp sp, -64
    sub a0, s1, sp
    CHECK a0, 64, "c.addi16sp -64"
    c.addi16sp sp, 496
    c.addi16sp sp, -432
    sub a0, s1, sp
    CHECK a0, 0, "c.addi16sp 496/-432"
    c.addi4spn a0, sp, 1020
    sub a0, a0, sp
    CHECK a0, 1020, "c.addi4spn 1020"
    c.addi4spn a0, sp, 4
    sub a0, a0, sp
    CHECK a0, 4, "c.addi4spn 4"

    /* ---------------- shifts and ALU ---------------- */
    li a0, 1
    c.slli a0, 63
    CHECK a0, 0x8000000000000000, "c.slli 63"
    c.srai a0, 3
    CHECK a0, 0xf000000000000000, "c.srai 3"
    c.srli a0, 60
    CHECK a0, 0xf, "c.srli 60"
    li a0, 0xff
    c.andi a0, -16
    CHECK a0, 0xf0, "c.andi -16"
    c.andi a0, 0x1f
    CHECK a0, 0x10, "c.andi 0x1f"
    li a0, 10
    li a1, 3
    c.sub a0, a1
    CHECK a0, 7, "c.sub"
    c.xor a0, a1
    CHECK a0, 4, "c.xor"
    c.or a0, a1
    CHECK a0, 7, "c.or"
    c.and a0, a1
    CHECK a0, 3, "c.and"
    li a0, 0x7fffffff
    li a1, 1
    c.addw a0, a1
    CHECK a0, 0xffffffff80000000, "c.addw sign-extends"
    li a0, 0
    c.subw a0, a1
    CHECK a0, -1, "c.subw"
    li a0, 0x80000000
    li a1, 0x100000001
    c.subw a0, a1
    CHECK a0, 0x7fffffff, "c.subw ignores upper bits"
    li t3, 5
    c.mv t4, t3
    CHECK t4, 5, "c.mv (full register set)"
    c.add t4, t3
    CHECK t4, 10, "c.add"
    c.nop
    CHECK t4, 10, "c.nop"

    /* ---------------- loads / stores ---------------- */
    la s0, buf
    li a0, 0x8877665544332211
    c.sd a0, 0(s0)
    c.lw a1, 4(s0)
    CHECK a1, 0xffffffff88776655, "c.sd / c.lw sign-extends"
    c.ld a1, 0(s0)
    CHECK a1, 0x8877665544332211, "c.ld"
    li a0, 0x12345678
    c.sw a0, 124(s0)
    lwu a1, 124(s0)
    CHECK a1, 0x12345678, "c.sw max offset 124"
    c.sd a0, 248(s0)
    c.ld a2, 248(s0)
    CHECK a2, 0x12345678, "c.sd/c.ld max offset 248"
    li a0, 0x3ff0000000000000                /* 1.0 */
    sd a0, 16(s0)
    c.fld fa0, 16(s0)
    CHECKF fa0, 0x3ff0000000000000, "c.fld"
    c.fsd fa0, 24(s0)
    ld a1, 24(s0)
    CHECK a1, 0x3ff0000000000000, "c.fsd"
    /* sp-relative */
    mv s1, sp
    mv sp, s0
    li t0, 0xabcdef0123456789
    c.sdsp t0, 32(sp)
    c.ldsp t1, 32(sp)
    CHECK t1, 0xabcdef0123456789, "c.sdsp/c.ldsp"
    c.swsp t0, 40(sp)
    c.lwsp t1, 40(sp)
    CHECK t1, 0x23456789, "c.swsp/c.lwsp"
    c.lwsp t1, 36(sp)
    CHECK t1, 0xffffffffabcdef01, "c.lwsp sign-extends"
    c.fsdsp fa0, 48(sp)
    c.fldsp fa1, 48(sp)
    CHECKF fa1, 0x3ff0000000000000, "c.fsdsp/c.fldsp"
    c.sdsp t0, 504(sp)
    ld t1, 504(s0)
    CHECK t1, 0xabcdef0123456789, "c.sdsp max offset 504"
    mv sp, s1

    /* ---------------- control flow ---------------- */
    li a0, 0
    c.beqz a0, 1f
    li a0, 99
1:  CHECK a0, 0, "c.beqz taken"
    li a0, 1
    c.beqz a0, 2f
    li a0, 2
2:  CHECK a0, 2, "c.beqz not taken"
    c.bnez a0, 3f
    li a0, 99
3:  CHECK a0, 2, "c.bnez taken"
    c.j 4f
    li a0, 99
4:  CHECK a0, 2, "c.j"
    la t0, 5f
    c.jr t0
    li a0, 99
5:  CHECK a0, 2, "c.jr"
    la t0, 6f
    c.jalr t0
7:  j 8f
6:  la t1, 7b
    CHECKR ra, t1, "c.jalr links pc+2"
    ret
8:
    /* backwards c.bnez loop */
    li a0, 5
    li a1, 0
9:  c.addi a1, 3
    c.addi a0, -1
    c.bnez a0, 9b
    CHECK a1, 15, "c.bnez loop"

    /* 32-bit instructions at 2-mod-4 addresses */
    .balign 4
    c.nop
    addi a0, zero, 0x123                     /* at 4n+2 */
    c.nop
    CHECK a0, 0x123, "32-bit insn at 2-aligned address"
    la t0, odd_fn                           /* 2-aligned function */
    jalr t0
    CHECK a0, 77, "call to 2-aligned function"

    /* a 32-bit instruction straddling a page boundary */
    li a0, 0
    call straddle
    CHECK a0, 0x456, "32-bit insn across a page boundary"

    .option pop
TEST_END

    .text
    .option push
    .option rvc
    .balign 4
    c.nop
odd_fn:
    li a0, 77
    ret

    .balign 4096
straddle:
    .rept 2047
    c.nop
    .endr
    addi a0, a0, 0x456      /* bytes 4094..4097 of the straddle pages */
    ret
    .option pop

    .data
    .align 3
buf: .space 512
