/*
 * integer.S - RV64I base integer instructions: arithmetic, logic, shifts,
 * compares, lui/auipc, loads/stores with sign/zero extension, branches,
 * jal/jalr (incl. bit 0 clearing), x0, fence.i on self-modified code.
 */
#include "test.h"

TEST_BEGIN
    /* ---------------- add/sub and the W forms ---------------- */
    TEST_RR add, 1, 2, 3
    TEST_RR add, -1, 1, 0
    TEST_RR add, 0x7fffffffffffffff, 1, 0x8000000000000000
    TEST_RR add, 0xffffffff, 1, 0x100000000
    TEST_RR sub, 5, 7, -2
    TEST_RR sub, 0x8000000000000000, 1, 0x7fffffffffffffff
    TEST_RR sub, 0, 0, 0
    TEST_RI addi, 10, -11, -1
    TEST_RI addi, 0, 2047, 2047
    TEST_RI addi, 0, -2048, -2048
    TEST_RR addw, 0x7fffffff, 1, 0xffffffff80000000     /* sign-extends bit 31 */
    TEST_RR addw, 0x1ffffffff, 1, 0                      /* upper bits ignored */
    TEST_RR subw, 0, 1, -1
    TEST_RR subw, 0x80000000, 1, 0x7fffffff
    TEST_RI addiw, 0x7fffffff, 1, 0xffffffff80000000
    TEST_RI addiw, 0x123456789, 0, 0x23456789           /* sext.w */
    TEST_RI addiw, 0xfffffffff, 0, -1

    /* ---------------- logic ---------------- */
    TEST_RR and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00
    TEST_RR or,  0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0
    TEST_RR xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0
    TEST_RI andi, 0xffffffffffffffff, -16, 0xfffffffffffffff0  /* imm sign-extended */
    TEST_RI andi, 0x1234, 0x7ff, 0x234
    TEST_RI ori, 0x1000, -2048, 0xfffffffffffff800
    TEST_RI xori, 0x5555, -1, 0xffffffffffffaaaa        /* not */

    /* ---------------- shifts ---------------- */
    TEST_RR sll, 1, 63, 0x8000000000000000
    TEST_RR sll, 1, 64, 1                               /* only shamt[5:0] */
    TEST_RR sll, 3, 0x7c1, 6
    TEST_RR srl, 0x8000000000000000, 63, 1
    TEST_RR srl, -1, 60, 15
    TEST_RR sra, 0x8000000000000000, 63, -1
    TEST_RR sra, 0x8000000000000000, 65, 0xc000000000000000   /* shamt 1 */
    TEST_RI slli, 0xff, 56, 0xff00000000000000
    TEST_RI srli, 0xff00000000000000, 60, 0xf
    TEST_RI srai, 0xff00000000000000, 60, -1
    TEST_RI srai, 0x7f00000000000000, 60, 7
    TEST_RR sllw, 1, 31, 0xffffffff80000000
    TEST_RR sllw, 1, 32, 1                              /* only shamt[4:0] */
    TEST_RR srlw, 0xffffffff80000000, 31, 1
    TEST_RR srlw, 0x12345678ffffffff, 4, 0x0fffffff
    TEST_RR sraw, 0x80000000, 31, -1
    TEST_RR sraw, 0xffffffff7fffffff, 30, 1
    TEST_RI slliw, 0x3, 30, 0xffffffffc0000000
    TEST_RI srliw, 0x80000000, 0, 0xffffffff80000000    /* shift 0 still sign-extends */
    TEST_RI srliw, 0x80000000, 1, 0x40000000
    TEST_RI sraiw, 0x80000000, 4, 0xfffffffff8000000

    /* ---------------- compares ---------------- */
    TEST_RR slt, -1, 0, 1
    TEST_RR slt, 0, -1, 0
    TEST_RR slt, 5, 5, 0
    TEST_RR sltu, -1, 0, 0
    TEST_RR sltu, 0, -1, 1
    TEST_RI slti, -5, -4, 1
    TEST_RI slti, 0x8000000000000000, 0, 1
    TEST_RI sltiu, 0, -1, 1                             /* imm sign-extended then unsigned */
    TEST_RI sltiu, 0xfffffffffffffffe, -1, 1
    TEST_RI sltiu, 1, 1, 0
    TEST_RI sltiu, 0, 1, 1                              /* seqz */

    /* ---------------- lui / auipc ---------------- */
    lui a0, 0x80000
    CHECK a0, 0xffffffff80000000, "lui sign-extends"
    lui a0, 0x7ffff
    CHECK a0, 0x7ffff000, "lui positive"
1:  auipc a0, 0
    la a1, 1b
    CHECKR a0, a1, "auipc 0 = pc"
2:  auipc a0, 1
    la a1, 2b
    sub a0, a0, a1
    CHECK a0, 0x1000, "auipc 1 = pc + 0x1000"

    /* ---------------- loads / stores ---------------- */
    la a3, data
    li a1, 0x8899aabbccddeeff
    sd a1, 0(a3)
    lb a0, 0(a3)
    CHECK a0, 0xffffffffffffffff, "lb sign-extends"
    lbu a0, 0(a3)
    CHECK a0, 0xff, "lbu"
    lb a0, 7(a3)
    CHECK a0, 0xffffffffffffff88, "lb byte 7"
    lh a0, 2(a3)
    CHECK a0, 0xffffffffffffccdd, "lh"
    lhu a0, 2(a3)
    CHECK a0, 0xccdd, "lhu"
    lw a0, 4(a3)
    CHECK a0, 0xffffffff8899aabb, "lw sign-extends"
    lwu a0, 4(a3)
    CHECK a0, 0x8899aabb, "lwu"
    ld a0, 0(a3)
    CHECK a0, 0x8899aabbccddeeff, "ld"
    li a1, 0x11
    sb a1, 1(a3)
    ld a0, 0(a3)
    CHECK a0, 0x8899aabbccdd11ff, "sb touches one byte"
    li a1, 0x22223333
    sh a1, 6(a3)
    ld a0, 0(a3)
    CHECK a0, 0x3333aabbccdd11ff, "sh touches two bytes"
    li a1, 0x4444444455555555
    sw a1, 0(a3)
    ld a0, 0(a3)
    CHECK a0, 0x3333aabb55555555, "sw touches four bytes"
    li a1, 0x7777
    sd a1, 8(a3)
    ld a0, 8(a3)
    CHECK a0, 0x7777, "sd/ld offset 8"
    lw a0, -4+8(a3)
    CHECK a0, 0x3333aabb, "lw positive"
    addi a4, a3, 16
    lbu a0, -9(a4)
    CHECK a0, 0x33, "negative offset"

    /* ---------------- branches ---------------- */
    .macro TBR op, a, b, taken
        li a1, \a
        li a2, \b
        li a0, 1
        \op a1, a2, .Lbr\@
        li a0, 0
.Lbr\@:
        CHECK a0, \taken, "\op \a, \b taken=\taken"
    .endm
    TBR beq, 3, 3, 1
    TBR beq, 3, 4, 0
    TBR bne, 3, 4, 1
    TBR bne, -1, -1, 0
    TBR blt, -1, 0, 1
    TBR blt, 0, -1, 0
    TBR blt, 7, 7, 0
    TBR bge, 7, 7, 1
    TBR bge, -8, 7, 0
    TBR bge, 0x7fffffffffffffff, 0x8000000000000000, 1
    TBR bltu, 0, -1, 1
    TBR bltu, -1, 0, 0
    TBR bgeu, -1, 0, 1
    TBR bgeu, 1, 2, 0

    /* backward branch loop */
    li a0, 0
    li a1, 10
3:  addi a0, a0, 2
    addi a1, a1, -1
    bnez a1, 3b
    CHECK a0, 20, "backward branch loop"

    /* ---------------- jal / jalr ---------------- */
    jal ra, 4f
5:  j 6f
4:  la a1, 5b
    CHECKR ra, a1, "jal links pc+4"
    ret
6:
    la a1, 7f
    jalr a2, 0(a1)
8:  j 9f
7:  la a0, 8b
    CHECKR a2, a0, "jalr links pc+4"
    jr a2
9:
    /* jalr clears bit 0 of the target: jumping to label+1 lands on label */
    la a1, 10f
    addi a1, a1, 1
    li a0, 0
    jalr a2, 0(a1)
    li a0, 99             /* skipped */
10: CHECK a0, 0, "jalr clears target bit 0"
    la a1, 11f
    jalr zero, 1(a1)      /* odd offset, same effect */
    li a0, 99
11: CHECK a0, 0, "jalr odd offset clears bit 0"
    /* rd == rs1: target is computed from the old value */
    la a1, 12f
    jalr a1, 0(a1)
13: li a0, 99
12: la a2, 13b
    CHECKR a1, a2, "jalr rd==rs1 links, jumps to old rs1"
    /* negative jalr offset */
    la a1, 14f + 8
    jalr zero, -8(a1)
    li a0, 99
14: CHECK a0, 0, "jalr negative offset"

    /* ---------------- x0 ---------------- */
    li zero, 5
    addi zero, zero, 1
    CHECK zero, 0, "x0 stays zero"
    la a1, data
    ld zero, 0(a1)
    mv a0, zero
    CHECK a0, 0, "load to x0 discarded"

    /* ---------------- fence / fence.i ---------------- */
    fence
    fence rw, rw
    fence.i
    li a0, 1
    CHECK a0, 1, "fence and fence.i execute"

    /* self-modifying code: run a function, patch it, fence.i, run again */
    call smc_func
    CHECK a0, 1, "smc before patch"
    la a1, smc_func
    li a2, 0x02a00513             /* addi a0, zero, 42 */
    sw a2, 0(a1)
    fence.i
    call smc_func
    CHECK a0, 42, "smc after patch + fence.i"
    li a2, 0x00700513             /* addi a0, zero, 7 */
    sw a2, 0(a1)
    fence.i
    call smc_func
    CHECK a0, 7, "smc patched twice"
TEST_END

    .text
    .align 2
smc_func:
    .option push
    .option norvc
    addi a0, zero, 1
    ret
    .option pop

    .data
    .align 3
data: .space 32
