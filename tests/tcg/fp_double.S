/*
 * fp_double.S - RV64D.  Same coverage as fp_single.S for double precision
 * (all rounding modes static and dynamic, fflags, ties, overflow, underflow,
 * special values, canonical NaN, fsqrt, fmadd family, fmin/fmax with
 * -0/+0/qNaN/sNaN, conversions with saturation/NV, fclass, compares, sign
 * injection), plus fcvt.s.d rounding/overflow/underflow, fmv.x.d/fmv.d.x,
 * fld/fsd and reserved rounding modes.
 *
 * The expected values in the tables were computed independently with exact
 * rational arithmetic (tools/fp_tables.py) and then checked on QEMU.
 */
#include "test.h"
#define FMV_IN fmv.d.x
#include "fp.h"

/* FCVTSD rm, double_bits, single_result (boxed), flags, desc */
.macro FCVTSD rm, a, res, flags, desc
    li a1, \a
    fmv.d.x fa1, a1
    fcvt.s.d fa0, fa1, \rm
    CHECKF fa0, \res, "\desc"
    CHECK_FLAGS \flags, "\desc: flags"
.endm

TEST_BEGIN
    csrw fcsr, zero
    /* ---- exact arithmetic, no flags ---- */
    FOP2 fadd.d, rne, 0x3ff0000000000000, 0x4000000000000000, 0x4008000000000000, 0, "fadd.d rne 1+2"
    FOP2 fsub.d, rne, 0x3ff0000000000000, 0x3fd0000000000000, 0x3fe8000000000000, 0, "fsub.d rne 1-0.25"
    FOP2 fmul.d, rne, 0xc008000000000000, 0x3fe0000000000000, 0xbff8000000000000, 0, "fmul.d rne -3*0.5"
    FOP2 fdiv.d, rne, 0xc022000000000000, 0x4008000000000000, 0xc008000000000000, 0, "fdiv.d rne -9/3"
    /* ---- 1/3 and -1/3 in every rounding mode (NX) ---- */
    FOP2 fdiv.d, rne, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d rne 1/3"
    FOP2 fdiv.d, rtz, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d rtz 1/3"
    FOP2 fdiv.d, rdn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d rdn 1/3"
    FOP2 fdiv.d, rup, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555556, 1, "fdiv.d rup 1/3"
    FOP2 fdiv.d, rmm, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d rmm 1/3"
    FOP2 fdiv.d, rne, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, 1, "fdiv.d rne -1/3"
    FOP2 fdiv.d, rtz, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, 1, "fdiv.d rtz -1/3"
    FOP2 fdiv.d, rdn, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555556, 1, "fdiv.d rdn -1/3"
    FOP2 fdiv.d, rup, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, 1, "fdiv.d rup -1/3"
    FOP2 fdiv.d, rmm, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, 1, "fdiv.d rmm -1/3"
    /* ---- exact ties: 1 + ulp/2 and -(1 + ulp/2) ---- */
    FOP2 fadd.d, rne, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1, "fadd.d rne 1+ulp/2"
    FOP2 fadd.d, rtz, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1, "fadd.d rtz 1+ulp/2"
    FOP2 fadd.d, rdn, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1, "fadd.d rdn 1+ulp/2"
    FOP2 fadd.d, rup, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, 1, "fadd.d rup 1+ulp/2"
    FOP2 fadd.d, rmm, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, 1, "fadd.d rmm 1+ulp/2"
    FOP2 fadd.d, rne, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, 1, "fadd.d rne -1-ulp/2"
    FOP2 fadd.d, rtz, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, 1, "fadd.d rtz -1-ulp/2"
    FOP2 fadd.d, rdn, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, 1, "fadd.d rdn -1-ulp/2"
    FOP2 fadd.d, rup, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, 1, "fadd.d rup -1-ulp/2"
    FOP2 fadd.d, rmm, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, 1, "fadd.d rmm -1-ulp/2"
    FOP2 fadd.d, rne, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000002, 1, "fadd.d rne 1+ulp+ulp/2 (tie to even up)"
    FOP2 fadd.d, rmm, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000002, 1, "fadd.d rmm 1+ulp+ulp/2 (tie to even up)"
    /* ---- overflow ---- */
    FOP2 fmul.d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5, "fmul.d rne max*2"
    FOP2 fmul.d, rtz, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, 5, "fmul.d rtz max*2"
    FOP2 fmul.d, rdn, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, 5, "fmul.d rdn max*2"
    FOP2 fmul.d, rup, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5, "fmul.d rup max*2"
    FOP2 fmul.d, rmm, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5, "fmul.d rmm max*2"
    FOP2 fmul.d, rne, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, 5, "fmul.d rne -max*2"
    FOP2 fmul.d, rtz, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 5, "fmul.d rtz -max*2"
    FOP2 fmul.d, rdn, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, 5, "fmul.d rdn -max*2"
    FOP2 fmul.d, rup, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 5, "fmul.d rup -max*2"
    FOP2 fadd.d, rne, 0x7fefffffffffffff, 0x7c90000000000000, 0x7ff0000000000000, 5, "fadd.d rne max+ulp/2 ties to even -> inf"
    FOP2 fadd.d, rtz, 0x7fefffffffffffff, 0x7c90000000000000, 0x7fefffffffffffff, 1, "fadd.d rtz max+ulp/2 rtz"
    /* ---- special values ---- */
    FOP2 fdiv.d, rne, 0x3ff0000000000000, 0x0, 0x7ff0000000000000, 8, "fdiv.d rne 1/+0"
    FOP2 fdiv.d, rne, 0x3ff0000000000000, 0x8000000000000000, 0xfff0000000000000, 8, "fdiv.d rne 1/-0"
    FOP2 fdiv.d, rne, 0x0, 0x0, 0x7ff8000000000000, 16, "fdiv.d rne 0/0"
    FOP2 fdiv.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 16, "fdiv.d rne inf/inf"
    FOP2 fdiv.d, rne, 0x4014000000000000, 0x7ff0000000000000, 0x0, 0, "fdiv.d rne 5/inf"
    FOP2 fsub.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 16, "fsub.d rne inf-inf"
    FOP2 fadd.d, rne, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 16, "fadd.d rne inf+-inf"
    FOP2 fmul.d, rne, 0x0, 0x7ff0000000000000, 0x7ff8000000000000, 16, "fmul.d rne 0*inf"
    FOP2 fmul.d, rne, 0x8000000000000000, 0x4008000000000000, 0x8000000000000000, 0, "fmul.d rne -0*3"
    FOP2 fadd.d, rne, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0, "fadd.d rne -0+-0"
    FOP2 fadd.d, rne, 0x8000000000000000, 0x0, 0x0, 0, "fadd.d rne -0+0"
    FOP2 fsub.d, rne, 0x4008000000000000, 0x4008000000000000, 0x0, 0, "fsub.d rne 3-3"
    FOP2 fsub.d, rdn, 0x4008000000000000, 0x4008000000000000, 0x8000000000000000, 0, "fsub.d rdn 3-3 is -0 in rdn"
    FOP2 fadd.d, rne, 0x7ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000000, 0, "fadd.d rne inf+1"
    /* ---- NaN inputs give the canonical NaN; sNaN raises NV ---- */
    FOP2 fadd.d, rne, 0x7ff8000000000000, 0x3ff0000000000000, 0x7ff8000000000000, 0, "fadd.d rne qnan+1"
    FOP2 fadd.d, rne, 0xfff8000000012345, 0x3ff0000000000000, 0x7ff8000000000000, 0, "fadd.d rne -qnan(payload)+1"
    FOP2 fmul.d, rne, 0x3ff0000000000000, 0x7ff0000000000001, 0x7ff8000000000000, 16, "fmul.d rne 1*snan"
    FOP2 fsub.d, rne, 0x7ff0000000054321, 0x7ff8000000000000, 0x7ff8000000000000, 16, "fsub.d rne snan-qnan"
    FOP2 fdiv.d, rne, 0x7ff8000000000000, 0x0, 0x7ff8000000000000, 0, "fdiv.d rne qnan/0 (no DZ)"
    /* ---- subnormals and underflow (tininess after rounding) ---- */
    FOP2 fmul.d, rne, 0x10000000000000, 0x3fe0000000000000, 0x8000000000000, 0, "fmul.d rne minnormal/2 exact"
    FOP2 fmul.d, rne, 0x1, 0x3fe0000000000000, 0x0, 3, "fmul.d rne minsub/2 -> 0"
    FOP2 fmul.d, rup, 0x1, 0x3fe0000000000000, 0x1, 3, "fmul.d rup minsub/2 rup"
    FOP2 fmul.d, rdn, 0x8000000000000001, 0x3fe0000000000000, 0x8000000000000001, 3, "fmul.d rdn -minsub/2 rdn"
    FOP2 fmul.d, rne, 0x10000000000000, 0x3fe8000000000000, 0xc000000000000, 0, "fmul.d rne minnormal*0.75 exact subnormal"
    FOP2 fmul.d, rne, 0x10000000000000, 0x3fefffffffffffff, 0x10000000000000, 3, "fmul.d rne minnormal*(1-ulp/2): UF, rounds to minnormal"
    FOP2 fsub.d, rne, 0x10000000000000, 0x1, 0xfffffffffffff, 0, "fsub.d rne minnormal-minsub exact"
    /* ---- fsqrt ---- */
    FOP1 fsqrt.d, rne, 0x4010000000000000, 0x4000000000000000, 0, "fsqrt.d rne 4"
    FOP1 fsqrt.d, rne, 0x4002000000000000, 0x3ff8000000000000, 0, "fsqrt.d rne 2.25"
    FOP1 fsqrt.d, rne, 0x4000000000000000, 0x3ff6a09e667f3bcd, 1, "fsqrt.d rne 2"
    FOP1 fsqrt.d, rtz, 0x4000000000000000, 0x3ff6a09e667f3bcc, 1, "fsqrt.d rtz 2"
    FOP1 fsqrt.d, rdn, 0x4000000000000000, 0x3ff6a09e667f3bcc, 1, "fsqrt.d rdn 2"
    FOP1 fsqrt.d, rup, 0x4000000000000000, 0x3ff6a09e667f3bcd, 1, "fsqrt.d rup 2"
    FOP1 fsqrt.d, rmm, 0x4000000000000000, 0x3ff6a09e667f3bcd, 1, "fsqrt.d rmm 2"
    FOP1 fsqrt.d, rne, 0xbff0000000000000, 0x7ff8000000000000, 16, "fsqrt.d rne -1"
    FOP1 fsqrt.d, rne, 0x8000000000000000, 0x8000000000000000, 0, "fsqrt.d rne -0"
    FOP1 fsqrt.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0, "fsqrt.d rne inf"
    FOP1 fsqrt.d, rne, 0xfff0000000000000, 0x7ff8000000000000, 16, "fsqrt.d rne -inf"
    FOP1 fsqrt.d, rne, 0x7ff0000000000001, 0x7ff8000000000000, 16, "fsqrt.d rne snan"
    FOP1 fsqrt.d, rne, 0x1, 0x1e60000000000000, 0, "fsqrt.d rne minsub"
    /* ---- fused multiply-add: single rounding ---- */
    FOP3 fmadd.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x401c000000000000, 0, "fmadd.d rne 2*3+1"
    FOP3 fmsub.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x4014000000000000, 0, "fmsub.d rne 2*3-1"
    FOP3 fnmadd.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc01c000000000000, 0, "fnmadd.d rne -(2*3)-1"
    FOP3 fnmsub.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc014000000000000, 0, "fnmsub.d rne -(2*3)+1"
    FOP3 fmadd.d, rne, 0x3ff0000000000001, 0x3feffffffffffffe, 0xbff0000000000000, 0xb970000000000000, 0, "fmadd.d rne (1+u)(1-u)-1 = -u^2 exactly"
    FOP3 fnmsub.d, rne, 0x3ff0000000000001, 0x3feffffffffffffe, 0x3ff0000000000000, 0x3970000000000000, 0, "fnmsub.d rne -(1+u)(1-u)+1 = u^2"
    FOP3 fmadd.d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0x0, 0x3ff0000000000002, 1, "fmadd.d rne (1+u)^2"
    FOP3 fmadd.d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0x0, 0x3ff0000000000002, 1, "fmadd.d rtz (1+u)^2"
    FOP3 fmadd.d, rdn, 0x3ff0000000000001, 0x3ff0000000000001, 0x0, 0x3ff0000000000002, 1, "fmadd.d rdn (1+u)^2"
    FOP3 fmadd.d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0x0, 0x3ff0000000000003, 1, "fmadd.d rup (1+u)^2"
    FOP3 fmadd.d, rmm, 0x3ff0000000000001, 0x3ff0000000000001, 0x0, 0x3ff0000000000002, 1, "fmadd.d rmm (1+u)^2"
    FOP3 fnmadd.d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0x8000000000000000, 0xbff0000000000002, 1, "fnmadd.d rne -(1+u)^2"
    FOP3 fnmadd.d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0x8000000000000000, 0xbff0000000000002, 1, "fnmadd.d rtz -(1+u)^2"
    FOP3 fnmadd.d, rdn, 0x3ff0000000000001, 0x3ff0000000000001, 0x8000000000000000, 0xbff0000000000003, 1, "fnmadd.d rdn -(1+u)^2"
    FOP3 fnmadd.d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0x8000000000000000, 0xbff0000000000002, 1, "fnmadd.d rup -(1+u)^2"
    FOP3 fnmadd.d, rmm, 0x3ff0000000000001, 0x3ff0000000000001, 0x8000000000000000, 0xbff0000000000002, 1, "fnmadd.d rmm -(1+u)^2"
    FOP3 fmadd.d, rne, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, 0x7ff8000000000000, 16, "fmadd.d rne inf*0+qnan: NV"
    FOP3 fmadd.d, rne, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 16, "fmadd.d rne inf*1-inf: NV"
    FOP3 fmadd.d, rne, 0x7ff8000000000000, 0x3ff0000000000000, 0x4000000000000000, 0x7ff8000000000000, 0, "fmadd.d rne qnan*1+2"
    FOP3 fmadd.d, rne, 0x3ff0000000000000, 0x4000000000000000, 0x7ff0000000000001, 0x7ff8000000000000, 16, "fmadd.d rne 1*2+snan"
    FOP3 fmadd.d, rne, 0x4000000000000000, 0x8000000000000000, 0x0, 0x0, 0, "fmadd.d rne 2*-0+0"
    FOP3 fmadd.d, rne, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0, "fmadd.d rne 2*-0+-0"
    FOP3 fmsub.d, rdn, 0x4000000000000000, 0x4008000000000000, 0x4018000000000000, 0x8000000000000000, 0, "fmsub.d rdn 2*3-6 rdn"
    FOP3 fmadd.d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 0x7fefffffffffffff, 0, "fmadd.d rne max*2-max no overflow"
    /* ---- fmin / fmax ---- */
    FOP2N fmin.d, 0x8000000000000000, 0x0, 0x8000000000000000, 0, "fmin.d -0,+0"
    FOP2N fmin.d, 0x0, 0x8000000000000000, 0x8000000000000000, 0, "fmin.d +0,-0"
    FOP2N fmax.d, 0x8000000000000000, 0x0, 0x0, 0, "fmax.d -0,+0"
    FOP2N fmax.d, 0x0, 0x8000000000000000, 0x0, 0, "fmax.d +0,-0"
    FOP2N fmin.d, 0x4008000000000000, 0xc008000000000000, 0xc008000000000000, 0, "fmin.d 3,-3"
    FOP2N fmax.d, 0x4008000000000000, 0xc008000000000000, 0x4008000000000000, 0, "fmax.d 3,-3"
    FOP2N fmin.d, 0xfff0000000000000, 0x4014000000000000, 0xfff0000000000000, 0, "fmin.d -inf,5"
    FOP2N fmax.d, 0x7ff8000000000000, 0x4014000000000000, 0x4014000000000000, 0, "fmax.d qnan,5"
    FOP2N fmin.d, 0x4014000000000000, 0x7ff8000000000000, 0x4014000000000000, 0, "fmin.d 5,qnan"
    FOP2N fmin.d, 0x7ff8000000000000, 0xfff8000000012345, 0x7ff8000000000000, 0, "fmin.d qnan,qnan"
    FOP2N fmax.d, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, 16, "fmax.d snan,1"
    FOP2N fmin.d, 0x3ff0000000000000, 0x7ff0000000000001, 0x3ff0000000000000, 16, "fmin.d 1,snan"
    FOP2N fmax.d, 0x7ff0000000000001, 0x7ff8000000000000, 0x7ff8000000000000, 16, "fmax.d snan,qnan"
    /* ---- float -> integer: rounding, NX, saturation with NV ---- */
    FCVTI fcvt.w.d, rne, 0x4004000000000000, 0x2, 1, "fcvt.w.d rne 2.5"
    FCVTI fcvt.w.d, rtz, 0x4004000000000000, 0x2, 1, "fcvt.w.d rtz 2.5"
    FCVTI fcvt.w.d, rdn, 0x4004000000000000, 0x2, 1, "fcvt.w.d rdn 2.5"
    FCVTI fcvt.w.d, rup, 0x4004000000000000, 0x3, 1, "fcvt.w.d rup 2.5"
    FCVTI fcvt.w.d, rmm, 0x4004000000000000, 0x3, 1, "fcvt.w.d rmm 2.5"
    FCVTI fcvt.w.d, rne, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d rne -2.5"
    FCVTI fcvt.w.d, rtz, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d rtz -2.5"
    FCVTI fcvt.w.d, rdn, 0xc004000000000000, 0xfffffffffffffffd, 1, "fcvt.w.d rdn -2.5"
    FCVTI fcvt.w.d, rup, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d rup -2.5"
    FCVTI fcvt.w.d, rmm, 0xc004000000000000, 0xfffffffffffffffd, 1, "fcvt.w.d rmm -2.5"
    FCVTI fcvt.l.d, rne, 0xbffc000000000000, 0xfffffffffffffffe, 1, "fcvt.l.d rne -1.75"
    FCVTI fcvt.l.d, rtz, 0xbffc000000000000, 0xffffffffffffffff, 1, "fcvt.l.d rtz -1.75"
    FCVTI fcvt.l.d, rdn, 0xbffc000000000000, 0xfffffffffffffffe, 1, "fcvt.l.d rdn -1.75"
    FCVTI fcvt.l.d, rup, 0xbffc000000000000, 0xffffffffffffffff, 1, "fcvt.l.d rup -1.75"
    FCVTI fcvt.l.d, rmm, 0xbffc000000000000, 0xfffffffffffffffe, 1, "fcvt.l.d rmm -1.75"
    FCVTI fcvt.w.d, rtz, 0x3ff8000000000000, 0x1, 1, "fcvt.w.d rtz 1.5"
    FCVTI fcvt.w.d, rne, 0x3fe0000000000000, 0x0, 1, "fcvt.w.d rne 0.5"
    FCVTI fcvt.w.d, rmm, 0xbfe0000000000000, 0xffffffffffffffff, 1, "fcvt.w.d rmm -0.5"
    FCVTI fcvt.w.d, rne, 0xc008000000000000, 0xfffffffffffffffd, 0, "fcvt.w.d rne -3 exact"
    FCVTI fcvt.w.d, rtz, 0x41e0000000000000, 0x7fffffff, 16, "fcvt.w.d rtz 2^31 saturates"
    FCVTI fcvt.w.d, rtz, 0xc1e0000000000000, 0xffffffff80000000, 0, "fcvt.w.d rtz -2^31 exact"
    FCVTI fcvt.w.d, rtz, 0xc1f0000000000000, 0xffffffff80000000, 16, "fcvt.w.d rtz -2^32 saturates"
    FCVTI fcvt.w.d, rne, 0x7ff8000000000000, 0x7fffffff, 16, "fcvt.w.d rne qnan"
    FCVTI fcvt.w.d, rne, 0xfff8000000012345, 0x7fffffff, 16, "fcvt.w.d rne -qnan"
    FCVTI fcvt.w.d, rne, 0x7ff0000000000000, 0x7fffffff, 16, "fcvt.w.d rne inf"
    FCVTI fcvt.w.d, rne, 0xfff0000000000000, 0xffffffff80000000, 16, "fcvt.w.d rne -inf"
    FCVTI fcvt.wu.d, rtz, 0x41e65a0bc0000000, 0xffffffffb2d05e00, 0, "fcvt.wu.d rtz 3e9 sign-extended"
    FCVTI fcvt.wu.d, rtz, 0xbff0000000000000, 0x0, 16, "fcvt.wu.d rtz -1 saturates to 0"
    FCVTI fcvt.wu.d, rtz, 0xbfe0000000000000, 0x0, 1, "fcvt.wu.d rtz -0.5 rounds to 0, NX only"
    FCVTI fcvt.wu.d, rdn, 0xbfe0000000000000, 0x0, 16, "fcvt.wu.d rdn -0.5 rdn is -1: NV"
    FCVTI fcvt.wu.d, rne, 0x41f0000000000000, 0xffffffffffffffff, 16, "fcvt.wu.d rne 2^32 saturates"
    FCVTI fcvt.wu.d, rne, 0x7ff8000000000000, 0xffffffffffffffff, 16, "fcvt.wu.d rne qnan"
    FCVTI fcvt.wu.d, rne, 0xfff0000000000000, 0x0, 16, "fcvt.wu.d rne -inf"
    FCVTI fcvt.l.d, rtz, 0x43e0000000000000, 0x7fffffffffffffff, 16, "fcvt.l.d rtz 2^63 saturates"
    FCVTI fcvt.l.d, rtz, 0xc3e0000000000000, 0x8000000000000000, 0, "fcvt.l.d rtz -2^63 exact"
    FCVTI fcvt.l.d, rne, 0x7ff0000000000001, 0x7fffffffffffffff, 16, "fcvt.l.d rne snan"
    FCVTI fcvt.l.d, rne, 0xfff0000000000000, 0x8000000000000000, 16, "fcvt.l.d rne -inf"
    FCVTI fcvt.lu.d, rtz, 0x43e0000000000000, 0x8000000000000000, 0, "fcvt.lu.d rtz 2^63"
    FCVTI fcvt.lu.d, rtz, 0x43f0000000000000, 0xffffffffffffffff, 16, "fcvt.lu.d rtz 2^64 saturates"
    FCVTI fcvt.lu.d, rtz, 0xbff0000000000000, 0x0, 16, "fcvt.lu.d rtz -1 saturates"
    FCVTI fcvt.lu.d, rne, 0x7ff8000000000000, 0xffffffffffffffff, 16, "fcvt.lu.d rne qnan"
    FCVTI fcvt.lu.d, rup, 0x3fd0000000000000, 0x1, 1, "fcvt.lu.d rup 0.25 rup"
    /* ---- integer -> float ---- */
    FCVTFE fcvt.d.w, 0xfffffffffffffffb, 0xc014000000000000, 0, "fcvt.d.w -5"
    FCVTFE fcvt.d.wu, 0xffffffff, 0x41efffffffe00000, 0, "fcvt.d.wu 0xffffffff"
    FCVTFE fcvt.d.w, 0x7fffffff, 0x41dfffffffc00000, 0, "fcvt.d.w INT32_MAX"
    FCVTFE fcvt.d.w, 0x7fffffff, 0x41dfffffffc00000, 0, "fcvt.d.w INT32_MAX rtz"
    FCVTFE fcvt.d.w, 0xffffffff00000001, 0x3ff0000000000000, 0, "fcvt.d.w upper bits ignored"
    FCVTFE fcvt.d.wu, 0x1fffffffe, 0x41efffffffc00000, 0, "fcvt.d.wu upper bits ignored"
    FCVTF fcvt.d.l, rne, 0xbffffeffffffffff, 0xc3d0000040000000, 1, "fcvt.d.l rne -(2^62+2^40+1)"
    FCVTF fcvt.d.l, rtz, 0xbffffeffffffffff, 0xc3d0000040000000, 1, "fcvt.d.l rtz -(2^62+2^40+1)"
    FCVTF fcvt.d.l, rdn, 0xbffffeffffffffff, 0xc3d0000040000001, 1, "fcvt.d.l rdn -(2^62+2^40+1)"
    FCVTF fcvt.d.l, rup, 0xbffffeffffffffff, 0xc3d0000040000000, 1, "fcvt.d.l rup -(2^62+2^40+1)"
    FCVTF fcvt.d.l, rmm, 0xbffffeffffffffff, 0xc3d0000040000000, 1, "fcvt.d.l rmm -(2^62+2^40+1)"
    FCVTF fcvt.d.lu, rne, 0xffffffffffffffff, 0x43f0000000000000, 1, "fcvt.d.lu rne UINT64_MAX"
    FCVTF fcvt.d.lu, rtz, 0xffffffffffffffff, 0x43efffffffffffff, 1, "fcvt.d.lu rtz UINT64_MAX rtz"
    FCVTF fcvt.d.l, rne, 0x0, 0x0, 0, "fcvt.d.l rne 0"
    /* ---- fclass ---- */
    FCLASS fclass.d, 0xfff0000000000000, 1, "fclass.d -inf"
    FCLASS fclass.d, 0xbff0000000000000, 2, "fclass.d -1"
    FCLASS fclass.d, 0x8000000000000001, 4, "fclass.d -mins"
    FCLASS fclass.d, 0x8000000000000000, 8, "fclass.d -0"
    FCLASS fclass.d, 0x0, 16, "fclass.d 0"
    FCLASS fclass.d, 0x1, 32, "fclass.d mins"
    FCLASS fclass.d, 0x3ff0000000000000, 64, "fclass.d 1"
    FCLASS fclass.d, 0x7ff0000000000000, 128, "fclass.d inf"
    FCLASS fclass.d, 0x7ff0000000000001, 256, "fclass.d snan"
    FCLASS fclass.d, 0x7ff8000000000000, 512, "fclass.d qnan"
    FCLASS fclass.d, 0xfff8000000012345, 512, "fclass.d nanpay"
    /* ---- compares: feq is quiet, flt/fle signal on any NaN ---- */
    FCMP feq.d, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0, "feq.d 1,1"
    FCMP feq.d, 0x8000000000000000, 0x0, 1, 0, "feq.d -0,+0"
    FCMP feq.d, 0x3ff0000000000000, 0x4000000000000000, 0, 0, "feq.d 1,2"
    FCMP feq.d, 0x7ff8000000000000, 0x7ff8000000000000, 0, 0, "feq.d qnan,qnan"
    FCMP feq.d, 0x7ff0000000000001, 0x3ff0000000000000, 0, 16, "feq.d snan,1"
    FCMP flt.d, 0x3ff0000000000000, 0x4000000000000000, 1, 0, "flt.d 1,2"
    FCMP flt.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0, "flt.d 2,1"
    FCMP flt.d, 0x8000000000000000, 0x0, 0, 0, "flt.d -0,+0"
    FCMP flt.d, 0xfff0000000000000, 0xffefffffffffffff, 1, 0, "flt.d -inf,-max"
    FCMP flt.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 16, "flt.d qnan,1"
    FCMP fle.d, 0x8000000000000000, 0x0, 1, 0, "fle.d -0,+0"
    FCMP fle.d, 0x4000000000000000, 0x4000000000000000, 1, 0, "fle.d 2,2"
    FCMP fle.d, 0x4008000000000000, 0x4000000000000000, 0, 0, "fle.d 3,2"
    FCMP fle.d, 0x3ff0000000000000, 0x7ff8000000000000, 0, 16, "fle.d 1,qnan"
    /* ---- sign injection: bit operations, NaNs are not canonicalized ---- */
    FOP2N fsgnj.d, 0x3ff0000000000000, 0xc000000000000000, 0xbff0000000000000, 0, "fsgnj.d 1,-2"
    FOP2N fsgnj.d, 0xbff0000000000000, 0x4000000000000000, 0x3ff0000000000000, 0, "fsgnj.d -1,2"
    FOP2N fsgnjn.d, 0x3ff0000000000000, 0xc000000000000000, 0x3ff0000000000000, 0, "fsgnjn.d 1,-2 (neg)"
    FOP2N fsgnjn.d, 0xbff0000000000000, 0xc000000000000000, 0x3ff0000000000000, 0, "fsgnjn.d -1,-2"
    FOP2N fsgnjx.d, 0xbff0000000000000, 0xc000000000000000, 0x3ff0000000000000, 0, "fsgnjx.d -1,-2"
    FOP2N fsgnjx.d, 0xbff0000000000000, 0x4000000000000000, 0xbff0000000000000, 0, "fsgnjx.d -1,2 (abs)"
    FOP2N fsgnj.d, 0x7ff0000000054321, 0x8000000000000000, 0xfff0000000054321, 0, "fsgnj.d snan payload kept"
    FOP2N fsgnjx.d, 0xfff8000000012345, 0xbff0000000000000, 0x7ff8000000012345, 0, "fsgnjx.d nan payload kept"
    /* ---- dynamic rounding mode from frm ---- */
    csrwi frm, 0
    FOP2 fdiv.d, dyn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d dyn frm=rne 1/3"
    FCVTI fcvt.w.d, dyn, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d dyn frm=rne -2.5"
    csrwi frm, 1
    FOP2 fdiv.d, dyn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d dyn frm=rtz 1/3"
    FCVTI fcvt.w.d, dyn, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d dyn frm=rtz -2.5"
    csrwi frm, 2
    FOP2 fdiv.d, dyn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d dyn frm=rdn 1/3"
    FCVTI fcvt.w.d, dyn, 0xc004000000000000, 0xfffffffffffffffd, 1, "fcvt.w.d dyn frm=rdn -2.5"
    csrwi frm, 3
    FOP2 fdiv.d, dyn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555556, 1, "fdiv.d dyn frm=rup 1/3"
    FCVTI fcvt.w.d, dyn, 0xc004000000000000, 0xfffffffffffffffe, 1, "fcvt.w.d dyn frm=rup -2.5"
    csrwi frm, 4
    FOP2 fdiv.d, dyn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, 1, "fdiv.d dyn frm=rmm 1/3"
    FCVTI fcvt.w.d, dyn, 0xc004000000000000, 0xfffffffffffffffd, 1, "fcvt.w.d dyn frm=rmm -2.5"
    csrwi frm, 0
    /* ---- fcvt.s.d ---- */
    FCVTSD rne, 0x3fd5555555555555, 0xffffffff3eaaaaab, 1, "fcvt.s.d rne 1/3"
    FCVTSD rtz, 0x3fd5555555555555, 0xffffffff3eaaaaaa, 1, "fcvt.s.d rtz 1/3"
    FCVTSD rdn, 0x3fd5555555555555, 0xffffffff3eaaaaaa, 1, "fcvt.s.d rdn 1/3"
    FCVTSD rup, 0x3fd5555555555555, 0xffffffff3eaaaaab, 1, "fcvt.s.d rup 1/3"
    FCVTSD rmm, 0x3fd5555555555555, 0xffffffff3eaaaaab, 1, "fcvt.s.d rmm 1/3"
    FCVTSD rne, 0x7e37e43c8800759c, 0xffffffff7f800000, 5, "fcvt.s.d rne 1e300 overflow"
    FCVTSD rtz, 0x7e37e43c8800759c, 0xffffffff7f7fffff, 5, "fcvt.s.d rtz 1e300 overflow"
    FCVTSD rdn, 0x7e37e43c8800759c, 0xffffffff7f7fffff, 5, "fcvt.s.d rdn 1e300 overflow"
    FCVTSD rne, 0x3730000000000000, 0xffffffff00000200, 0, "fcvt.s.d rne 2^-140 exact subnormal"
    FCVTSD rne, 0x36a8000000000000, 0xffffffff00000002, 3, "fcvt.s.d rne 3*2^-150 underflow"
    FCVTSD rne, 0x7ff0000000000001, 0xffffffff7fc00000, 16, "fcvt.s.d sNaN -> canonical, NV"
    FCVTSD rne, 0xfff8000000012345, 0xffffffff7fc00000, 0, "fcvt.s.d -qNaN -> canonical"
    FCVTSD rne, 0xfff0000000000000, 0xffffffffff800000, 0, "fcvt.s.d -inf"
    FCVTSD rne, 0x8000000000000000, 0xffffffff80000000, 0, "fcvt.s.d -0"

    /* ---- moves, loads, stores: raw 64-bit patterns ---- */
    li a1, 0x7ff0000000000001                /* sNaN passes through moves */
    fmv.d.x fa1, a1
    fmv.x.d a0, fa1
    CHECK a0, 0x7ff0000000000001, "fmv.d.x/fmv.x.d keep sNaN bits"
    CHECK_FLAGS 0, "moves raise no flags"
    la a3, dbuf
    fsd fa1, 8(a3)
    ld a0, 8(a3)
    CHECK a0, 0x7ff0000000000001, "fsd raw bits"
    li a1, 0x400921fb54442d18
    sd a1, 0(a3)
    fld fa2, 0(a3)
    CHECKF fa2, 0x400921fb54442d18, "fld raw bits"
    fmv.d fa3, fa2
    CHECKF fa3, 0x400921fb54442d18, "fmv.d"
    fneg.d fa3, fa2
    CHECKF fa3, 0xc00921fb54442d18, "fneg.d"
    fabs.d fa3, fa3
    CHECKF fa3, 0x400921fb54442d18, "fabs.d"
    /* a double op ignores NaN boxing: a boxed single is just a NaN double */
    li a1, 0x3f800000
    fmv.w.x fa1, a1
    fclass.d a0, fa1
    CHECK a0, 1 << 9, "boxed single seen as double qNaN"

    /* ---- reserved rounding modes ---- */
    csrwi frm, 6
    TRY fmul.d fa0, fa1, fa2, dyn
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "dyn with frm=6: illegal"
    TRY fcvt.w.d a0, fa1, dyn
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "fcvt dyn with frm=6: illegal"
    csrwi frm, 4
    TRY fmul.d fa0, fa1, fa2, dyn
    CHECK_CAUSE CAUSE_NONE, "dyn with frm=4 (rmm): ok"
    csrwi frm, 0
    TRY .word (1 << 25) | (12 << 20) | (11 << 15) | (5 << 12) | (10 << 7) | 0x53
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "fadd.d static rm=5: illegal"
    CHECK_TVAL (1 << 25) | (12 << 20) | (11 << 15) | (5 << 12) | (10 << 7) | 0x53, "rm=5: mtval = insn"
    csrw fcsr, zero
TEST_END

    .data
    .align 3
dbuf: .space 16
