/*
 * fp.h - macros shared by fp_single.S and fp_double.S.  The including file
 * defines FMV_IN (fmv.w.x or fmv.d.x) first.
 */
/* All FP operands are given as raw bit patterns and moved in with FMV_IN;
 * results are compared as 64-bit register contents (CHECKF), so single
 * results must be NaN-boxed (upper 32 bits all ones).  Every arithmetic
 * check is followed by a check of the accrued flags (read and cleared):
 * NV=16 DZ=8 OF=4 UF=2 NX=1. */

/* FOP2 op, rm, a, b, result, flags, desc */
.macro FOP2 op, rm, a, b, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    li a2, \b
    FMV_IN fa2, a2
    \op fa0, fa1, fa2, \rm
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
/* FOP2N: same without a rounding mode (fmin/fmax/fsgnj*) */
.macro FOP2N op, a, b, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    li a2, \b
    FMV_IN fa2, a2
    \op fa0, fa1, fa2
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
.macro FOP1 op, rm, a, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    \op fa0, fa1, \rm
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
.macro FOP3 op, rm, a, b, c, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    li a2, \b
    FMV_IN fa2, a2
    li a3, \c
    FMV_IN fa3, a3
    \op fa0, fa1, fa2, fa3, \rm
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
/* float -> integer register */
.macro FCVTI op, rm, a, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    \op a0, fa1, \rm
    CHECK a0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
/* integer register -> float */
.macro FCVTF op, rm, a, res, flags, desc
    li a1, \a
    \op fa0, a1, \rm
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
/* exact integer -> float (fcvt.d.w, fcvt.d.wu: no rounding mode) */
.macro FCVTFE op, a, res, flags, desc
    li a1, \a
    \op fa0, a1
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
.macro FCLASS op, a, res, desc
    li a1, \a
    FMV_IN fa1, a1
    \op a0, fa1
    CHECK a0, \res, "\desc"
.endm
.macro FCMP op, a, b, res, flags, desc
    li a1, \a
    FMV_IN fa1, a1
    li a2, \b
    FMV_IN fa2, a2
    \op a0, fa1, fa2
    CHECK a0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm
