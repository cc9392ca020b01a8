/*
 * fp_single.S - RV64F.  Arithmetic in all rounding modes (static and dynamic
 * via frm) with exact fflags, ties, overflow, underflow (tininess after
 * rounding), special values, canonical NaN results, fsqrt, the fmadd family
 * (single rounding, inf*0+qNaN raises NV), fmin/fmax with -0/+0/qNaN/sNaN,
 * float<->integer conversions with saturation and NV, fclass, compares,
 * sign injection, NaN boxing, loads/stores, reserved rounding modes.
 *
 * The expected values in the tables were computed independently with exact
 * rational arithmetic (tools/fp_tables.py) and then checked on QEMU.
 */
#include "test.h"
#define FMV_IN fmv.w.x
#include "fp.h"

#define BOX(x) (0xffffffff00000000 | (x))
#define QNAN_S 0x7fc00000

TEST_BEGIN
    csrw fcsr, zero
    /* ---- exact arithmetic, no flags ---- */
    FOP2 fadd.s, rne, 0x3f800000, 0x40000000, 0xffffffff40400000, 0, "fadd.s rne 1+2"
    FOP2 fsub.s, rne, 0x3f800000, 0x3e800000, 0xffffffff3f400000, 0, "fsub.s rne 1-0.25"
    FOP2 fmul.s, rne, 0xc0400000, 0x3f000000, 0xffffffffbfc00000, 0, "fmul.s rne -3*0.5"
    FOP2 fdiv.s, rne, 0xc1100000, 0x40400000, 0xffffffffc0400000, 0, "fdiv.s rne -9/3"
    /* ---- 1/3 and -1/3 in every rounding mode (NX) ---- */
    FOP2 fdiv.s, rne, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s rne 1/3"
    FOP2 fdiv.s, rtz, 0x3f800000, 0x40400000, 0xffffffff3eaaaaaa, 1, "fdiv.s rtz 1/3"
    FOP2 fdiv.s, rdn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaaa, 1, "fdiv.s rdn 1/3"
    FOP2 fdiv.s, rup, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s rup 1/3"
    FOP2 fdiv.s, rmm, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s rmm 1/3"
    FOP2 fdiv.s, rne, 0xbf800000, 0x40400000, 0xffffffffbeaaaaab, 1, "fdiv.s rne -1/3"
    FOP2 fdiv.s, rtz, 0xbf800000, 0x40400000, 0xffffffffbeaaaaaa, 1, "fdiv.s rtz -1/3"
    FOP2 fdiv.s, rdn, 0xbf800000, 0x40400000, 0xffffffffbeaaaaab, 1, "fdiv.s rdn -1/3"
    FOP2 fdiv.s, rup, 0xbf800000, 0x40400000, 0xffffffffbeaaaaaa, 1, "fdiv.s rup -1/3"
    FOP2 fdiv.s, rmm, 0xbf800000, 0x40400000, 0xffffffffbeaaaaab, 1, "fdiv.s rmm -1/3"
    /* ---- exact ties: 1 + ulp/2 and -(1 + ulp/2) ---- */
    FOP2 fadd.s, rne, 0x3f800000, 0x33800000, 0xffffffff3f800000, 1, "fadd.s rne 1+ulp/2"
    FOP2 fadd.s, rtz, 0x3f800000, 0x33800000, 0xffffffff3f800000, 1, "fadd.s rtz 1+ulp/2"
    FOP2 fadd.s, rdn, 0x3f800000, 0x33800000, 0xffffffff3f800000, 1, "fadd.s rdn 1+ulp/2"
    FOP2 fadd.s, rup, 0x3f800000, 0x33800000, 0xffffffff3f800001, 1, "fadd.s rup 1+ulp/2"
    FOP2 fadd.s, rmm, 0x3f800000, 0x33800000, 0xffffffff3f800001, 1, "fadd.s rmm 1+ulp/2"
    FOP2 fadd.s, rne, 0xbf800000, 0xb3800000, 0xffffffffbf800000, 1, "fadd.s rne -1-ulp/2"
    FOP2 fadd.s, rtz, 0xbf800000, 0xb3800000, 0xffffffffbf800000, 1, "fadd.s rtz -1-ulp/2"
    FOP2 fadd.s, rdn, 0xbf800000, 0xb3800000, 0xffffffffbf800001, 1, "fadd.s rdn -1-ulp/2"
    FOP2 fadd.s, rup, 0xbf800000, 0xb3800000, 0xffffffffbf800000, 1, "fadd.s rup -1-ulp/2"
    FOP2 fadd.s, rmm, 0xbf800000, 0xb3800000, 0xffffffffbf800001, 1, "fadd.s rmm -1-ulp/2"
    FOP2 fadd.s, rne, 0x3f800001, 0x33800000, 0xffffffff3f800002, 1, "fadd.s rne 1+ulp+ulp/2 (tie to even up)"
    FOP2 fadd.s, rmm, 0x3f800001, 0x33800000, 0xffffffff3f800002, 1, "fadd.s rmm 1+ulp+ulp/2 (tie to even up)"
    /* ---- overflow ---- */
    FOP2 fmul.s, rne, 0x7f7fffff, 0x40000000, 0xffffffff7f800000, 5, "fmul.s rne max*2"
    FOP2 fmul.s, rtz, 0x7f7fffff, 0x40000000, 0xffffffff7f7fffff, 5, "fmul.s rtz max*2"
    FOP2 fmul.s, rdn, 0x7f7fffff, 0x40000000, 0xffffffff7f7fffff, 5, "fmul.s rdn max*2"
    FOP2 fmul.s, rup, 0x7f7fffff, 0x40000000, 0xffffffff7f800000, 5, "fmul.s rup max*2"
    FOP2 fmul.s, rmm, 0x7f7fffff, 0x40000000, 0xffffffff7f800000, 5, "fmul.s rmm max*2"
    FOP2 fmul.s, rne, 0xff7fffff, 0x40000000, 0xffffffffff800000, 5, "fmul.s rne -max*2"
    FOP2 fmul.s, rtz, 0xff7fffff, 0x40000000, 0xffffffffff7fffff, 5, "fmul.s rtz -max*2"
    FOP2 fmul.s, rdn, 0xff7fffff, 0x40000000, 0xffffffffff800000, 5, "fmul.s rdn -max*2"
    FOP2 fmul.s, rup, 0xff7fffff, 0x40000000, 0xffffffffff7fffff, 5, "fmul.s rup -max*2"
    FOP2 fadd.s, rne, 0x7f7fffff, 0x73000000, 0xffffffff7f800000, 5, "fadd.s rne max+ulp/2 ties to even -> inf"
    FOP2 fadd.s, rtz, 0x7f7fffff, 0x73000000, 0xffffffff7f7fffff, 1, "fadd.s rtz max+ulp/2 rtz"
    /* ---- special values ---- */
    FOP2 fdiv.s, rne, 0x3f800000, 0x0, 0xffffffff7f800000, 8, "fdiv.s rne 1/+0"
    FOP2 fdiv.s, rne, 0x3f800000, 0x80000000, 0xffffffffff800000, 8, "fdiv.s rne 1/-0"
    FOP2 fdiv.s, rne, 0x0, 0x0, 0xffffffff7fc00000, 16, "fdiv.s rne 0/0"
    FOP2 fdiv.s, rne, 0x7f800000, 0x7f800000, 0xffffffff7fc00000, 16, "fdiv.s rne inf/inf"
    FOP2 fdiv.s, rne, 0x40a00000, 0x7f800000, 0xffffffff00000000, 0, "fdiv.s rne 5/inf"
    FOP2 fsub.s, rne, 0x7f800000, 0x7f800000, 0xffffffff7fc00000, 16, "fsub.s rne inf-inf"
    FOP2 fadd.s, rne, 0x7f800000, 0xff800000, 0xffffffff7fc00000, 16, "fadd.s rne inf+-inf"
    FOP2 fmul.s, rne, 0x0, 0x7f800000, 0xffffffff7fc00000, 16, "fmul.s rne 0*inf"
    FOP2 fmul.s, rne, 0x80000000, 0x40400000, 0xffffffff80000000, 0, "fmul.s rne -0*3"
    FOP2 fadd.s, rne, 0x80000000, 0x80000000, 0xffffffff80000000, 0, "fadd.s rne -0+-0"
    FOP2 fadd.s, rne, 0x80000000, 0x0, 0xffffffff00000000, 0, "fadd.s rne -0+0"
    FOP2 fsub.s, rne, 0x40400000, 0x40400000, 0xffffffff00000000, 0, "fsub.s rne 3-3"
    FOP2 fsub.s, rdn, 0x40400000, 0x40400000, 0xffffffff80000000, 0, "fsub.s rdn 3-3 is -0 in rdn"
    FOP2 fadd.s, rne, 0x7f800000, 0x3f800000, 0xffffffff7f800000, 0, "fadd.s rne inf+1"
    /* ---- NaN inputs give the canonical NaN; sNaN raises NV ---- */
    FOP2 fadd.s, rne, 0x7fc00000, 0x3f800000, 0xffffffff7fc00000, 0, "fadd.s rne qnan+1"
    FOP2 fadd.s, rne, 0xffc12345, 0x3f800000, 0xffffffff7fc00000, 0, "fadd.s rne -qnan(payload)+1"
    FOP2 fmul.s, rne, 0x3f800000, 0x7f800001, 0xffffffff7fc00000, 16, "fmul.s rne 1*snan"
    FOP2 fsub.s, rne, 0x7f854321, 0x7fc00000, 0xffffffff7fc00000, 16, "fsub.s rne snan-qnan"
    FOP2 fdiv.s, rne, 0x7fc00000, 0x0, 0xffffffff7fc00000, 0, "fdiv.s rne qnan/0 (no DZ)"
    /* ---- subnormals and underflow (tininess after rounding) ---- */
    FOP2 fmul.s, rne, 0x800000, 0x3f000000, 0xffffffff00400000, 0, "fmul.s rne minnormal/2 exact"
    FOP2 fmul.s, rne, 0x1, 0x3f000000, 0xffffffff00000000, 3, "fmul.s rne minsub/2 -> 0"
    FOP2 fmul.s, rup, 0x1, 0x3f000000, 0xffffffff00000001, 3, "fmul.s rup minsub/2 rup"
    FOP2 fmul.s, rdn, 0x80000001, 0x3f000000, 0xffffffff80000001, 3, "fmul.s rdn -minsub/2 rdn"
    FOP2 fmul.s, rne, 0x800000, 0x3f400000, 0xffffffff00600000, 0, "fmul.s rne minnormal*0.75 exact subnormal"
    FOP2 fmul.s, rne, 0x800000, 0x3f7fffff, 0xffffffff00800000, 3, "fmul.s rne minnormal*(1-ulp/2): UF, rounds to minnormal"
    FOP2 fsub.s, rne, 0x800000, 0x1, 0xffffffff007fffff, 0, "fsub.s rne minnormal-minsub exact"
    /* ---- fsqrt ---- */
    FOP1 fsqrt.s, rne, 0x40800000, 0xffffffff40000000, 0, "fsqrt.s rne 4"
    FOP1 fsqrt.s, rne, 0x40100000, 0xffffffff3fc00000, 0, "fsqrt.s rne 2.25"
    FOP1 fsqrt.s, rne, 0x40000000, 0xffffffff3fb504f3, 1, "fsqrt.s rne 2"
    FOP1 fsqrt.s, rtz, 0x40000000, 0xffffffff3fb504f3, 1, "fsqrt.s rtz 2"
    FOP1 fsqrt.s, rdn, 0x40000000, 0xffffffff3fb504f3, 1, "fsqrt.s rdn 2"
    FOP1 fsqrt.s, rup, 0x40000000, 0xffffffff3fb504f4, 1, "fsqrt.s rup 2"
    FOP1 fsqrt.s, rmm, 0x40000000, 0xffffffff3fb504f3, 1, "fsqrt.s rmm 2"
    FOP1 fsqrt.s, rne, 0xbf800000, 0xffffffff7fc00000, 16, "fsqrt.s rne -1"
    FOP1 fsqrt.s, rne, 0x80000000, 0xffffffff80000000, 0, "fsqrt.s rne -0"
    FOP1 fsqrt.s, rne, 0x7f800000, 0xffffffff7f800000, 0, "fsqrt.s rne inf"
    FOP1 fsqrt.s, rne, 0xff800000, 0xffffffff7fc00000, 16, "fsqrt.s rne -inf"
    FOP1 fsqrt.s, rne, 0x7f800001, 0xffffffff7fc00000, 16, "fsqrt.s rne snan"
    FOP1 fsqrt.s, rne, 0x1, 0xffffffff1a3504f3, 1, "fsqrt.s rne minsub"
    /* ---- fused multiply-add: single rounding ---- */
    FOP3 fmadd.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xffffffff40e00000, 0, "fmadd.s rne 2*3+1"
    FOP3 fmsub.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xffffffff40a00000, 0, "fmsub.s rne 2*3-1"
    FOP3 fnmadd.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xffffffffc0e00000, 0, "fnmadd.s rne -(2*3)-1"
    FOP3 fnmsub.s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xffffffffc0a00000, 0, "fnmsub.s rne -(2*3)+1"
    FOP3 fmadd.s, rne, 0x3f800001, 0x3f7ffffe, 0xbf800000, 0xffffffffa8800000, 0, "fmadd.s rne (1+u)(1-u)-1 = -u^2 exactly"
    FOP3 fnmsub.s, rne, 0x3f800001, 0x3f7ffffe, 0x3f800000, 0xffffffff28800000, 0, "fnmsub.s rne -(1+u)(1-u)+1 = u^2"
    FOP3 fmadd.s, rne, 0x3f800001, 0x3f800001, 0x0, 0xffffffff3f800002, 1, "fmadd.s rne (1+u)^2"
    FOP3 fmadd.s, rtz, 0x3f800001, 0x3f800001, 0x0, 0xffffffff3f800002, 1, "fmadd.s rtz (1+u)^2"
    FOP3 fmadd.s, rdn, 0x3f800001, 0x3f800001, 0x0, 0xffffffff3f800002, 1, "fmadd.s rdn (1+u)^2"
    FOP3 fmadd.s, rup, 0x3f800001, 0x3f800001, 0x0, 0xffffffff3f800003, 1, "fmadd.s rup (1+u)^2"
    FOP3 fmadd.s, rmm, 0x3f800001, 0x3f800001, 0x0, 0xffffffff3f800002, 1, "fmadd.s rmm (1+u)^2"
    FOP3 fnmadd.s, rne, 0x3f800001, 0x3f800001, 0x80000000, 0xffffffffbf800002, 1, "fnmadd.s rne -(1+u)^2"
    FOP3 fnmadd.s, rtz, 0x3f800001, 0x3f800001, 0x80000000, 0xffffffffbf800002, 1, "fnmadd.s rtz -(1+u)^2"
    FOP3 fnmadd.s, rdn, 0x3f800001, 0x3f800001, 0x80000000, 0xffffffffbf800003, 1, "fnmadd.s rdn -(1+u)^2"
    FOP3 fnmadd.s, rup, 0x3f800001, 0x3f800001, 0x80000000, 0xffffffffbf800002, 1, "fnmadd.s rup -(1+u)^2"
    FOP3 fnmadd.s, rmm, 0x3f800001, 0x3f800001, 0x80000000, 0xffffffffbf800002, 1, "fnmadd.s rmm -(1+u)^2"
    FOP3 fmadd.s, rne, 0x7f800000, 0x0, 0x7fc00000, 0xffffffff7fc00000, 16, "fmadd.s rne inf*0+qnan: NV"
    FOP3 fmadd.s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0xffffffff7fc00000, 16, "fmadd.s rne inf*1-inf: NV"
    FOP3 fmadd.s, rne, 0x7fc00000, 0x3f800000, 0x40000000, 0xffffffff7fc00000, 0, "fmadd.s rne qnan*1+2"
    FOP3 fmadd.s, rne, 0x3f800000, 0x40000000, 0x7f800001, 0xffffffff7fc00000, 16, "fmadd.s rne 1*2+snan"
    FOP3 fmadd.s, rne, 0x40000000, 0x80000000, 0x0, 0xffffffff00000000, 0, "fmadd.s rne 2*-0+0"
    FOP3 fmadd.s, rne, 0x40000000, 0x80000000, 0x80000000, 0xffffffff80000000, 0, "fmadd.s rne 2*-0+-0"
    FOP3 fmsub.s, rdn, 0x40000000, 0x40400000, 0x40c00000, 0xffffffff80000000, 0, "fmsub.s rdn 2*3-6 rdn"
    FOP3 fmadd.s, rne, 0x7f7fffff, 0x40000000, 0xff7fffff, 0xffffffff7f7fffff, 0, "fmadd.s rne max*2-max no overflow"
    /* ---- fmin / fmax ---- */
    FOP2N fmin.s, 0x80000000, 0x0, 0xffffffff80000000, 0, "fmin.s -0,+0"
    FOP2N fmin.s, 0x0, 0x80000000, 0xffffffff80000000, 0, "fmin.s +0,-0"
    FOP2N fmax.s, 0x80000000, 0x0, 0xffffffff00000000, 0, "fmax.s -0,+0"
    FOP2N fmax.s, 0x0, 0x80000000, 0xffffffff00000000, 0, "fmax.s +0,-0"
    FOP2N fmin.s, 0x40400000, 0xc0400000, 0xffffffffc0400000, 0, "fmin.s 3,-3"
    FOP2N fmax.s, 0x40400000, 0xc0400000, 0xffffffff40400000, 0, "fmax.s 3,-3"
    FOP2N fmin.s, 0xff800000, 0x40a00000, 0xffffffffff800000, 0, "fmin.s -inf,5"
    FOP2N fmax.s, 0x7fc00000, 0x40a00000, 0xffffffff40a00000, 0, "fmax.s qnan,5"
    FOP2N fmin.s, 0x40a00000, 0x7fc00000, 0xffffffff40a00000, 0, "fmin.s 5,qnan"
    FOP2N fmin.s, 0x7fc00000, 0xffc12345, 0xffffffff7fc00000, 0, "fmin.s qnan,qnan"
    FOP2N fmax.s, 0x7f800001, 0x3f800000, 0xffffffff3f800000, 16, "fmax.s snan,1"
    FOP2N fmin.s, 0x3f800000, 0x7f800001, 0xffffffff3f800000, 16, "fmin.s 1,snan"
    FOP2N fmax.s, 0x7f800001, 0x7fc00000, 0xffffffff7fc00000, 16, "fmax.s snan,qnan"
    /* ---- float -> integer: rounding, NX, saturation with NV ---- */
    FCVTI fcvt.w.s, rne, 0x40200000, 0x2, 1, "fcvt.w.s rne 2.5"
    FCVTI fcvt.w.s, rtz, 0x40200000, 0x2, 1, "fcvt.w.s rtz 2.5"
    FCVTI fcvt.w.s, rdn, 0x40200000, 0x2, 1, "fcvt.w.s rdn 2.5"
    FCVTI fcvt.w.s, rup, 0x40200000, 0x3, 1, "fcvt.w.s rup 2.5"
    FCVTI fcvt.w.s, rmm, 0x40200000, 0x3, 1, "fcvt.w.s rmm 2.5"
    FCVTI fcvt.w.s, rne, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s rne -2.5"
    FCVTI fcvt.w.s, rtz, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s rtz -2.5"
    FCVTI fcvt.w.s, rdn, 0xc0200000, 0xfffffffffffffffd, 1, "fcvt.w.s rdn -2.5"
    FCVTI fcvt.w.s, rup, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s rup -2.5"
    FCVTI fcvt.w.s, rmm, 0xc0200000, 0xfffffffffffffffd, 1, "fcvt.w.s rmm -2.5"
    FCVTI fcvt.l.s, rne, 0xbfe00000, 0xfffffffffffffffe, 1, "fcvt.l.s rne -1.75"
    FCVTI fcvt.l.s, rtz, 0xbfe00000, 0xffffffffffffffff, 1, "fcvt.l.s rtz -1.75"
    FCVTI fcvt.l.s, rdn, 0xbfe00000, 0xfffffffffffffffe, 1, "fcvt.l.s rdn -1.75"
    FCVTI fcvt.l.s, rup, 0xbfe00000, 0xffffffffffffffff, 1, "fcvt.l.s rup -1.75"
    FCVTI fcvt.l.s, rmm, 0xbfe00000, 0xfffffffffffffffe, 1, "fcvt.l.s rmm -1.75"
    FCVTI fcvt.w.s, rtz, 0x3fc00000, 0x1, 1, "fcvt.w.s rtz 1.5"
    FCVTI fcvt.w.s, rne, 0x3f000000, 0x0, 1, "fcvt.w.s rne 0.5"
    FCVTI fcvt.w.s, rmm, 0xbf000000, 0xffffffffffffffff, 1, "fcvt.w.s rmm -0.5"
    FCVTI fcvt.w.s, rne, 0xc0400000, 0xfffffffffffffffd, 0, "fcvt.w.s rne -3 exact"
    FCVTI fcvt.w.s, rtz, 0x4f000000, 0x7fffffff, 16, "fcvt.w.s rtz 2^31 saturates"
    FCVTI fcvt.w.s, rtz, 0xcf000000, 0xffffffff80000000, 0, "fcvt.w.s rtz -2^31 exact"
    FCVTI fcvt.w.s, rtz, 0xcf800000, 0xffffffff80000000, 16, "fcvt.w.s rtz -2^32 saturates"
    FCVTI fcvt.w.s, rne, 0x7fc00000, 0x7fffffff, 16, "fcvt.w.s rne qnan"
    FCVTI fcvt.w.s, rne, 0xffc12345, 0x7fffffff, 16, "fcvt.w.s rne -qnan"
    FCVTI fcvt.w.s, rne, 0x7f800000, 0x7fffffff, 16, "fcvt.w.s rne inf"
    FCVTI fcvt.w.s, rne, 0xff800000, 0xffffffff80000000, 16, "fcvt.w.s rne -inf"
    FCVTI fcvt.wu.s, rtz, 0x4f32d05e, 0xffffffffb2d05e00, 0, "fcvt.wu.s rtz 3e9 sign-extended"
    FCVTI fcvt.wu.s, rtz, 0xbf800000, 0x0, 16, "fcvt.wu.s rtz -1 saturates to 0"
    FCVTI fcvt.wu.s, rtz, 0xbf000000, 0x0, 1, "fcvt.wu.s rtz -0.5 rounds to 0, NX only"
    FCVTI fcvt.wu.s, rdn, 0xbf000000, 0x0, 16, "fcvt.wu.s rdn -0.5 rdn is -1: NV"
    FCVTI fcvt.wu.s, rne, 0x4f800000, 0xffffffffffffffff, 16, "fcvt.wu.s rne 2^32 saturates"
    FCVTI fcvt.wu.s, rne, 0x7fc00000, 0xffffffffffffffff, 16, "fcvt.wu.s rne qnan"
    FCVTI fcvt.wu.s, rne, 0xff800000, 0x0, 16, "fcvt.wu.s rne -inf"
    FCVTI fcvt.l.s, rtz, 0x5f000000, 0x7fffffffffffffff, 16, "fcvt.l.s rtz 2^63 saturates"
    FCVTI fcvt.l.s, rtz, 0xdf000000, 0x8000000000000000, 0, "fcvt.l.s rtz -2^63 exact"
    FCVTI fcvt.l.s, rne, 0x7f800001, 0x7fffffffffffffff, 16, "fcvt.l.s rne snan"
    FCVTI fcvt.l.s, rne, 0xff800000, 0x8000000000000000, 16, "fcvt.l.s rne -inf"
    FCVTI fcvt.lu.s, rtz, 0x5f000000, 0x8000000000000000, 0, "fcvt.lu.s rtz 2^63"
    FCVTI fcvt.lu.s, rtz, 0x5f800000, 0xffffffffffffffff, 16, "fcvt.lu.s rtz 2^64 saturates"
    FCVTI fcvt.lu.s, rtz, 0xbf800000, 0x0, 16, "fcvt.lu.s rtz -1 saturates"
    FCVTI fcvt.lu.s, rne, 0x7fc00000, 0xffffffffffffffff, 16, "fcvt.lu.s rne qnan"
    FCVTI fcvt.lu.s, rup, 0x3e800000, 0x1, 1, "fcvt.lu.s rup 0.25 rup"
    /* ---- integer -> float ---- */
    FCVTF fcvt.s.w, rne, 0xfffffffffffffffb, 0xffffffffc0a00000, 0, "fcvt.s.w rne -5"
    FCVTF fcvt.s.wu, rne, 0xffffffff, 0xffffffff4f800000, 1, "fcvt.s.wu rne 0xffffffff"
    FCVTF fcvt.s.w, rne, 0x7fffffff, 0xffffffff4f000000, 1, "fcvt.s.w rne INT32_MAX"
    FCVTF fcvt.s.w, rtz, 0x7fffffff, 0xffffffff4effffff, 1, "fcvt.s.w rtz INT32_MAX rtz"
    FCVTF fcvt.s.w, rne, 0xffffffff00000001, 0xffffffff3f800000, 0, "fcvt.s.w rne upper bits ignored"
    FCVTF fcvt.s.wu, rne, 0x1fffffffe, 0xffffffff4f800000, 1, "fcvt.s.wu rne upper bits ignored"
    FCVTF fcvt.s.l, rne, 0xbffffeffffffffff, 0xffffffffde800002, 1, "fcvt.s.l rne -(2^62+2^40+1)"
    FCVTF fcvt.s.l, rtz, 0xbffffeffffffffff, 0xffffffffde800002, 1, "fcvt.s.l rtz -(2^62+2^40+1)"
    FCVTF fcvt.s.l, rdn, 0xbffffeffffffffff, 0xffffffffde800003, 1, "fcvt.s.l rdn -(2^62+2^40+1)"
    FCVTF fcvt.s.l, rup, 0xbffffeffffffffff, 0xffffffffde800002, 1, "fcvt.s.l rup -(2^62+2^40+1)"
    FCVTF fcvt.s.l, rmm, 0xbffffeffffffffff, 0xffffffffde800002, 1, "fcvt.s.l rmm -(2^62+2^40+1)"
    FCVTF fcvt.s.lu, rne, 0xffffffffffffffff, 0xffffffff5f800000, 1, "fcvt.s.lu rne UINT64_MAX"
    FCVTF fcvt.s.lu, rtz, 0xffffffffffffffff, 0xffffffff5f7fffff, 1, "fcvt.s.lu rtz UINT64_MAX rtz"
    FCVTF fcvt.s.l, rne, 0x0, 0xffffffff00000000, 0, "fcvt.s.l rne 0"
    /* ---- fclass ---- */
    FCLASS fclass.s, 0xff800000, 1, "fclass.s -inf"
    FCLASS fclass.s, 0xbf800000, 2, "fclass.s -1"
    FCLASS fclass.s, 0x80000001, 4, "fclass.s -mins"
    FCLASS fclass.s, 0x80000000, 8, "fclass.s -0"
    FCLASS fclass.s, 0x0, 16, "fclass.s 0"
    FCLASS fclass.s, 0x1, 32, "fclass.s mins"
    FCLASS fclass.s, 0x3f800000, 64, "fclass.s 1"
    FCLASS fclass.s, 0x7f800000, 128, "fclass.s inf"
    FCLASS fclass.s, 0x7f800001, 256, "fclass.s snan"
    FCLASS fclass.s, 0x7fc00000, 512, "fclass.s qnan"
    FCLASS fclass.s, 0xffc12345, 512, "fclass.s nanpay"
    /* ---- compares: feq is quiet, flt/fle signal on any NaN ---- */
    FCMP feq.s, 0x3f800000, 0x3f800000, 1, 0, "feq.s 1,1"
    FCMP feq.s, 0x80000000, 0x0, 1, 0, "feq.s -0,+0"
    FCMP feq.s, 0x3f800000, 0x40000000, 0, 0, "feq.s 1,2"
    FCMP feq.s, 0x7fc00000, 0x7fc00000, 0, 0, "feq.s qnan,qnan"
    FCMP feq.s, 0x7f800001, 0x3f800000, 0, 16, "feq.s snan,1"
    FCMP flt.s, 0x3f800000, 0x40000000, 1, 0, "flt.s 1,2"
    FCMP flt.s, 0x40000000, 0x3f800000, 0, 0, "flt.s 2,1"
    FCMP flt.s, 0x80000000, 0x0, 0, 0, "flt.s -0,+0"
    FCMP flt.s, 0xff800000, 0xff7fffff, 1, 0, "flt.s -inf,-max"
    FCMP flt.s, 0x7fc00000, 0x3f800000, 0, 16, "flt.s qnan,1"
    FCMP fle.s, 0x80000000, 0x0, 1, 0, "fle.s -0,+0"
    FCMP fle.s, 0x40000000, 0x40000000, 1, 0, "fle.s 2,2"
    FCMP fle.s, 0x40400000, 0x40000000, 0, 0, "fle.s 3,2"
    FCMP fle.s, 0x3f800000, 0x7fc00000, 0, 16, "fle.s 1,qnan"
    /* ---- sign injection: bit operations, NaNs are not canonicalized ---- */
    FOP2N fsgnj.s, 0x3f800000, 0xc0000000, 0xffffffffbf800000, 0, "fsgnj.s 1,-2"
    FOP2N fsgnj.s, 0xbf800000, 0x40000000, 0xffffffff3f800000, 0, "fsgnj.s -1,2"
    FOP2N fsgnjn.s, 0x3f800000, 0xc0000000, 0xffffffff3f800000, 0, "fsgnjn.s 1,-2 (neg)"
    FOP2N fsgnjn.s, 0xbf800000, 0xc0000000, 0xffffffff3f800000, 0, "fsgnjn.s -1,-2"
    FOP2N fsgnjx.s, 0xbf800000, 0xc0000000, 0xffffffff3f800000, 0, "fsgnjx.s -1,-2"
    FOP2N fsgnjx.s, 0xbf800000, 0x40000000, 0xffffffffbf800000, 0, "fsgnjx.s -1,2 (abs)"
    FOP2N fsgnj.s, 0x7f854321, 0x80000000, 0xffffffffff854321, 0, "fsgnj.s snan payload kept"
    FOP2N fsgnjx.s, 0xffc12345, 0xbf800000, 0xffffffff7fc12345, 0, "fsgnjx.s nan payload kept"
    /* ---- dynamic rounding mode from frm ---- */
    csrwi frm, 0
    FOP2 fdiv.s, dyn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s dyn frm=rne 1/3"
    FCVTI fcvt.w.s, dyn, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s dyn frm=rne -2.5"
    csrwi frm, 1
    FOP2 fdiv.s, dyn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaaa, 1, "fdiv.s dyn frm=rtz 1/3"
    FCVTI fcvt.w.s, dyn, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s dyn frm=rtz -2.5"
    csrwi frm, 2
    FOP2 fdiv.s, dyn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaaa, 1, "fdiv.s dyn frm=rdn 1/3"
    FCVTI fcvt.w.s, dyn, 0xc0200000, 0xfffffffffffffffd, 1, "fcvt.w.s dyn frm=rdn -2.5"
    csrwi frm, 3
    FOP2 fdiv.s, dyn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s dyn frm=rup 1/3"
    FCVTI fcvt.w.s, dyn, 0xc0200000, 0xfffffffffffffffe, 1, "fcvt.w.s dyn frm=rup -2.5"
    csrwi frm, 4
    FOP2 fdiv.s, dyn, 0x3f800000, 0x40400000, 0xffffffff3eaaaaab, 1, "fdiv.s dyn frm=rmm 1/3"
    FCVTI fcvt.w.s, dyn, 0xc0200000, 0xfffffffffffffffd, 1, "fcvt.w.s dyn frm=rmm -2.5"
    csrwi frm, 0

    /* ---- NaN boxing ---- */
    li a1, 0x3f800000
    fmv.w.x fa1, a1
    CHECKF fa1, BOX(0x3f800000), "fmv.w.x NaN-boxes"
    la a3, fbuf
    li a1, 0x1122334440490fdb
    sd a1, 0(a3)
    flw fa2, 0(a3)
    CHECKF fa2, BOX(0x40490fdb), "flw NaN-boxes"
    fsw fa1, 4(a3)
    ld a2, 0(a3)
    CHECK a2, 0x3f80000040490fdb, "fsw stores 32 bits"
    li a1, 0xbf800000
    fmv.w.x fa1, a1
    fmv.x.w a0, fa1
    CHECK a0, 0xffffffffbf800000, "fmv.x.w sign-extends"
    /* an improperly boxed value (upper half not all ones) reads as the
     * canonical NaN in single-precision operations */
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    li a2, 0x3f800000
    fmv.w.x fa2, a2
    fadd.s fa0, fa1, fa2
    CHECKF fa0, BOX(QNAN_S), "unboxed input: fadd.s gives canonical NaN"
    CHECK_FLAGS 0, "unboxed input is a quiet NaN: no NV"
    fclass.s a0, fa1
    CHECK a0, 1 << 9, "unboxed input: fclass.s = qNaN"
    feq.s a0, fa1, fa1
    CHECK a0, 0, "unboxed input: feq.s = 0"
    CHECK_FLAGS 0, "unboxed feq.s: no flags"
    fcvt.d.s fa0, fa1
    CHECKF fa0, 0x7ff8000000000000, "unboxed input: fcvt.d.s canonical NaN"
    fsgnj.s fa0, fa2, fa2
    CHECKF fa0, BOX(0x3f800000), "fsgnj.s boxed input"
    li a1, 0xffffffff7fffffff
    fmv.d.x fa1, a1
    fsgnjn.s fa0, fa1, fa1
    CHECKF fa0, BOX(0xffffffff), "fsgnjn.s on a boxed NaN keeps payload"

    /* ---- fcvt.d.s (exact) ---- */
    li a1, 0x3eaaaaab
    fmv.w.x fa1, a1
    fcvt.d.s fa0, fa1
    CHECKF fa0, 0x3fd5555560000000, "fcvt.d.s exact"
    CHECK_FLAGS 0, "fcvt.d.s exact: flags"
    li a1, 0x00000001
    fmv.w.x fa1, a1
    fcvt.d.s fa0, fa1
    CHECKF fa0, 0x36a0000000000000, "fcvt.d.s subnormal -> normal"
    li a1, 0x7f800001
    fmv.w.x fa1, a1
    fcvt.d.s fa0, fa1
    CHECKF fa0, 0x7ff8000000000000, "fcvt.d.s sNaN -> canonical"
    CHECK_FLAGS 16, "fcvt.d.s sNaN: NV"

    /* ---- flags accumulate until cleared; frm is separate ---- */
    csrwi frm, 3
    li a1, 0x3f800000
    fmv.w.x fa1, a1
    li a2, 0x40400000
    fmv.w.x fa2, a2
    fdiv.s fa0, fa1, fa2, rne               /* NX */
    fmv.w.x fa3, zero
    fdiv.s fa0, fa1, fa3, rne               /* DZ */
    fadd.s fa0, fa1, fa1, rne               /* exact: flags stay */
    csrr a0, fcsr
    CHECK a0, (3 << 5) | 8 | 1, "fflags accumulate, frm kept"
    csrwi fflags, 0
    CHECK_CSR frm, 3, "clearing fflags keeps frm"
    csrwi frm, 0

    /* ---- reserved rounding modes ---- */
    csrwi frm, 5
    TRY fadd.s fa0, fa1, fa2, dyn
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "dyn with frm=5: illegal"
    csrwi frm, 7
    TRY fadd.s fa0, fa1, fa2, dyn
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "dyn with frm=7: illegal"
    csrwi frm, 0
    TRY fadd.s fa0, fa1, fa2, dyn
    CHECK_CAUSE CAUSE_NONE, "dyn with frm=0: ok"
    TRY .word (12 << 20) | (11 << 15) | (5 << 12) | (10 << 7) | 0x53
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "fadd.s static rm=5: illegal"
    TRY .word (12 << 20) | (11 << 15) | (6 << 12) | (10 << 7) | 0x53
    CHECK_CAUSE CAUSE_ILLEGAL_INSN, "fadd.s static rm=6: illegal"
    CHECK_TVAL (12 << 20) | (11 << 15) | (6 << 12) | (10 << 7) | 0x53, "rm=6: mtval = insn"
    csrw fcsr, zero
TEST_END

    .data
    .align 3
fbuf: .space 16
