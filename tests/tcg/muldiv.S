/*
 * muldiv.S - RV64M: mul/mulh/mulhu/mulhsu/mulw, div/divu/rem/remu and the
 * W forms, incl. the spec-defined results of division by zero (quotient all
 * ones, remainder = dividend) and of signed overflow (MIN / -1 = MIN, rem 0),
 * and sign extension of the 32-bit W results.  Expected values were computed
 * independently (Python big integers) and checked on QEMU.
 */
#include "test.h"

TEST_BEGIN
    TEST_RR mul, 0x3, 0x7, 0x15
    TEST_RR mul, 0xfffffffffffffffd, 0x7, 0xffffffffffffffeb
    TEST_RR mul, 0x100000000, 0x100000000, 0x0
    TEST_RR mul, 0x7fffffffffffffff, 0x2, 0xfffffffffffffffe
    TEST_RR mul, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
    TEST_RR mul, 0x123456789abcdef, 0xfedcba987654321, 0x22236d88fe5618cf

    TEST_RR mulh, 0xffffffffffffffff, 0xffffffffffffffff, 0x0
    TEST_RR mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff
    TEST_RR mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
    TEST_RR mulh, 0x8000000000000000, 0x1, 0xffffffffffffffff
    TEST_RR mulh, 0xfffffffffffffffe, 0x3, 0xffffffffffffffff
    TEST_RR mulh, 0x123456789abcdef, 0xfedcba987654321, 0x121fa00ad77d74

    TEST_RR mulhu, 0xffffffffffffffff, 0xffffffffffffffff, 0xfffffffffffffffe
    TEST_RR mulhu, 0xffffffffffffffff, 0x2, 0x1
    TEST_RR mulhu, 0x8000000000000000, 0x2, 0x1
    TEST_RR mulhu, 0x123456789abcdef, 0xfedcba987654321, 0x121fa00ad77d74
    TEST_RR mulhu, 0x5, 0x6, 0x0

    TEST_RR mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff
    TEST_RR mulhsu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xfffffffffffffffe
    TEST_RR mulhsu, 0x1, 0xffffffffffffffff, 0x0
    TEST_RR mulhsu, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
    TEST_RR mulhsu, 0x7fffffffffffffff, 0xffffffffffffffff, 0x7ffffffffffffffe

    TEST_RR mulw, 0x7fffffff, 0x2, 0xfffffffffffffffe
    TEST_RR mulw, 0x10000, 0x10000, 0x0
    TEST_RR mulw, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
    TEST_RR mulw, 0x1234567800000003, 0xabcdef0000000005, 0xf
    TEST_RR mulw, 0x80000000, 0x1, 0xffffffff80000000

    TEST_RR div, 0x14, 0x6, 0x3
    TEST_RR div, 0xffffffffffffffec, 0x6, 0xfffffffffffffffd
    TEST_RR div, 0x14, 0xfffffffffffffffa, 0xfffffffffffffffd
    TEST_RR div, 0xffffffffffffffec, 0xfffffffffffffffa, 0x3
    TEST_RR div, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR div, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
    TEST_RR div, 0x8000000000000000, 0x1, 0x8000000000000000
    TEST_RR div, 0x0, 0x5, 0x0

    TEST_RR divu, 0x14, 0x6, 0x3
    TEST_RR divu, 0xffffffffffffffff, 0x2, 0x7fffffffffffffff
    TEST_RR divu, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divu, 0x8000000000000000, 0xffffffffffffffff, 0x0
    TEST_RR divu, 0xffffffffffffffec, 0x6, 0x2aaaaaaaaaaaaaa7

    TEST_RR rem, 0x14, 0x6, 0x2
    TEST_RR rem, 0xffffffffffffffec, 0x6, 0xfffffffffffffffe
    TEST_RR rem, 0x14, 0xfffffffffffffffa, 0x2
    TEST_RR rem, 0xffffffffffffffec, 0xfffffffffffffffa, 0xfffffffffffffffe
    TEST_RR rem, 0x7, 0x0, 0x7
    TEST_RR rem, 0xfffffffffffffff9, 0x0, 0xfffffffffffffff9
    TEST_RR rem, 0x8000000000000000, 0xffffffffffffffff, 0x0

    TEST_RR remu, 0x14, 0x6, 0x2
    TEST_RR remu, 0xffffffffffffffff, 0xa, 0x5
    TEST_RR remu, 0x7, 0x0, 0x7
    TEST_RR remu, 0xffffffffffffffec, 0x6, 0x2

    TEST_RR divw, 0x14, 0x6, 0x3
    TEST_RR divw, 0xffffffffffffffec, 0x6, 0xfffffffffffffffd
    TEST_RR divw, 0x80000000, 0xffffffffffffffff, 0xffffffff80000000
    TEST_RR divw, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divw, 0xffffffff00000014, 0x6, 0x3
    TEST_RR divw, 0x123456700000010, 0x2, 0x8
    /* the 32-bit forms look at the divisor's low half only (a compiled
     * divide tests that half for zero and for -1) */
    TEST_RR divw, 0x7, 0x100000000, 0xffffffffffffffff
    TEST_RR divw, 0x80000000, 0x00000000ffffffff, 0xffffffff80000000
    TEST_RR remw, 0x80000000, 0x00000000ffffffff, 0x0
    TEST_RR remuw, 0x123456789, 0x500000000, 0x23456789

    TEST_RR divuw, 0xffffffff, 0x2, 0x7fffffff
    TEST_RR divuw, 0x80000000, 0x1, 0xffffffff80000000
    TEST_RR divuw, 0x7, 0x0, 0xffffffffffffffff
    TEST_RR divuw, 0x100000014, 0x6, 0x3
    TEST_RR divuw, 0xffffffffffffffec, 0x6, 0x2aaaaaa7

    TEST_RR remw, 0xffffffffffffffec, 0x6, 0xfffffffffffffffe
    TEST_RR remw, 0x14, 0xfffffffffffffffa, 0x2
    TEST_RR remw, 0x80000000, 0xffffffffffffffff, 0x0
    TEST_RR remw, 0x7, 0x0, 0x7
    TEST_RR remw, 0xfffffff9, 0x0, 0xfffffffffffffff9
    TEST_RR remw, 0x100000017, 0x5, 0x3

    TEST_RR remuw, 0xffffffff, 0xa, 0x5
    TEST_RR remuw, 0x7, 0x0, 0x7
    TEST_RR remuw, 0xfffffff9, 0x0, 0xfffffffffffffff9
    TEST_RR remuw, 0x80000007, 0x10, 0x7

    /* destination aliasing a source */
    li a1, 6
    li a2, 7
    mul a1, a1, a2
    CHECK a1, 42, "mul rd == rs1"
    li a2, 5
    div a2, a1, a2
    CHECK a2, 8, "div rd == rs2"
    li a1, 0x5555555555555555
    mulhu a1, a1, a1
    CHECK a1, 0x1c71c71c71c71c71, "mulhu rd == rs1 == rs2"
    /* the usual mulh/mul pair for a 128-bit product */
    li a1, 0xfedcba9876543210
    li a2, 0x0123456789abcdef
    mulhu a3, a1, a2
    mul a4, a1, a2
    CHECK a3, 0x0121fa00ad77d742, "128-bit product high"
    CHECK a4, 0x2236d88fe5618cf0, "128-bit product low"
TEST_END
