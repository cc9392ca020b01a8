/*
 * bitmanip.S - Zba, Zbb and Zbs: every instruction, with the 32-bit (.uw/w)
 * forms' zero/sign extension, shift amounts taken modulo XLEN/32, and the
 * edge values of clz/ctz/cpop.  Expected values were computed independently
 * (Python) and checked on QEMU.
 *
 * QEMU 7.2's default rv64 cpu ("-cpu rv64", the virt default) already has
 * zba/zbb/zbs enabled, so no -cpu option is needed.
 */
#include "test.h"

TEST_BEGIN
    TEST_RR add.uw, 0xffffffff80000000, 0x1, 0x80000001
    TEST_RR add.uw, 0x123456789, 0x10, 0x23456799
    TEST_RR sh1add, 0x3, 0x4, 0xa
    TEST_RR sh1add, 0x8000000000000001, 0x1, 0x3
    TEST_RR sh2add, 0x3, 0x4, 0x10
    TEST_RR sh2add, 0xffffffffffffffff, 0x0, 0xfffffffffffffffc
    TEST_RR sh3add, 0x3, 0x4, 0x1c
    TEST_RR sh3add, 0x2000000000000000, 0x5, 0x5
    TEST_RR sh1add.uw, 0xffffffff80000001, 0x0, 0x100000002
    TEST_RR sh1add.uw, 0x100000003, 0x1, 0x7
    TEST_RR sh2add.uw, 0xffffffffffffffff, 0x0, 0x3fffffffc
    TEST_RR sh3add.uw, 0xfffffffffffffff0, 0x100, 0x800000080
    TEST_RR andn, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf000f000f000f000
    TEST_RR orn, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xff0fff0fff0fff0f
    TEST_RR xnor, 0xff00ff00ff00ff00, 0xff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f
    TEST_RR max, 0xffffffffffffffff, 0x1, 0x1
    TEST_RR max, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff
    TEST_RR min, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
    TEST_RR min, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
    TEST_RR maxu, 0xffffffffffffffff, 0x1, 0xffffffffffffffff
    TEST_RR minu, 0xffffffffffffffff, 0x1, 0x1
    TEST_RR rol, 0x8000000000000001, 0x1, 0x3
    TEST_RR rol, 0x123456789abcdef, 0x44, 0x123456789abcdef0
    TEST_RR ror, 0x8000000000000001, 0x1, 0xc000000000000000
    TEST_RR ror, 0x123456789abcdef, 0x44, 0xf0123456789abcde
    TEST_RR rolw, 0x80000001, 0x1, 0x3
    TEST_RR rolw, 0x12345678, 0x24, 0x23456781
    TEST_RR rolw, 0xffffffff00000000, 0x5, 0x0
    TEST_RR rorw, 0x80000001, 0x1, 0xffffffffc0000000
    TEST_RR rorw, 0x12345678, 0x4, 0xffffffff81234567
    TEST_RR bclr, 0xffffffffffffffff, 0x3f, 0x7fffffffffffffff
    TEST_RR bclr, 0xffffffffffffffff, 0x40, 0xfffffffffffffffe
    TEST_RR bset, 0x0, 0x3f, 0x8000000000000000
    TEST_RR bset, 0x0, 0x42, 0x4
    TEST_RR binv, 0xf, 0x0, 0xe
    TEST_RR binv, 0x0, 0x1f, 0x80000000
    TEST_RR bext, 0x8000000000000000, 0x3f, 0x1
    TEST_RR bext, 0x8000000000000000, 0x3e, 0x0
    TEST_RR bext, 0x2, 0x41, 0x1
    TEST_R1 clz, 0x0, 0x40
    TEST_R1 clz, 0x1, 0x3f
    TEST_R1 clz, 0xffffffffffffffff, 0x0
    TEST_R1 clz, 0x100000000000, 0x13
    TEST_R1 clzw, 0x0, 0x20
    TEST_R1 clzw, 0xffffffff00000001, 0x1f
    TEST_R1 clzw, 0x80000000, 0x0
    TEST_R1 clzw, 0x1ffff, 0xf
    TEST_R1 ctz, 0x0, 0x40
    TEST_R1 ctz, 0x1, 0x0
    TEST_R1 ctz, 0x8000000000000000, 0x3f
    TEST_R1 ctz, 0x100, 0x8
    TEST_R1 ctzw, 0x0, 0x20
    TEST_R1 ctzw, 0x100000000, 0x20
    TEST_R1 ctzw, 0x80000000, 0x1f
    TEST_R1 ctzw, 0x40, 0x6
    TEST_R1 cpop, 0x0, 0x0
    TEST_R1 cpop, 0xffffffffffffffff, 0x40
    TEST_R1 cpop, 0x5555555555555555, 0x20
    TEST_R1 cpopw, 0xffffffffffffffff, 0x20
    TEST_R1 cpopw, 0xf0f0f0f0, 0x10
    TEST_R1 sext.b, 0x80, 0xffffffffffffff80
    TEST_R1 sext.b, 0x17f, 0x7f
    TEST_R1 sext.h, 0x8000, 0xffffffffffff8000
    TEST_R1 sext.h, 0x17fff, 0x7fff
    TEST_R1 zext.h, 0xffffffffffffffff, 0xffff
    TEST_R1 zext.h, 0x12345, 0x2345
    TEST_R1 orc.b, 0x102000000ff0010, 0xffff000000ff00ff
    TEST_R1 orc.b, 0x0, 0x0
    TEST_R1 rev8, 0x123456789abcdef, 0xefcdab8967452301
    TEST_RI slli.uw, 0xffffffff80000000, 4, 0x800000000
    TEST_RI slli.uw, 0x123456789, 0, 0x23456789
    TEST_RI rori, 0x1, 1, 0x8000000000000000
    TEST_RI rori, 0x123456789abcdef, 8, 0xef0123456789abcd
    TEST_RI roriw, 0x1, 1, 0xffffffff80000000
    TEST_RI roriw, 0x12345678, 31, 0x2468acf0
    TEST_RI roriw, 0xabcdef0000000010, 4, 0x1
    TEST_RI bclri, 0xffffffffffffffff, 0, 0xfffffffffffffffe
    TEST_RI bclri, 0xffffffffffffffff, 40, 0xfffffeffffffffff
    TEST_RI bseti, 0x0, 0, 0x1
    TEST_RI bseti, 0x0, 63, 0x8000000000000000
    TEST_RI binvi, 0xffffffffffffffff, 32, 0xfffffffeffffffff
    TEST_RI bexti, 0x100000000, 32, 0x1
    TEST_RI bexti, 0x100000000, 31, 0x0
    /* zext.w is add.uw with rs2 = x0 */
    li a1, 0xffffffff87654321
    zext.w a0, a1
    CHECK a0, 0x87654321, "zext.w"
TEST_END
