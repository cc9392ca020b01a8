/*
 * csr.S - machine/supervisor CSRs: identification, mstatus fields and WARL,
 * sstatus/sie/sip views, scratch and trap CSRs, mtvec modes (incl. vectored
 * interrupt dispatch), counters and their enables, CSR instruction variants,
 * illegal and read-only CSR accesses, satp modes, fcsr.
 *
 * QEMU 7.2 specifics tested here (marked "QEMU" below): misa is read-only,
 * mtvec/satp writes with a reserved mode are ignored as a whole, csrrs/csrrc
 * with a zero-valued (non-x0) source register do not trap on read-only CSRs.
 */
#include "test.h"

#define MISA_BIT(c) (1 << ((c) - 'A'))
#define MISA_BASE  (MISA_BIT('I') | MISA_BIT('M') | MISA_BIT('A') | MISA_BIT('F') | MISA_BIT('D') | MISA_BIT('C') | MISA_BIT('S') | MISA_BIT('U'))

.macro TRY_CSR_OK insn:vararg
    TRY \insn
    CHECK_CAUSE CAUSE_NONE, "\insn: no trap"
.endm
.macro TRY_CSR_ILL insn:vararg
    TRY \insn
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "\insn: illegal"
.endm

/* test that bit(s) `mask` of mstatus can be set and cleared */
.macro MSTATUS_RW mask, name
    li t0, \mask
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, \mask, "mstatus.\name set"
    csrc mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, 0, "mstatus.\name clear"
.endm

TEST_BEGIN
    /* ---------------- identification ---------------- */
    csrr a0, misa
    srli a1, a0, 62
    CHECK a1, 2, "misa.MXL = 64"
    li t0, MISA_BASE | MISA_BIT('E')
    and a1, a0, t0
    CHECK a1, MISA_BASE, "misa has IMAFDC S U, no E"
    li t0, MISA_BIT('C')
    csrc misa, t0
    csrr a1, misa
    CHECKR a1, a0, "misa write ignored (QEMU: read-only)"
    CHECK_CSR mvendorid, 0, "mvendorid = 0"
    CHECK_CSR mhartid, 0, "mhartid = 0"
    TRY_CSR_OK csrr a0, marchid
    TRY_CSR_OK csrr a0, mimpid

    /* ---------------- mstatus ---------------- */
    /* read before any full write: UXL = SXL = 64-bit */
    csrr a0, mstatus
    srli a0, a0, 32
    andi a0, a0, 0xf
    CHECK a0, 0xa, "mstatus.UXL = SXL = 2"
    MSTATUS_RW MSTATUS_SIE, SIE
    MSTATUS_RW MSTATUS_MIE, MIE
    MSTATUS_RW MSTATUS_SPIE, SPIE
    MSTATUS_RW MSTATUS_MPIE, MPIE
    MSTATUS_RW MSTATUS_SPP, SPP
    MSTATUS_RW MSTATUS_MPP, MPP
    MSTATUS_RW MSTATUS_SUM, SUM
    MSTATUS_RW MSTATUS_MXR, MXR
    MSTATUS_RW MSTATUS_TVM, TVM
    MSTATUS_RW MSTATUS_TW, TW
    MSTATUS_RW MSTATUS_TSR, TSR
    li t0, MSTATUS_MPP_M             /* MPRV with MPP = M: no effect */
    csrs mstatus, t0
    MSTATUS_RW MSTATUS_MPRV, MPRV
    /* MPP = S */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    csrr a0, mstatus
    li t0, MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, MSTATUS_MPP_S, "mstatus.MPP = S"
    /* WPRI bits 0, 2, 4 and 23..31 read as zero */
    li t0, 0xff800015
    csrs mstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECK a0, 0, "mstatus WPRI bits read 0"
    /* FS and SD */
    li t0, MSTATUS_FS
    csrc mstatus, t0
    csrr a0, mstatus
    srli a0, a0, 63
    CHECK a0, 0, "FS=Off: SD = 0"
    li t0, 1 << 13
    csrs mstatus, t0
    csrr a0, mstatus
    srli a1, a0, 13
    andi a1, a1, 3
    CHECK a1, 1, "FS=Initial readback"
    srli a0, a0, 63
    CHECK a0, 0, "FS=Initial: SD = 0"
    csrwi fflags, 1                         /* an FP CSR write dirties FS */
    csrr a0, mstatus
    srli a1, a0, 13
    andi a1, a1, 3
    CHECK a1, 3, "fflags write sets FS=Dirty"
    srli a0, a0, 63
    CHECK a0, 1, "FS=Dirty: SD = 1"
    csrw fflags, zero

    /* sstatus is a restricted view of mstatus */
    csrr a0, sstatus
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    csrs mstatus, t0
    csrr a1, sstatus
    CHECKR a1, a0, "sstatus hides M-only fields"
    csrc mstatus, t0
    csrsi sstatus, MSTATUS_SIE
    csrr a0, mstatus
    andi a0, a0, MSTATUS_SIE
    CHECK a0, MSTATUS_SIE, "sstatus.SIE write shows in mstatus"
    csrci sstatus, MSTATUS_SIE
    csrsi sstatus, MSTATUS_MIE              /* not part of sstatus */
    csrr a0, mstatus
    andi a0, a0, MSTATUS_MIE
    CHECK a0, 0, "sstatus write cannot set MIE"
    li t0, MSTATUS_SUM | MSTATUS_MXR
    csrs sstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    CHECKR a0, t0, "sstatus SUM/MXR write through"
    csrc sstatus, t0

    /* ---------------- CSR instruction forms (mscratch) ---------------- */
    li a1, 0x0123456789abcdef
    csrw mscratch, a1
    CHECK_CSR mscratch, 0x0123456789abcdef, "mscratch write/read"
    li a1, 0x55
    csrrw a0, mscratch, a1
    CHECK a0, 0x0123456789abcdef, "csrrw returns old value"
    CHECK_CSR mscratch, 0x55, "csrrw writes new value"
    li a1, 0xf00
    csrrs a0, mscratch, a1
    CHECK a0, 0x55, "csrrs returns old value"
    CHECK_CSR mscratch, 0xf55, "csrrs sets bits"
    li a1, 0x505
    csrrc a0, mscratch, a1
    CHECK a0, 0xf55, "csrrc returns old value"
    CHECK_CSR mscratch, 0xa50, "csrrc clears bits"
    csrrwi a0, mscratch, 0x1f
    CHECK a0, 0xa50, "csrrwi returns old value"
    CHECK_CSR mscratch, 0x1f, "csrrwi writes zero-extended imm"
    csrrsi a0, mscratch, 0x10
    csrrci a0, mscratch, 0x3
    CHECK a0, 0x1f, "csrrsi/csrrci old value"
    CHECK_CSR mscratch, 0x1c, "csrrsi/csrrci result"
    csrrs a0, mscratch, zero
    CHECK a0, 0x1c, "csrrs x0 reads"
    li a0, 7
    csrrw a0, mscratch, a0                  /* rd == rs1 */
    CHECK a0, 0x1c, "csrrw rd==rs1 returns old"
    CHECK_CSR mscratch, 7, "csrrw rd==rs1 writes old rs1"

    /* ---------------- trap CSRs ---------------- */
    li a1, 0x80001234
    csrw mepc, a1
    CHECK_CSR mepc, 0x80001234, "mepc write/read"
    li a1, 0x80001236
    csrw mepc, a1
    CHECK_CSR mepc, 0x80001236, "mepc bit 1 kept (C)"
    /* Not checked: mepc[0] should read 0; QEMU 7.2 keeps it. */
    li a1, INTR(7)
    csrw mcause, a1
    CHECK_CSR mcause, INTR(7), "mcause write/read"
    li a1, 0xdeadbeefcafe
    csrw mtval, a1
    CHECK_CSR mtval, 0xdeadbeefcafe, "mtval write/read"
    li a1, 0x1122334455667788
    csrw sscratch, a1
    CHECK_CSR sscratch, 0x1122334455667788, "sscratch write/read"
    li a1, 0x80004000
    csrw sepc, a1
    CHECK_CSR sepc, 0x80004000, "sepc write/read"
    li a1, 13
    csrw scause, a1
    CHECK_CSR scause, 13, "scause write/read"
    li a1, 0x1234
    csrw stval, a1
    CHECK_CSR stval, 0x1234, "stval write/read"

    /* ---------------- mtvec / stvec ---------------- */
    csrr s1, mtvec
    li a1, 0x80000100
    csrw mtvec, a1
    CHECK_CSR mtvec, 0x80000100, "mtvec direct"
    li a1, 0x80000101
    csrw mtvec, a1
    CHECK_CSR mtvec, 0x80000101, "mtvec vectored"
    li a1, 0x80000202
    csrw mtvec, a1
    CHECK_CSR mtvec, 0x80000101, "mtvec mode 2 write ignored (QEMU)"
    li a1, 0x80000203
    csrw mtvec, a1
    CHECK_CSR mtvec, 0x80000101, "mtvec mode 3 write ignored (QEMU)"
    csrw mtvec, s1
    li a1, 0x80000401
    csrw stvec, a1
    CHECK_CSR stvec, 0x80000401, "stvec vectored"
    li a1, 0x80000803
    csrw stvec, a1
    CHECK_CSR stvec, 0x80000401, "stvec mode 3 write ignored (QEMU)"

    /* vectored mtvec: exceptions go to base, interrupt n to base + 4n */
    la a1, vec_table
    ori a1, a1, 1
    csrw mtvec, a1
    sd zero, vec_hit, t0
    TRY ecall
    CHECK_CAUSE CAUSE_ECALL_M, "vectored: ecall to base"
    ld a0, vec_hit
    CHECK a0, 0, "vectored: exception did not use a vector slot"
    /* supervisor software interrupt (not delegated) taken in M via slot 1 */
    csrwi mie, 1 << IRQ_SSI
    TRY_BEGIN
    csrsi mip, 1 << IRQ_SSI
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    TRY_END
    csrci mstatus, MSTATUS_MIE
    csrwi mip, 0
    CHECK_CAUSE INTR(IRQ_SSI), "vectored: SSI cause"
    ld a0, vec_hit
    CHECK a0, 1, "vectored: SSI went to slot 1"
    csrw mie, zero
    csrw mtvec, s1

    /* ---------------- mie / mip / mideleg / sie / sip ---------------- */
    li t0, 0xaaa
    csrw mie, t0
    csrr a0, mie
    and a0, a0, t0
    CHECK a0, 0xaaa, "mie standard bits writable"
    csrw mie, zero
    CHECK_CSR mie, 0, "mie cleared"
    li t0, 0x222
    csrw mip, t0
    csrr a0, mip
    and a0, a0, t0
    CHECK a0, 0x222, "mip SSIP/STIP/SEIP writable from M"
    csrw mip, zero
    li t0, 0x808                            /* MSIP, MEIP: read-only in mip */
    csrw mip, t0
    csrr a0, mip
    and a0, a0, t0
    CHECK a0, 0, "mip MSIP/MEIP not writable"
    csrw mip, zero
    /* mideleg: only the standard bits are checked (QEMU 7.2 has the H
     * extension, whose VS/SGEI bits read as 1) */
    li t0, 0x888
    csrw mideleg, t0
    csrr a0, mideleg
    li t1, 0xaaa
    and a0, a0, t1
    CHECK a0, 0, "mideleg: M interrupts not delegable"
    li t0, 0x222
    csrw mideleg, t0
    csrr a0, mideleg
    and a0, a0, t1
    CHECK a0, 0x222, "mideleg: S interrupts delegable"
    li t0, -1
    csrw sie, t0
    CHECK_CSR sie, 0x222, "sie limited to delegated bits"
    csrr a0, mie
    li t0, 0x888
    and a0, a0, t0
    CHECK a0, 0, "sie write leaves M bits"
    csrw sie, zero
    li t0, -1
    csrw sip, t0
    CHECK_CSR sip, 2, "sip: only SSIP writable"
    csrr a0, mip
    andi a0, a0, 2
    CHECK a0, 2, "sip.SSIP shows in mip"
    csrw sip, zero
    csrw mideleg, zero
    csrwi mie, 1 << IRQ_SSI
    CHECK_CSR sie, 0, "sie hides non-delegated bits"
    csrw mie, zero
    li t0, 0xb3ff
    csrw medeleg, t0
    csrr a0, medeleg
    and a0, a0, t0
    CHECK a0, 0xb3ff, "medeleg standard exceptions delegable"
    csrw medeleg, zero

    /* ---------------- counters ---------------- */
    csrr a0, cycle
    csrr a1, cycle
    sltu a2, a0, a1
    CHECK a2, 1, "cycle increases"
    csrr a0, instret
    nop
    csrr a1, instret
    sltu a2, a0, a1
    CHECK a2, 1, "instret increases"
    csrr a0, mcycle
    csrr a1, cycle
    sub a0, a1, a0
    srli a0, a0, 32
    CHECK a0, 0, "mcycle ~ cycle"
    csrr a0, minstret
    csrr a1, instret
    sub a0, a1, a0
    srli a0, a0, 32
    CHECK a0, 0, "minstret ~ instret"
    li a1, 0x1000000000
    csrw mcycle, a1
    csrr a0, mcycle
    sub a0, a0, a1
    srli a0, a0, 32
    CHECK a0, 0, "mcycle writable"
    li a1, 0x2000000000
    csrw minstret, a1
    csrr a0, minstret
    sub a0, a0, a1
    srli a0, a0, 32
    CHECK a0, 0, "minstret writable"
    /* time CSR follows CLINT mtime */
    li a2, CLINT_MTIME
    csrr a0, time
    ld a1, 0(a2)
    csrr a3, time
    sltu a4, a1, a0
    CHECK a4, 0, "time <= mtime read after"
    sltu a4, a3, a1
    CHECK a4, 0, "mtime <= time read after"
    csrr a0, time
    li a5, 1000000
1:  csrr a1, time
    bne a1, a0, 2f
    addi a5, a5, -1
    bnez a5, 1b
2:  sltu a4, a0, a1
    CHECK a4, 1, "time advances"

    /* counter enables: mcounteren gates S and U, scounteren gates U */
    li t0, 7
    csrw mcounteren, t0
    csrw scounteren, t0
    csrr a0, mcounteren
    andi a0, a0, 7
    CHECK a0, 7, "mcounteren CY/TM/IR writable"
    csrr a0, scounteren
    andi a0, a0, 7
    CHECK a0, 7, "scounteren CY/TM/IR writable"
    TRY_MODE PRV_U, u_read_counters
    CHECK_CAUSE CAUSE_ECALL_U, "U reads cycle/time/instret when enabled"
    csrw scounteren, zero
    TRY_MODE PRV_S, u_read_counters
    CHECK_CAUSE CAUSE_ECALL_S, "S reads counters with scounteren = 0"
    TRY_MODE PRV_U, u_read_cycle
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "U cycle with scounteren.CY = 0: illegal"
    li t0, 2
    csrw scounteren, t0
    TRY_MODE PRV_U, u_read_time
    CHECK_CAUSE CAUSE_ECALL_U, "U time with scounteren.TM = 1"
    TRY_MODE PRV_U, u_read_instret
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "U instret with scounteren.IR = 0: illegal"
    csrw mcounteren, zero
    TRY_MODE PRV_S, u_read_cycle
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S cycle with mcounteren.CY = 0: illegal"
    TRY_MODE PRV_S, u_read_time
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S time with mcounteren.TM = 0: illegal"
    TRY_MODE PRV_U, u_read_time
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "U time with mcounteren.TM = 0: illegal"
    TRY_CSR_OK csrr a0, cycle               /* M is never gated */
    csrw scounteren, zero

    /* ---------------- privilege of CSR numbers ---------------- */
    TRY_MODE PRV_S, s_read_mscratch
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "S reads mscratch: illegal"
    CHECK_TVAL 0x34002573, "S reads mscratch: mtval = insn"
    TRY_MODE PRV_S, s_read_sscratch
    CHECK_CAUSE CAUSE_ECALL_S, "S reads sscratch"
    TRY_MODE PRV_U, s_read_sscratch
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "U reads sscratch: illegal"
    TRY_MODE PRV_U, u_read_fcsr
    CHECK_CAUSE CAUSE_ECALL_U, "U reads fcsr"

    /* ---------------- unimplemented CSRs ---------------- */
    TRY_CSR_ILL csrr a0, 0x7ff              /* custom, none implemented */
    TRY_CSR_ILL csrr a0, 0x5c0              /* custom S range */
    TRY_CSR_ILL csrr a0, 0x3a1              /* pmpcfg1 does not exist on RV64 */
    TRY_CSR_ILL csrr a0, 0x3a3              /* pmpcfg3 likewise */
    TRY_CSR_ILL csrr a0, 0x3c0              /* pmpaddr16: QEMU 7.2 has 16 entries */
    TRY_CSR_ILL csrr a0, 0x7b0              /* dcsr: debug mode only */
    TRY_CSR_ILL csrw 0x7ff, a0
    TRY_CSR_OK csrr a0, pmpaddr15
    TRY_CSR_OK csrr a0, pmpcfg2

    /* ---------------- read-only CSRs ---------------- */
    TRY_CSR_ILL csrw mhartid, zero
    TRY_CSR_ILL csrw mvendorid, a0
    TRY_CSR_ILL csrrwi zero, mimpid, 0
    TRY_CSR_ILL csrw cycle, zero
    TRY_CSR_ILL csrw time, zero
    TRY_CSR_ILL csrw instret, zero
    TRY_CSR_ILL csrsi cycle, 1
    li a1, 1
    TRY_CSR_ILL csrs mhartid, a1
    TRY_CSR_OK csrrs a0, mhartid, zero     /* rs1 = x0: no write */
    TRY_CSR_OK csrrsi a0, cycle, 0          /* uimm = 0: no write */
    TRY_CSR_OK csrrci a0, time, 0
    li a1, 0
    /* QEMU 7.2: a zero-valued register is no write either (spec: traps) */
    TRY_CSR_OK csrrs a0, cycle, a1

    /* ---------------- satp ---------------- */
    li a1, (8 << 60) | (0xffff << 44) | 0x12345
    csrw satp, a1
    CHECK_CSR satp, (8 << 60) | (0xffff << 44) | 0x12345, "satp Sv39 + 16-bit ASID"
    li a1, (9 << 60) | 0x54321
    csrw satp, a1
    CHECK_CSR satp, (9 << 60) | 0x54321, "satp Sv48"
    li a1, (1 << 60) | 0x11111
    csrw satp, a1
    CHECK_CSR satp, (9 << 60) | 0x54321, "satp reserved mode: write ignored"
    csrw satp, zero
    CHECK_CSR satp, 0, "satp Bare"

    /* ---------------- fcsr ---------------- */
    li a1, -1
    csrw fcsr, a1
    CHECK_CSR fcsr, 0xff, "fcsr keeps 8 bits"
    CHECK_CSR frm, 7, "frm = fcsr[7:5]"
    CHECK_CSR fflags, 0x1f, "fflags = fcsr[4:0]"
    csrwi frm, 2
    CHECK_CSR fcsr, 0x5f, "frm write updates fcsr"
    csrwi fflags, 0x3
    CHECK_CSR fcsr, 0x43, "fflags write updates fcsr"
    csrrwi a0, fflags, 0
    CHECK a0, 3, "csrrwi fflags old value"
    csrw fcsr, zero
TEST_END

/* ---------------- lower-privilege snippets ---------------- */
    .text
    .align 2
u_read_counters:
    csrr a0, cycle
    csrr a0, time
    csrr a0, instret
    ecall
u_read_cycle:
    csrr a0, cycle
    ecall
u_read_time:
    csrr a0, time
    ecall
u_read_instret:
    csrr a0, instret
    ecall
s_read_mscratch:
    csrr a0, mscratch
    ecall
s_read_sscratch:
    csrr a0, sscratch
    ecall
u_read_fcsr:
    csrr a0, fcsr
    ecall

/* vector table: slot n records n and enters the common handler */
    .align 8
vec_table:
    j __trap_entry
    j vec1
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
    j vec_other
vec1:
    sd t0, T_SAVE+16(gp)
    li t0, 1
    j vec_record
vec_other:
    sd t0, T_SAVE+16(gp)
    li t0, 99
vec_record:
    sd t1, T_SAVE+24(gp)
    la t1, vec_hit
    sd t0, 0(t1)
    ld t0, T_SAVE+16(gp)
    ld t1, T_SAVE+24(gp)
    j __trap_entry

    .data
    .align 3
vec_hit: .dword 0
