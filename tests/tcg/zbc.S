/*
 * zbc.S - Zbc: clmul, clmulh and clmulr (the low, high and "reversed" 64
 * bits, 126..63, of the 128-bit carry-less product), on edge values and
 * rd = rs1/rs2. Expected values were computed independently (Python:
 * the full 128-bit carry-less product, then sliced) and checked on QEMU
 * 7.2, whose default rv64 cpu has Zbc.
 */
#include "test.h"

TEST_BEGIN
    TEST_RR clmul, 0x3, 0x3, 0x5
    TEST_RR clmulh, 0x3, 0x3, 0x0
    TEST_RR clmulr, 0x3, 0x3, 0x0
    TEST_RR clmul, 0xffffffffffffffff, 0xffffffffffffffff, 0x5555555555555555
    TEST_RR clmulh, 0xffffffffffffffff, 0xffffffffffffffff, 0x5555555555555555
    TEST_RR clmulr, 0xffffffffffffffff, 0xffffffffffffffff, 0xaaaaaaaaaaaaaaaa
    TEST_RR clmul, 0x8000000000000000, 0x8000000000000000, 0x0
    TEST_RR clmulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
    TEST_RR clmulr, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000
    TEST_RR clmul, 0x123456789abcdef0, 0xfedcba987654321, 0x40a0789828c810f0
    TEST_RR clmulh, 0x123456789abcdef0, 0xfedcba987654321, 0xe038d8688850b0
    TEST_RR clmulr, 0x123456789abcdef0, 0xfedcba987654321, 0x1c071b0d110a160
    TEST_RR clmul, 0x1, 0xdeadbeefcafef00d, 0xdeadbeefcafef00d
    TEST_RR clmulh, 0x1, 0xdeadbeefcafef00d, 0x0
    TEST_RR clmulr, 0x1, 0xdeadbeefcafef00d, 0x1
    TEST_RR clmul, 0x0, 0xffffffffffffffff, 0x0
    TEST_RR clmulh, 0x0, 0xffffffffffffffff, 0x0
    TEST_RR clmulr, 0x0, 0xffffffffffffffff, 0x0
    TEST_RR clmul, 0x87, 0x8000000000000001, 0x8000000000000087
    TEST_RR clmulh, 0x87, 0x8000000000000001, 0x43
    TEST_RR clmulr, 0x87, 0x8000000000000001, 0x87
    TEST_RR clmul, 0xaaaaaaaaaaaaaaaa, 0x5555555555555555, 0x2222222222222222
    TEST_RR clmulh, 0xaaaaaaaaaaaaaaaa, 0x5555555555555555, 0x2222222222222222
    TEST_RR clmulr, 0xaaaaaaaaaaaaaaaa, 0x5555555555555555, 0x4444444444444444
    /* rd the same as a source */
    li a1, 0x3
    li a2, 0x5
    clmul a1, a1, a2
    CHECK a1, 0xf, "clmul rd=rs1"
    li a1, 0x8000000000000000
    li a2, 0x2
    clmulh a2, a1, a2
    CHECK a2, 0x1, "clmulh rd=rs2"
TEST_END
