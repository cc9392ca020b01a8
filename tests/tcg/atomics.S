/*
 * atomics.S - RV64A: every AMO in .w and .d form (returned old value, with
 * .w results sign-extended, and the memory result; .w must not touch the
 * upper word), aq/rl encodings, and LR/SC: success returns 0 and stores,
 * failure returns nonzero and does not store, a reservation is consumed by
 * any SC, SC to another address than the LR fails.  Expected values were
 * computed independently (Python) and checked on QEMU.
 */
#include "test.h"

/* TEST_AMO insn, mem_before, rs2, expected_rd, expected_mem */
.macro TEST_AMO insn, mem, val, rd, after
    la a3, word
    li a1, \mem
    sd a1, 0(a3)
    li a2, \val
    \insn a0, a2, (a3)
    CHECK a0, \rd, "\insn \mem, \val: rd"
    ld a1, 0(a3)
    CHECK a1, \after, "\insn \mem, \val: memory"
.endm

TEST_BEGIN
    TEST_AMO amoswap.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x7fffffff00000002
    TEST_AMO amoswap.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0x10
    TEST_AMO amoswap.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x87654321

    TEST_AMO amoadd.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0xffffffff00000003
    TEST_AMO amoadd.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0xaaaaaaab00000000
    TEST_AMO amoadd.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x5555555599999999

    TEST_AMO amoxor.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0xffffffff00000003
    TEST_AMO amoxor.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0xaaaaaaaaffffffe0
    TEST_AMO amoxor.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x5555555595511559

    TEST_AMO amoand.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x0
    TEST_AMO amoand.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0x10
    TEST_AMO amoand.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x2244220

    TEST_AMO amoor.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0xffffffff00000003
    TEST_AMO amoor.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amoor.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x5555555597755779

    TEST_AMO amomin.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x8000000000000001
    TEST_AMO amomin.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amomin.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x87654321

    TEST_AMO amomax.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x7fffffff00000002
    TEST_AMO amomax.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0x10
    TEST_AMO amomax.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x5555555512345678

    TEST_AMO amominu.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x7fffffff00000002
    TEST_AMO amominu.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0x10
    TEST_AMO amominu.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x87654321

    TEST_AMO amomaxu.d, 0x8000000000000001, 0x7fffffff00000002, 0x8000000000000001, 0x8000000000000001
    TEST_AMO amomaxu.d, 0xaaaaaaaafffffff0, 0x10, 0xaaaaaaaafffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amomaxu.d, 0x5555555512345678, 0x87654321, 0x5555555512345678, 0x5555555512345678

    TEST_AMO amoswap.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000002
    TEST_AMO amoswap.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaa00000010
    TEST_AMO amoswap.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555587654321

    TEST_AMO amoadd.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000003
    TEST_AMO amoadd.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaa00000000
    TEST_AMO amoadd.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555599999999

    TEST_AMO amoxor.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000003
    TEST_AMO amoxor.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaaffffffe0
    TEST_AMO amoxor.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555595511559

    TEST_AMO amoand.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000000
    TEST_AMO amoand.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaa00000010
    TEST_AMO amoand.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555502244220

    TEST_AMO amoor.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000003
    TEST_AMO amoor.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amoor.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555597755779

    TEST_AMO amomin.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000001
    TEST_AMO amomin.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amomin.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555587654321

    TEST_AMO amomax.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000002
    TEST_AMO amomax.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaa00000010
    TEST_AMO amomax.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555512345678

    TEST_AMO amominu.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000001
    TEST_AMO amominu.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaa00000010
    TEST_AMO amominu.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555512345678

    TEST_AMO amomaxu.w, 0x8000000000000001, 0x7fffffff00000002, 0x1, 0x8000000000000002
    TEST_AMO amomaxu.w, 0xaaaaaaaafffffff0, 0x10, 0xfffffffffffffff0, 0xaaaaaaaafffffff0
    TEST_AMO amomaxu.w, 0x5555555512345678, 0x87654321, 0x12345678, 0x5555555587654321

    /* ordering bits are accepted and do not change the result */
    TEST_AMO amoadd.w.aq, 1, 2, 1, 3
    TEST_AMO amoadd.d.rl, 1, 2, 1, 3
    TEST_AMO amoswap.d.aqrl, 1, 2, 1, 2
    /* rd = x0 still updates memory; rd == rs2 gets the old value */
    la a3, word
    li a1, 40
    sd a1, 0(a3)
    li a2, 2
    amoadd.d zero, a2, (a3)
    ld a1, 0(a3)
    CHECK a1, 42, "amoadd rd=x0 updates memory"
    amoswap.d a2, a2, (a3)
    CHECK a2, 42, "amoswap rd == rs2 returns old"
    ld a1, 0(a3)
    CHECK a1, 2, "amoswap rd == rs2 stores old rs2"

    /* ---------------- LR / SC ---------------- */
    la a3, word
    li a1, 0x1111111122222222
    sd a1, 0(a3)
    lr.d a0, (a3)
    CHECK a0, 0x1111111122222222, "lr.d value"
    li a2, 0x33
    sc.d a4, a2, (a3)
    CHECK a4, 0, "sc.d after lr.d succeeds"
    ld a1, 0(a3)
    CHECK a1, 0x33, "sc.d stored"
    li a2, 0x44
    sc.d a4, a2, (a3)
    sltu a4, zero, a4
    CHECK a4, 1, "second sc.d fails (reservation consumed)"
    ld a1, 0(a3)
    CHECK a1, 0x33, "failed sc.d does not store"

    li a1, 0xffffffff80000000
    sd a1, 0(a3)
    lr.w a0, (a3)
    CHECK a0, 0xffffffff80000000, "lr.w sign-extends"
    li a2, 0x7fffffff
    sc.w a4, a2, (a3)
    CHECK a4, 0, "sc.w succeeds"
    ld a1, 0(a3)
    CHECK a1, 0xffffffff7fffffff, "sc.w stores the low word only"
    addi a5, a3, 4
    lr.w a0, (a5)
    CHECK a0, -1, "lr.w upper word"
    li a2, 5
    sc.w a4, a2, (a5)
    CHECK a4, 0, "sc.w upper word succeeds"
    ld a1, 0(a3)
    CHECK a1, 0x000000057fffffff, "sc.w upper word stored"

    /* SC to a different address than the LR fails */
    la a5, word2
    lr.d a0, (a3)
    li a2, 0x66
    sc.d a4, a2, (a5)
    sltu a4, zero, a4
    CHECK a4, 1, "sc.d to another address fails"
    ld a1, 0(a5)
    CHECK a1, 0, "failed sc.d left the other word"
    /* SC without any LR fails */
    sc.w a4, a2, (a3)
    sltu a4, zero, a4
    CHECK a4, 1, "sc.w without lr fails"
    /* a retry loop terminates (bounded) */
    li a1, 100
    sd a1, 0(a3)
    li a5, 10
1:  lr.d.aq a0, (a3)
    addi a0, a0, 1
    sc.d.rl a4, a0, (a3)
    beqz a4, 2f
    addi a5, a5, -1
    bnez a5, 1b
2:  ld a1, 0(a3)
    CHECK a1, 101, "lr/sc increment loop"
    /* lr.w / sc.w with aq, rl */
    lr.w.aqrl a0, (a3)
    sc.w.aqrl a4, a0, (a3)
    CHECK a4, 0, "lr.w.aqrl / sc.w.aqrl"
TEST_END

    .data
    .align 3
word:  .dword 0
word2: .dword 0
