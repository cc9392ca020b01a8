/*
 * misaligned.S - misaligned data accesses as QEMU 7.2 virt does them:
 *  - ordinary integer and FP loads/stores at any alignment just work (no
 *    trap), also across a 4 KiB page boundary;
 *  - a misaligned access that runs into unmapped space raises an access
 *    fault (cause 5/7);
 *  - LR.W/LR.D at a misaligned address raise a load address misaligned
 *    exception (4) with mtval = address;
 *  - AMOs at a misaligned address also raise cause 4 on QEMU 7.2 (the spec
 *    would say store/AMO address misaligned, 6): tested as QEMU does;
 *  - SC at a misaligned address (no reservation can exist there) simply
 *    fails without trapping on QEMU 7.2.
 */
#include "test.h"

/* LOADM op, offset, expected: load from pattern + offset */
.macro LOADM op, off, exp
    la a3, pattern
    \op a0, \off(a3)
    CHECK a0, \exp, "\op at pattern+\off"
.endm

TEST_BEGIN
/* pattern: 0x8f, 0xc4, 0xf9, 0x2e, 0x63, 0x98, 0xcd, 0x2, 0x37, 0x6c, 0xa1, 0xd6, 0xb, 0x40, 0x75, 0xaa */
    LOADM lh, 1, 0xfffffffffffff9c4
    LOADM lh, 2, 0x2ef9
    LOADM lh, 3, 0x632e
    LOADM lhu, 1, 0xf9c4
    LOADM lhu, 2, 0x2ef9
    LOADM lhu, 3, 0x632e
    LOADM lw, 1, 0x632ef9c4
    LOADM lw, 2, 0xffffffff98632ef9
    LOADM lw, 3, 0xffffffffcd98632e
    LOADM lw, 4, 0x2cd9863
    LOADM lw, 5, 0x3702cd98
    LOADM lw, 6, 0x6c3702cd
    LOADM lw, 7, 0xffffffffa16c3702
    LOADM lwu, 1, 0x632ef9c4
    LOADM lwu, 2, 0x98632ef9
    LOADM lwu, 3, 0xcd98632e
    LOADM lwu, 4, 0x2cd9863
    LOADM lwu, 5, 0x3702cd98
    LOADM lwu, 6, 0x6c3702cd
    LOADM lwu, 7, 0xa16c3702
    LOADM ld, 1, 0x3702cd98632ef9c4
    LOADM ld, 2, 0x6c3702cd98632ef9
    LOADM ld, 3, 0xa16c3702cd98632e
    LOADM ld, 4, 0xd6a16c3702cd9863
    LOADM ld, 5, 0xbd6a16c3702cd98
    LOADM ld, 6, 0x400bd6a16c3702cd
    LOADM ld, 7, 0x75400bd6a16c3702

    /* ---------------- stores ---------------- */
    la a3, buf
    sd zero, 0(a3)
    sd zero, 8(a3)
    li a1, 0x1122334455667788
    sd a1, 3(a3)
    ld a0, 0(a3)
    CHECK a0, 0x4455667788000000, "sd at +3: low dword"
    ld a0, 8(a3)
    CHECK a0, 0x0000000000112233, "sd at +3: high dword"
    sw a1, 9(a3)
    ld a0, 8(a3)
    CHECK a0, 0x0000005566778833, "sw at +9"
    sh a1, 15(a3)
    ld a0, 8(a3)
    CHECK a0, 0x8800005566778833, "sh at +15: byte 15"
    lbu a0, 16(a3)
    CHECK a0, 0x77, "sh at +15: byte 16"

    /* ---------------- FP ---------------- */
    la a3, buf
    li a1, 0x400921fb54442d18
    sd a1, 32+5(a3)
    fld fa0, 32+5(a3)
    CHECKF fa0, 0x400921fb54442d18, "fld misaligned"
    fsd fa0, 48+1(a3)
    ld a0, 48+1(a3)
    CHECK a0, 0x400921fb54442d18, "fsd misaligned"
    flw fa1, 32+6(a3)
    CHECKF fa1, 0xfffffffffb54442d, "flw misaligned (NaN-boxed)"
    fsw fa1, 48+3(a3)
    lwu a0, 48+3(a3)
    CHECK a0, 0xfb54442d, "fsw misaligned"

    /* ---------------- across a page boundary ---------------- */
    la a3, page2                         /* page2 is 4 KiB aligned */
    li a1, 0x0102030405060708
    sd a1, -3(a3)
    ld a0, -3(a3)
    CHECK a0, 0x0102030405060708, "ld/sd across page boundary"
    lbu a0, -1(a3)
    CHECK a0, 0x06, "cross-page sd: last byte of page 1"
    lbu a0, 0(a3)
    CHECK a0, 0x05, "cross-page sd: first byte of page 2"
    lw a0, -2(a3)
    CHECK a0, 0x04050607, "lw across page boundary"
    li a1, 0xaabbccdd
    sw a1, -1(a3)
    lwu a0, -1(a3)
    CHECK a0, 0xaabbccdd, "sw across page boundary"
    lh a0, -1(a3)
    CHECK a0, 0xffffffffffffccdd, "lh across page boundary"

    /* misaligned access in U-mode works as well */
    la a3, pattern
    TRY_MODE PRV_U, u_load
    CHECK_CAUSE CAUSE_ECALL_U, "U-mode misaligned ld: no trap"
    CHECK a0, 0x3702cd98632ef9c4, "U-mode misaligned ld value"

    /* running off the end of mapped space: access fault.  (mtval is not
     * checked: QEMU reports the address of the failing part, rounded.) */
    li a1, 0xfffe                        /* MROM ends at 0x10000 */
    TRY lw a0, 0(a1)
    CHECK_CAUSE CAUSE_LOAD_ACCESS, "lw across the end of the MROM: access fault"
    li a1, 0x20000 - 3
    TRY sd a0, 0(a1)
    CHECK_CAUSE CAUSE_STORE_ACCESS, "misaligned sd to unmapped: access fault"

    /* ---------------- LR / SC / AMO ---------------- */
    la a3, buf
    addi a1, a3, 2
    TRY lr.w a0, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "lr.w at +2: load misaligned"
    CHECK_EPC "lr.w misaligned: mepc"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "lr.w misaligned: mtval = address"
    addi a1, a3, 4
    TRY lr.d a0, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "lr.d at +4: load misaligned"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "lr.d misaligned: mtval = address"
    addi a1, a3, 1
    TRY lr.d a0, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "lr.d at +1: load misaligned"
    addi a1, a3, 6
    TRY amoadd.w a0, a2, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "amoadd.w at +6: cause 4 (QEMU)"
    ld a0, T_TVAL(gp)
    CHECKR a0, a1, "amoadd.w misaligned: mtval = address"
    addi a1, a3, 4
    TRY amoswap.d a0, a2, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "amoswap.d at +4: cause 4 (QEMU)"
    addi a1, a3, 3
    TRY amomaxu.d a0, a2, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "amomaxu.d at +3: cause 4 (QEMU)"
    addi a1, a3, 2
    TRY amoor.w a0, a2, (a1)
    CHECK_CAUSE CAUSE_MISALIGNED_LOAD, "amoor.w at +2: cause 4 (QEMU)"
    /* the AMO did not write */
    li t0, 0x1111111111111111
    sd t0, 0(a3)
    addi a1, a3, 4
    li a2, -1
    TRY amoswap.d a0, a2, (a1)
    ld a0, 0(a3)
    CHECK a0, 0x1111111111111111, "trapping AMO leaves memory"
    /* SC at a misaligned address: fails (rd != 0) without a trap */
    addi a1, a3, 4
    li a2, 0x22
    li a0, 0
    TRY sc.d a0, a2, (a1)
    CHECK_CAUSE CAUSE_NONE, "sc.d misaligned: no trap (QEMU)"
    sltu a0, zero, a0
    CHECK a0, 1, "sc.d misaligned: fails"
    ld a0, 0(a3)
    CHECK a0, 0x1111111111111111, "sc.d misaligned: no store"
    addi a1, a3, 1
    li a0, 0
    TRY sc.w a0, a2, (a1)
    CHECK_CAUSE CAUSE_NONE, "sc.w misaligned: no trap (QEMU)"
    sltu a0, zero, a0
    CHECK a0, 1, "sc.w misaligned: fails"
    /* aligned AMO right after still works */
    li a2, 5
    amoadd.d a0, a2, (a3)
    ld a0, 0(a3)
    CHECK a0, 0x1111111111111116, "aligned amoadd.d after the faults"
TEST_END

    .text
u_load:
    ld a0, 1(a3)
    ecall

    .data
    .align 4
pattern:
    .byte 0x8f, 0xc4, 0xf9, 0x2e, 0x63, 0x98, 0xcd, 0x2, 0x37, 0x6c, 0xa1, 0xd6, 0xb, 0x40, 0x75, 0xaa
buf:
    .space 64

    .section .pages, "aw", @nobits
    .align 12
page1: .space 4096
page2: .space 4096
