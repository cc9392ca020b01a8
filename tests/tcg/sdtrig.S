/*
 * sdtrig.S - the debug trigger module (Sdtrig) as QEMU 7.2's rv64 hart has
 * it.  Every expected value below was read from QEMU 7.2 running this
 * program (tests/tcg/run-on-qemu.sh sdtrig; suite tcg-qemu runs it too):
 *   - the CSRs: tselect (2 triggers), tinfo = types 2 and 6, tdata1 WARL
 *     for every field of mcontrol (type 2) and mcontrol6 (type 6), writes of
 *     other types ignored, tdata2 any value, tdata3 reads 0, tcontrol,
 *     mcontext, scontext and dcsr absent;
 *   - execute triggers in M, S and U mode (mcause 3, mtval 0, mepc = the
 *     instruction, which does not execute), delegated to S with medeleg;
 *   - load/store triggers, also on AMOs, LR, SC, FP and compressed
 *     accesses: the exception comes before the access; the matched range
 *     per size encoding (QEMU matches 1, 2, 3 or 5 bytes, or 8 for "any");
 *   - hostile values written to every trigger CSR with either tselect
 *     (a digest of what reads back), and every trigger CSR from S and U.
 * QEMU 7.2 aborts on a tdata1 write of type 1 or 8-14, so those are left
 * to tests/unit/debug_triggers_test.cc (rewind ignores them).
 */
#include "test.h"
#define HOSTILE_COUNT 14
#define TSELECT 0x7a0
#define TDATA1 0x7a1
#define TDATA2 0x7a2
#define TDATA3 0x7a3
#define TINFO 0x7a4
#define T2 (2 << 60)
#define T6 (6 << 60)
#define M_ (1 << 6)
#define S_ (1 << 4)
#define U_ (1 << 3)
#define EX 4
#define ST 2
#define LD 1
.macro W1 val, exp, desc
    li a1, \val
    csrw TDATA1, a1
    csrr a0, TDATA1
    CHECK a0, \exp, "\desc"
.endm
.macro TRYCSR insn, exp, desc
    TRY \insn
    CHECKM T_CAUSE, \exp, "\desc"
.endm

/* SCAN tdata1: bitmask of the byte offsets k (0..31) of buf whose lb fires */
.macro SCAN tdata1, exp, desc
    li a2, \tdata1
    csrw TDATA1, a2
    li s2, 0
    li s3, 0
1:  add a1, s1, s3
    TRY lb a0, 0(a1)
    ld t0, T_CAUSE(gp)
    li t1, CAUSE_BREAKPOINT
    bne t0, t1, 2f
    li t0, 1
    sll t0, t0, s3
    or s2, s2, t0
2:  addi s3, s3, 1
    li t0, 32
    blt s3, t0, 1b
    CHECK s2, \exp, "\desc"
.endm

/* HOSTILE_ROUND csr: with tselect 0 then 1, write s6 to csr, then fold
 * every trigger CSR's value into the digest s7 */
.macro HOSTILE_ROUND csr
    .irp sel, 0, 1
    li t0, \sel
    csrw TSELECT, t0
    csrw \csr, s6
    .irp r, 0x7a0, 0x7a1, 0x7a2, 0x7a3, 0x7a4
    csrr t0, \r
    slli t1, s7, 7
    srli s7, s7, 57
    or s7, s7, t1
    xor s7, s7, t0
    .endr
    .endr
.endm

/* LOWMODE csr: csrr and csrw of csr from S and from U trap as illegal */
.macro LOWMODE csr
    TRY_MODE PRV_S, 91f
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "csrr \csr from S"
    TRY_MODE PRV_U, 91f
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "csrr \csr from U"
    TRY_MODE PRV_S, 92f
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "csrw \csr from S"
    TRY_MODE PRV_U, 92f
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "csrw \csr from U"
    j 93f
91: csrr a0, \csr
    ecall
92: csrw \csr, a1
    ecall
93:
.endm
TEST_BEGIN
    csrr a0, TSELECT
    CHECK a0, 0x0, "tselect reset"
    csrr a0, TINFO
    CHECK a0, 0x44, "tinfo0"
    csrr a0, TDATA1
    CHECK a0, 0x2000000000000000, "tdata1 reset"
    csrr a0, TDATA2
    CHECK a0, 0x0, "tdata2 reset"
    csrr a0, TDATA3
    CHECK a0, 0x0, "tdata3 reset"
    li a1, 1
    csrw TSELECT, a1
    csrr a0, TSELECT
    CHECK a0, 0x1, "tselect 1"
    csrr a0, TINFO
    CHECK a0, 0x44, "tinfo1"
    csrr a0, TDATA1
    CHECK a0, 0x2000000000000000, "tdata1 reset 1"
    li a1, 2
    csrw TSELECT, a1
    csrr a0, TSELECT
    CHECK a0, 0x1, "tselect 2"
    li a1, 3
    csrw TSELECT, a1
    csrr a0, TSELECT
    CHECK a0, 0x1, "tselect 3"
    li a1, -1
    csrw TSELECT, a1
    csrr a0, TSELECT
    CHECK a0, 0x1, "tselect -1"
    csrw TSELECT, zero
    TRYCSR "csrr a0, 0x7a5", 0x2, "tcontrol"
    TRYCSR "csrr a0, 0x7a8", 0x2, "mcontext"
    TRYCSR "csrr a0, 0x5a8", 0x2, "scontext"
    TRYCSR "csrr a0, 0x7aa", 0x2, "mscontext"
    TRYCSR "csrr a0, 0x6a8", 0x2, "hcontext"
    TRYCSR "csrr a0, 0x7a6", 0x2, "7a6"
    TRYCSR "csrr a0, 0x7b0", 0x2, "dcsr"
    TRYCSR "csrw 0x7a4, zero", -1, "tinfo write"
    W1 -1, 0x2000000000000000, "tdata1=-1"
    W1 0x2fffffffffffffff, 0x200000000000005f, "type2|all"
    W1 0x6fffffffffffffff, 0x600000000180005f, "type6|all"
    W1 0x0fffffffffffffff, 0x600000000180005f, "type0|all"
    W1 0x3fffffffffffffff, 0x600000000180005f, "type3|all"
    W1 0x4fffffffffffffff, 0x600000000180005f, "type4|all"
    W1 0x5fffffffffffffff, 0x600000000180005f, "type5|all"
    W1 0x7fffffffffffffff, 0x600000000180005f, "type7|all"
    W1 0xffffffffffffffff, 0x600000000180005f, "type15|all"
    W1 0x0000000000000000, 0x600000000180005f, "zero"
    W1 0x3000000000000000, 0x600000000180005f, "type3 bare"
    W1 0x2000000000000047, 0x2000000000000047, "t2 m exec"
    W1 0x2800000000000044, 0x2000000000000044, "t2 dmode"
    W1 0x2000000000001044, 0x2000000000000044, "t2 action1"
    W1 0x2000000000002044, 0x2000000000000044, "t2 action2"
    W1 0x2000000000000844, 0x2000000000000044, "t2 chain"
    W1 0x2000000000000084, 0x2000000000000004, "t2 match1"
    W1 0x2000000000040044, 0x2000000000000044, "t2 timing"
    W1 0x2000000000080044, 0x2000000000000044, "t2 select"
    W1 0x2000000000100044, 0x2000000000000044, "t2 hit"
    W1 0x2000000000010044, 0x2000000000010044, "t2 sizelo1"
    W1 0x2000000000020044, 0x2000000000020044, "t2 sizelo2"
    W1 0x2000000000030044, 0x2000000000030044, "t2 sizelo3"
    W1 0x2000000000200044, 0x2000000000000044, "t2 sizehi1"
    W1 0x2000000000400044, 0x2000000000000044, "t2 sizehi2"
    W1 0x2000000000600044, 0x2000000000000044, "t2 sizehi3"
    W1 0x2000000000610044, 0x2000000000000044, "t2 size5"
    W1 0x2000000000620044, 0x2000000000000044, "t2 size6"
    W1 0x2000000000630044, 0x2000000000000044, "t2 size7"
    W1 0x2000000000210044, 0x2000000000210044, "t2 size sizehi1 lo1"
    W1 0x207e000000000044, 0x2000000000000044, "t2 maskmax"
    W1 0x2000000000000020, 0x2000000000000000, "t2 bit5"
    W1 0x6000000000000047, 0x6000000000000047, "t6 m exec"
    W1 0x6000000000010044, 0x6000000000010044, "t6 size1"
    W1 0x6000000000050044, 0x6000000000050044, "t6 size5"
    W1 0x6000000000060044, 0x6000000000000044, "t6 size6"
    W1 0x60000000000f0044, 0x6000000000000044, "t6 size15"
    W1 0x6000000000400044, 0x6000000000000044, "t6 hit"
    W1 0x6000000000800044, 0x6000000000800044, "t6 vu"
    W1 0x6000000001000044, 0x6000000001000044, "t6 vs"
    W1 0x6800000000000044, 0x6000000000000044, "t6 dmode"
    W1 0x6000000000001044, 0x6000000000000044, "t6 action1"
    W1 0x6000000000000084, 0x6000000000000004, "t6 match1"
    W1 0x6000000000100044, 0x6000000000000044, "t6 timing"
    W1 0x6000000000200044, 0x6000000000000044, "t6 select"
    W1 0x6000000000000020, 0x6000000000000000, "t6 bit5"
    W1 0x6000000004000044, 0x6000000000000044, "t6 bit26"
    W1 0x3000000000000000, 0x6000000000000044, "t3 0"
    W1 0x3000000000000401, 0x6000000000000044, "t3 count1 u"
    W1 0x3000000000000bc7, 0x6000000000000044, "t3 vals"
    W1 0x3000000001ffffff, 0x6000000000000044, "t3 all low"
    li a1, -1
    csrw TDATA2, a1
    CHECK_CSR TDATA2, -1, "tdata2 -1 (t3)"
    csrw TDATA3, a1
    CHECK_CSR TDATA3, 0x0, "tdata3 -1 (t3)"
    W1 0x2000000000000000, 0x2000000000000000, "t2 plain"
    li a1, -1
    csrw TDATA2, a1
    CHECK_CSR TDATA2, -1, "tdata2 -1 (t2)"
    csrw TDATA3, a1
    CHECK_CSR TDATA3, 0x0, "tdata3 -1 (t2)"
    /* write tdata2 then check tdata1 kept */
    CHECK_CSR TDATA1, 0x2000000000000000, "tdata1 after tdata2"
    W1 0x5000000000000000, 0x2000000000000000, "t5 then tdata2"
    li a1, 0x1234
    csrw TDATA2, a1
    CHECK_CSR TDATA2, 0x1234, "tdata2 after t5"
    W1 0x2000000000000000, 0x2000000000000000, "back t2"
    csrw TDATA2, zero
    csrw TDATA3, zero

    /* ---- execute, M-mode ---- */
    la a1, xm1
    csrw TDATA2, a1
    li a1, T2 | M_ | EX
    csrw TDATA1, a1
    li a0, 0
    TRY_BEGIN
    nop
xm1: addi a0, a0, 1
    TRY_END
    li a1, T2
    csrw TDATA1, a1
    CHECKM T_CAUSE, 0x3, "xm1 cause"
    CHECKM_LA T_EPC, xm1, "xm1 epc"
    CHECKM T_TVAL, 0x0, "xm1 tval"
    CHECK a0, 0x0, "xm1 a0"
    /* tdata1 after hit */
    la a1, xm2
    csrw TDATA2, a1
    li a1, T2 | M_ | EX
    csrw TDATA1, a1
    TRY_BEGIN
    call xm2
    TRY_END
    CHECK_CSR TDATA1, 0x2000000000000044, "tdata1 after hit"
    li a1, T2 | S_ | U_ | EX
    csrw TDATA1, a1
    TRY_BEGIN
    nop
    call xm2
    TRY_END
    CHECKM T_CAUSE, -1, "exec S|U in M"
    li a1, T2 | M_ | EX | (1 << 12)
    csrw TDATA1, a1
    TRY_BEGIN
    call xm2
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec action1"
    li a1, T2 | M_ | EX | (1 << 59)
    csrw TDATA1, a1
    TRY_BEGIN
    call xm2
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec dmode"
    li a1, T6 | M_ | EX
    csrw TDATA1, a1
    TRY_BEGIN
    call xm2
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec t6"
    CHECKM_LA T_EPC, xm2, "exec t6 epc"
    li a1, T2
    csrw TDATA1, a1
    /* trigger 1 */
    li a1, 1
    csrw TSELECT, a1
    la a1, xm2
    csrw TDATA2, a1
    li a1, T2 | M_ | EX
    csrw TDATA1, a1
    csrw TSELECT, zero
    TRY_BEGIN
    call xm2
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec trig1"
    li a1, 1
    csrw TSELECT, a1
    li a1, T2
    csrw TDATA1, a1
    csrw TSELECT, zero
    /* address mid-instruction */
    la a1, xm2
    addi a1, a1, 2
    csrw TDATA2, a1
    li a1, T2 | M_ | EX
    csrw TDATA1, a1
    TRY_BEGIN
    call xm3
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec on the instruction after a compressed one"
    /* compressed */
    la a1, xc
    csrw TDATA2, a1
    TRY_BEGIN
    c.nop
xc: c.addi a0, 1
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec compressed"
    CHECKM_LA T_EPC, xc, "exec compressed epc"
    /* U and S */
    la a1, uex
    csrw TDATA2, a1
    li a1, T2 | U_ | EX
    csrw TDATA1, a1
    TRY_MODE PRV_U, uex
    CHECKM T_CAUSE, 0x3, "exec U"
    CHECKM_LA T_EPC, uex, "exec U epc"
    CHECKM T_TVAL, 0x0, "exec U tval"
    TRY_MODE PRV_S, uex
    CHECKM T_CAUSE, 0x9, "exec U-only in S"
    li a1, T2 | S_ | EX
    csrw TDATA1, a1
    TRY_MODE PRV_S, uex
    CHECKM T_CAUSE, 0x3, "exec S"
    TRY_MODE PRV_U, uex
    CHECKM T_CAUSE, 0x8, "exec S-only in U"
    li a1, T6 | U_ | EX
    csrw TDATA1, a1
    TRY_MODE PRV_U, uex
    CHECKM T_CAUSE, 0x3, "exec t6 U"
    li a1, T6 | S_ | EX
    csrw TDATA1, a1
    TRY_MODE PRV_S, uex
    CHECKM T_CAUSE, 0x3, "exec t6 S"
    /* delegated */
    la t0, __strap_entry
    csrw stvec, t0
    li t0, 1 << 3
    csrw medeleg, t0
    li a1, T2 | U_ | EX
    csrw TDATA1, a1
    TRY_MODE PRV_U, uex
    CHECKM T_CAUSE, 0x9, "exec U deleg cause"
    CHECKM T_SCAUSE, 0x3, "exec U deleg scause"
    CHECKM_LA T_SEPC, uex, "exec U deleg sepc"
    csrw medeleg, zero
    li a1, T2
    csrw TDATA1, a1

    /* ---- load/store, M ---- */
    la a1, dword
    csrw TDATA2, a1
    li a1, T2 | M_ | LD
    csrw TDATA1, a1
    la a1, dword
    li a0, 0x55
    TRY ld a0, 0(a1)
    CHECKM T_CAUSE, 0x3, "load cause"
    CHECK_EPC "load epc"
    CHECKM T_TVAL, 0x0, "load tval"
    CHECK a0, 0x55, "load a0 unchanged"
    li a2, 0x77
    TRY sd a2, 0(a1)
    CHECKM T_CAUSE, -1, "store on load trig"
    li a1, T2 | M_ | ST
    csrw TDATA1, a1
    la a1, dword
    li a2, 0x99
    TRY sd a2, 0(a1)
    CHECKM T_CAUSE, 0x3, "store cause"
    CHECK_EPC "store epc"
    CHECKM T_TVAL, 0x0, "store tval"
    ld a0, 0(a1)
    CHECK a0, 0x77, "store memory"
    TRY amoadd.d a0, a2, (a1)
    CHECKM T_CAUSE, 0x3, "amo on store trig"
    TRY lr.d a0, (a1)
    CHECKM T_CAUSE, -1, "lr on store trig"
    TRY sc.d a0, a2, (a1)
    CHECKM T_CAUSE, 0x3, "sc on store trig"
    li a1, T2 | M_ | LD
    csrw TDATA1, a1
    la a1, dword
    TRY amoadd.d a0, a2, (a1)
    CHECKM T_CAUSE, 0x3, "amo on load trig"
    TRY lr.d a0, (a1)
    CHECKM T_CAUSE, 0x3, "lr on load trig"
    TRY lw a0, 4(a1)
    CHECKM T_CAUSE, 0x3, "lw +4 size any"
    TRY lb a0, 7(a1)
    CHECKM T_CAUSE, 0x3, "lb +7 size any"
    TRY lb a0, 8(a1)
    CHECKM T_CAUSE, -1, "lb +8 size any"
    TRY lw a0, -4(a1)
    CHECKM T_CAUSE, -1, "lw -4 size any"
    TRY ld a0, -4(a1)
    CHECKM T_CAUSE, 0x3, "ld -4 size any"
    TRY ld a0, -8(a1)
    CHECKM T_CAUSE, -1, "ld -8 size any"
    CHECKM T_TVAL, 0x0, "ld -8 tval"
    TRY fld fa0, 0(a1)
    CHECKM T_CAUSE, 0x3, "fld"
    TRY c.ld a0, 0(a1)
    CHECKM T_CAUSE, 0x3, "c.ld"
    /* sized: trigger at dword+2, size 1 */
    addi a2, a1, 2
    csrw TDATA2, a2
    li a2, T2 | M_ | LD | (1 << 16)
    csrw TDATA1, a2
    TRY lb a0, 1(a1)
    CHECKM T_CAUSE, -1, "size1 lb+1"
    TRY lb a0, 2(a1)
    CHECKM T_CAUSE, 0x3, "size1 lb+2"
    TRY lb a0, 3(a1)
    CHECKM T_CAUSE, -1, "size1 lb+3"
    TRY lw a0, 0(a1)
    CHECKM T_CAUSE, 0x3, "size1 lw+0"
    CHECKM T_TVAL, 0x0, "size1 lw+0 tval"
    TRY lh a0, 2(a1)
    CHECKM T_CAUSE, 0x3, "size1 lh+2"
    /* size 2 (sizelo 2) */
    li a2, T2 | M_ | LD | (2 << 16)
    csrw TDATA1, a2
    TRY lb a0, 3(a1)
    CHECKM T_CAUSE, 0x3, "size2 lb+3"
    TRY lb a0, 4(a1)
    CHECKM T_CAUSE, -1, "size2 lb+4"
    /* size 4 */
    li a2, T2 | M_ | LD | (3 << 16)
    csrw TDATA1, a2
    TRY lb a0, 5(a1)
    CHECKM T_CAUSE, -1, "size4 lb+5"
    TRY lb a0, 6(a1)
    CHECKM T_CAUSE, -1, "size4 lb+6"
    /* size 8 (sizehi 1, sizelo 1) */
    li a2, T2 | M_ | LD | (1 << 16) | (1 << 21)
    csrw TDATA1, a2
    TRY lb a0, 9(a1)
    CHECKM T_CAUSE, -1, "size8 lb+9"
    TRY lb a0, 10(a1)
    CHECKM T_CAUSE, -1, "size8 lb+10"
    /* size any, load, misaligned across */
    la a1, dword
    csrw TDATA2, a1
    li a2, T6 | M_ | ST
    csrw TDATA1, a2
    li a2, 5
    TRY sw a2, 0(a1)
    CHECKM T_CAUSE, 0x3, "t6 store"
    li a2, T6 | M_ | ST | (1 << 16)
    csrw TDATA1, a2
    TRY sb a2, 1(a1)
    CHECKM T_CAUSE, -1, "t6 size1 sb+1"
    TRY sh a2, 0(a1)
    CHECKM T_CAUSE, 0x3, "t6 size1 sh+0"
    li a2, T2
    csrw TDATA1, a2
    /* load in U and S */
    li a2, T2 | U_ | LD
    csrw TDATA1, a2
    TRY_MODE PRV_U, uld
    CHECKM T_CAUSE, 0x3, "load U"
    CHECKM_LA T_EPC, uld, "load U epc"
    CHECKM T_TVAL, 0x0, "load U tval"
    TRY_MODE PRV_S, uld
    CHECKM T_CAUSE, 0x9, "load U-only in S"
    TRY ld a0, 0(a1)
    CHECKM T_CAUSE, -1, "load U-only in M"
    li a2, T2 | S_ | ST
    csrw TDATA1, a2
    TRY_MODE PRV_S, ust
    CHECKM T_CAUSE, 0x3, "store S"
    TRY_MODE PRV_U, ust
    CHECKM T_CAUSE, 0x8, "store S-only in U"
    /* MPRV: M-mode load with MPP=U */
    li a2, T2 | U_ | LD
    csrw TDATA1, a2
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    TRY ld a0, 0(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECKM T_CAUSE, -1, "load MPRV U"
    li a2, T2
    csrw TDATA1, a2
    /* both triggers: exec at 0 and load at 1 same insn */
    la a2, xl
    csrw TDATA2, a2
    li a2, T2 | M_ | EX
    csrw TDATA1, a2
    li a2, 1
    csrw TSELECT, a2
    csrw TDATA2, a1
    li a2, T2 | M_ | LD
    csrw TDATA1, a2
    TRY_BEGIN
xl: ld a0, 0(a1)
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec+load"
    li a2, T2
    csrw TDATA1, a2
    csrw TSELECT, zero
    csrw TDATA1, a2
    /* CSR from S / U */
    li a1, -1
    TRY_MODE PRV_S, s_wsel
    CHECKM T_CAUSE, 0x2, "tselect from S"
    TRY_MODE PRV_U, s_wsel
    CHECKM T_CAUSE, 0x2, "tselect from U"
    TRY_MODE PRV_S, s_rinfo
    CHECKM T_CAUSE, 0x2, "tinfo from S"
    /* exec trigger with tdata2 set later: change tdata2 of an armed trigger */
    li a2, T2 | M_ | EX
    csrw TDATA1, a2
    la a2, xm2
    csrw TDATA2, a2
    TRY_BEGIN
    call xm2
    TRY_END
    CHECKM T_CAUSE, 0x3, "exec armed then tdata2"
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero

    /* ---- SC: triggers apply only to an SC that accesses memory ---- */
    la s1, buf
    csrw TDATA2, s1
    li a2, T2 | M_ | ST
    csrw TDATA1, a2
    TRY sc.d a0, a2, (s1)
    CHECKM T_CAUSE, -1, "sc without reservation: store trigger silent"
    CHECK a0, 0x1, "sc without reservation fails"
    addi a3, s1, 8
    li a2, T2
    csrw TDATA1, a2
    lr.d a0, (a3)
    li a2, T2 | M_ | ST
    csrw TDATA1, a2
    TRY sc.d a0, a2, (s1)
    CHECKM T_CAUSE, -1, "sc with another reservation: silent"
    li a2, T2
    csrw TDATA1, a2
    lr.d a0, (s1)
    li a2, T2 | M_ | LD
    csrw TDATA1, a2
    TRY sc.d a0, a2, (s1)
    CHECKM T_CAUSE, 0x3, "sc with reservation: load trigger fires"
    li a2, T2
    csrw TDATA1, a2
    lr.d a0, (s1)
    li a2, T2 | M_ | ST
    csrw TDATA1, a2
    TRY sc.d a0, a2, (s1)
    CHECKM T_CAUSE, 0x3, "sc with reservation: store trigger fires"

    /* ---- matched range per size encoding: bit k = lb at buf+k fires ---- */
    addi a2, s1, 16
    csrw TDATA2, a2
    SCAN 0x2000000000000041, 0xff0000, "t2 size any: 8 bytes"
    SCAN 0x2000000000010041, 0x10000, "t2 size 1"
    SCAN 0x2000000000020041, 0x30000, "t2 size 2"
    SCAN 0x2000000000030041, 0x70000, "t2 size 3"
    SCAN 0x2000000000200041, 0xff0000, "t2 size 4 (unsupported: any)"
    SCAN 0x2000000000210041, 0x1f0000, "t2 size 5"
    SCAN 0x6000000000000041, 0xff0000, "t6 size any"
    SCAN 0x6000000000010041, 0x10000, "t6 size 1"
    SCAN 0x6000000000020041, 0x30000, "t6 size 2"
    SCAN 0x6000000000030041, 0x70000, "t6 size 3"
    SCAN 0x6000000000050041, 0x1f0000, "t6 size 5"
    addi a2, s1, 17
    csrw TDATA2, a2
    SCAN 0x2000000000000041, 0x1fe0000, "unaligned +17 size any"
    SCAN 0x2000000000030041, 0xe0000, "unaligned +17 size 3"
    li a2, T2
    csrw TDATA1, a2
    /* a range that wraps around the address space never matches */
    li a2, -4
    csrw TDATA2, a2
    li a2, T2 | M_ | LD
    csrw TDATA1, a2
    li a1, -4
    TRY lb a0, 0(a1)
    CHECKM T_CAUSE, 0x5, "wrapping range: silent (access faults)"
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero

    /* ---- hostile values written to every trigger CSR in M-mode ---- */
    /* both triggers back to reset first: the digests must not depend on addresses */
    csrw TSELECT, zero
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero
    li a2, 1
    csrw TSELECT, a2
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero
    la s4, hostile
    li s5, 0
3:  ld s6, 0(s4)
    li s7, 0
    li s8, 0x7a0
    /* for each CSR 0x7a0..0x7a4 and tselect 0/1: write, then sum reads */
    HOSTILE_ROUND 0x7a0
    HOSTILE_ROUND 0x7a1
    HOSTILE_ROUND 0x7a2
    HOSTILE_ROUND 0x7a3
    HOSTILE_ROUND 0x7a4
    ld a0, HOSTILE_COUNT*8(s4)
    CHECKR s7, a0, "hostile value: readback digest as QEMU's"
    addi s4, s4, 8
    addi s5, s5, 1
    li t0, HOSTILE_COUNT
    blt s5, t0, 3b
    /* reset both triggers */
    csrw TSELECT, zero
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero
    li a2, 1
    csrw TSELECT, a2
    li a2, T2
    csrw TDATA1, a2
    csrw TDATA2, zero
    csrw TSELECT, zero

    /* ---- from S and U every trigger CSR is an illegal instruction ---- */
    li a1, -1
    LOWMODE 0x7a0
    LOWMODE 0x7a1
    LOWMODE 0x7a2
    LOWMODE 0x7a3
    LOWMODE 0x7a4
    CHECK_CSR TDATA1, 0x2000000000000000, "tdata1 unchanged by S/U writes"
TEST_END

xm3: j xm2
xm2: addi a0, a0, 1
    ret
uex: addi a0, a0, 1
    ecall
uld: ld a0, 0(a1)
    ecall
ust: sd a0, 0(a1)
    ecall
s_wsel: csrw TSELECT, a1
    ecall
s_rinfo: csrr a0, TINFO
    ecall

    .data
    .align 4
    .dword 0
dword: .dword 0x1122334455667788
    .dword 0

    .align 6
buf: .space 64
/* Values with the types QEMU 7.2 survives (0, 2-7, 15): it aborts on a
 * tdata1 write of type 1 or 8-14, which rewind ignores (unit-tested). */
    .align 3
hostile:
    .dword -1, 0, 1, 2, 0x7fffffffffffffff, 0x2fffffffffffffff
    .dword 0x6fffffffffffffff, 0x0123456789abcdef, 0x5555555555555555
    .dword 0x2aaaaaaaaaaaaaaa, 0x6aaaaaaaaaaaaaaa, 0x6555555555555555
    .dword 0x3fffffffffffffff, 0x2800000000000047
/* the digest QEMU 7.2 gives for each value (same order) */
    .dword 0x2092cf34141071c4, 0x2082cf34141071c4, 0x0010cf34108031c4, 0x6196cf751c30f3cc, 0x30d3cfb6161855d4, 0xa5fb402864bc3d27, 0xfe9c101aaf8eac81
    .dword 0x79a81523b4762856, 0x3fe29451d10f9b17, 0x4527dc5fb8f8c6a9, 0x1c49e5ddb3811699, 0x5cb63ad70f9fd6ec, 0x9d3bc49103f014c4, 0xc182150cfc67620b
