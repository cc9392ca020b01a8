// Tests for the debug trigger field logic (target/riscv/debug_triggers.h)
// and the CSRs in the hart: what tdata1 writes leave (the values QEMU 7.2
// gives, from tests/tcg/sdtrig.S), the types QEMU 7.2 aborts on (ignored
// here), matching, and a loaded state with a tselect past the triggers.
#include <cstdint>

#include <gtest/gtest.h>

#include "target/riscv/cpu.h"
#include "target/riscv/cpu_fields.h"
#include "target/riscv/debug_triggers.h"

namespace rwd::riscv {
namespace {

using namespace trigger;

constexpr uint64_t kT2 = 2ull << 60, kT6 = 6ull << 60;

TEST(DebugTriggers, Tdata1WarlAsQemu) {
  EXPECT_EQ(write_tdata1(kTdata1Reset, ~0ull), kTdata1Reset) << "type 15: ignored";
  EXPECT_EQ(write_tdata1(kTdata1Reset, 0x2fffffffffffffff), 0x200000000000005full);
  EXPECT_EQ(write_tdata1(kTdata1Reset, 0x6fffffffffffffff), 0x600000000180005full);
  EXPECT_EQ(write_tdata1(kT2, kT2 | (1ull << 59) | 0x44), kT2 | 0x44) << "dmode reads 0";
  EXPECT_EQ(write_tdata1(kT2, kT2 | 0x1044), kT2 | 0x44) << "action reads 0";
  EXPECT_EQ(write_tdata1(kT2, kT2 | 0x844), kT2 | 0x44) << "chain reads 0";
  EXPECT_EQ(write_tdata1(kT2, kT2 | 0x84), kT2 | 0x04) << "match reads 0";
  EXPECT_EQ(write_tdata1(kT2, kT2 | 0x210044), kT2 | 0x210044) << "size 5 kept";
  EXPECT_EQ(write_tdata1(kT2, kT2 | 0x200044), kT2 | 0x44) << "size 4 dropped";
  EXPECT_EQ(write_tdata1(kT6, kT6 | 0x50044), kT6 | 0x50044);
  EXPECT_EQ(write_tdata1(kT6, kT6 | 0x60044), kT6 | 0x44);
}

TEST(DebugTriggers, TypesQemuAbortsOnAreIgnored) {
  // QEMU 7.2 hits an assertion (a host abort) for these; a guest must never
  // crash rewind, so they leave tdata1 as the other unsupported types do.
  for (uint64_t type : {0ull, 1ull, 3ull, 4ull, 5ull, 7ull, 8ull, 9ull, 10ull, 11ull, 12ull, 13ull, 14ull, 15ull})
    EXPECT_EQ(write_tdata1(kT6 | 0x44, (type << 60) | 0x0fffffffffffffffull), kT6 | 0x44) << type;
}

TEST(DebugTriggers, DataLengthsAsQemu) {
  EXPECT_EQ(data_length(kT2), 8u);
  EXPECT_EQ(data_length(kT2 | (1 << 16)), 1u);
  EXPECT_EQ(data_length(kT2 | (3 << 16)), 3u);
  EXPECT_EQ(data_length(kT2 | (1 << 16) | (1 << 21)), 5u);
  EXPECT_EQ(data_length(kT6 | (5 << 16)), 5u);
}

TEST(DebugTriggers, Matching) {
  CpuState s;
  s.priv = Priv::S;
  s.tdata1[1] = kT2 | kS | kLoad | (2 << 16);  // 2 bytes
  s.tdata2[1] = 0x1000;
  EXPECT_TRUE(data_hit(s, 0xffe, 4, kLoad));
  EXPECT_TRUE(data_hit(s, 0x1001, 1, kLoad));
  EXPECT_FALSE(data_hit(s, 0x1002, 1, kLoad));
  EXPECT_FALSE(data_hit(s, 0xff8, 8, kLoad));
  EXPECT_FALSE(data_hit(s, 0x1000, 1, kStore));
  s.priv = Priv::U;
  EXPECT_FALSE(data_hit(s, 0x1000, 1, kLoad)) << "S-only trigger in U";
  EXPECT_TRUE(data_armed_on_page(s, 0x1000));
  EXPECT_FALSE(data_armed_on_page(s, 0x2000));
  s.tdata2[1] = ~0ull - 3;  // 8 bytes from here wrap: never matches, as QEMU
  s.tdata1[1] = kT2 | kU | kLoad;
  EXPECT_FALSE(data_hit(s, ~0ull - 3, 4, kLoad));
  s.tdata1[0] = kT6 | kU | kExecute;
  s.tdata2[0] = 0x8000;
  EXPECT_TRUE(execute_hit(s, 0x8000));
  EXPECT_FALSE(execute_hit(s, 0x8002));
  s.priv = Priv::M;
  EXPECT_FALSE(execute_hit(s, 0x8000));
  EXPECT_TRUE(execute_armed_at(s, 0x8000));
}

TEST(DebugTriggers, LoadRefusesOutOfRangeTselectAndBadTdata1) {
  // (tests/unit/cpu_save_test.cc also covers these, field by field.)
  CpuState s;
  s.mstatus = (2ull << 32) | (2ull << 34);
  s.misa = kMisaValue;
  s.tselect = 1;
  s.tdata1[1] = kT6 | kU | kStore | (5 << 16);
  s.tdata2[1] = 0x1234;
  ByteWriter w;
  save_cpu_state(s, w);
  // A state as the hart can hold it loads; an index past the two triggers
  // (which the CSRs would use to index an array) or a tdata1 no write leaves
  // is refused.
  CpuState bad = s;
  bad.tselect = 7;
  ByteWriter wb;
  save_cpu_state(bad, wb);
  ByteReader r(wb.data());
  CpuState out;
  EXPECT_THROW(load_cpu_state(out, r), DecodeError);
  bad = s;
  bad.tdata1[0] = 1ull << 60;
  ByteWriter wc;
  save_cpu_state(bad, wc);
  ByteReader rc(wc.data());
  EXPECT_THROW(load_cpu_state(out, rc), DecodeError);
  ByteReader ok(w.data());
  EXPECT_NO_THROW(load_cpu_state(out, ok));
  EXPECT_EQ(out.tdata1[1], s.tdata1[1]);
  EXPECT_EQ(out.tdata2[1], 0x1234u);
  EXPECT_EQ(out.tselect, 1u);
}

}  // namespace
}  // namespace rwd::riscv
