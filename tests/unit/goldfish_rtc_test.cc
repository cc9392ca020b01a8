// The goldfish RTC against its register contract, with a fake time source
// and a virtual clock driven by hand.
#include "hw/rtc/goldfish_rtc.h"

#include <gtest/gtest.h>

#include <random>

namespace rwd {
namespace {

constexpr uint64_t kTimeLow = 0x00, kTimeHigh = 0x04, kAlarmLow = 0x08, kAlarmHigh = 0x0c, kIrqEnabled = 0x10,
                   kClearAlarm = 0x14, kAlarmStatus = 0x18, kClearInterrupt = 0x1c;

struct FakeIrq : IrqLine {
  bool level = false;
  int changes = 0;
  void set(bool l) override {
    changes += l != level;
    level = l;
  }
};

struct RtcFixture : ::testing::Test {
  uint64_t icount = 0;
  uint32_t in_block = 0;
  int64_t host_ns = 5'000'000'000;  // what the fake host clock reads
  VirtualClock clock;
  FakeIrq irq;
  std::unique_ptr<GoldfishRtc> rtc;

  void SetUp() override {
    clock.attach(&icount, &in_block);
    clock.set_icount_mode(0);
    // Starts at 1,000,000 s past the epoch.
    rtc = std::make_unique<GoldfishRtc>(&irq, clock, [this] { return host_ns; }, int64_t{1'000'000} * 1'000'000'000);
  }
  uint64_t read_time() {
    uint64_t lo = rtc->read(kTimeLow, 4);
    return lo | (rtc->read(kTimeHigh, 4) << 32);
  }
  // Advances both the host time and the virtual clock by `ns`, firing timers.
  void advance(uint64_t ns) {
    host_ns += static_cast<int64_t>(ns);
    icount += ns;
    clock.run_expired();
  }
};

TEST_F(RtcFixture, StartsAtBaseAndFollowsTheTimeSource) {
  EXPECT_EQ(read_time(), 1'000'000'000'000'000ull);
  host_ns += 1234;
  EXPECT_EQ(read_time(), 1'000'000'000'000'000ull + 1234);
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(rtc->read(kIrqEnabled, 4), 0u);
}

TEST_F(RtcFixture, TimeHighIsLatchedByTimeLow) {
  uint64_t t0 = read_time();
  host_ns += int64_t{1} << 33;  // high word changes
  EXPECT_EQ(rtc->read(kTimeHigh, 4), t0 >> 32) << "TIME_HIGH must not sample the clock";
  uint64_t lo = rtc->read(kTimeLow, 4);
  EXPECT_EQ(rtc->read(kTimeHigh, 4), (t0 + (uint64_t{1} << 33)) >> 32);
  EXPECT_EQ(lo, static_cast<uint32_t>(t0 + (uint64_t{1} << 33)));
  // An 8-byte read at TIME_LOW is TIME_LOW then TIME_HIGH.
  EXPECT_EQ(rtc->read(kTimeLow, 8), t0 + (uint64_t{1} << 33));
}

TEST_F(RtcFixture, GuestSetsTheTime) {
  rtc->write(kTimeHigh, 4, 0x12);
  rtc->write(kTimeLow, 4, 0x34567890);
  EXPECT_EQ(read_time(), 0x1234567890ull);
  host_ns += 10;
  EXPECT_EQ(read_time(), 0x1234567890ull + 10);
}

TEST_F(RtcFixture, AlarmFiresOnTheVirtualClockAndRaisesTheIrqWhenEnabled) {
  uint64_t now = read_time();
  uint64_t alarm = now + 1000;
  rtc->write(kIrqEnabled, 4, 1);
  rtc->write(kAlarmHigh, 4, alarm >> 32);
  rtc->write(kAlarmLow, 4, static_cast<uint32_t>(alarm));
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 1u);
  EXPECT_EQ(rtc->read(kAlarmLow, 4), static_cast<uint32_t>(alarm));
  EXPECT_EQ(rtc->read(kAlarmHigh, 4), alarm >> 32);
  EXPECT_EQ(clock.next_deadline(), 1000u);
  advance(999);
  EXPECT_FALSE(irq.level);
  advance(1);
  EXPECT_TRUE(irq.level);
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 0u);
  rtc->write(kClearInterrupt, 4, 1);
  EXPECT_FALSE(irq.level);
}

TEST_F(RtcFixture, PastAlarmFiresAtOnceAndIrqEnableGatesTheLine) {
  uint64_t now = read_time();
  rtc->write(kAlarmHigh, 4, now >> 32);
  rtc->write(kAlarmLow, 4, static_cast<uint32_t>(now - 1));
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 0u);
  EXPECT_FALSE(irq.level) << "interrupt not enabled";
  rtc->write(kIrqEnabled, 4, 1);
  EXPECT_TRUE(irq.level) << "pending interrupt reaches the line once enabled";
  rtc->write(kIrqEnabled, 4, 0);
  EXPECT_FALSE(irq.level);
}

TEST_F(RtcFixture, ClearAlarmDisarms) {
  uint64_t alarm = read_time() + 500;
  rtc->write(kIrqEnabled, 4, 1);
  rtc->write(kAlarmHigh, 4, alarm >> 32);
  rtc->write(kAlarmLow, 4, static_cast<uint32_t>(alarm));
  rtc->write(kClearAlarm, 4, 1);
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(clock.next_deadline(), VirtualClock::kNever);
  advance(1000);
  EXPECT_FALSE(irq.level);
}

TEST_F(RtcFixture, ResetKeepsTheTimeAndClearsTheRest) {
  rtc->write(kTimeHigh, 4, 7);
  rtc->write(kTimeLow, 4, 0);
  uint64_t alarm = read_time() + 100;
  rtc->write(kIrqEnabled, 4, 1);
  rtc->write(kAlarmHigh, 4, alarm >> 32);
  rtc->write(kAlarmLow, 4, static_cast<uint32_t>(alarm));
  rtc->reset();
  EXPECT_EQ(read_time(), uint64_t{7} << 32);
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 0u);
  EXPECT_EQ(rtc->read(kIrqEnabled, 4), 0u);
  EXPECT_EQ(clock.next_deadline(), VirtualClock::kNever);
}

TEST_F(RtcFixture, SaveLoadRoundTripKeepsTheArmedAlarm) {
  uint64_t alarm = read_time() + 300;
  rtc->write(kIrqEnabled, 4, 1);
  rtc->write(kAlarmHigh, 4, alarm >> 32);
  rtc->write(kAlarmLow, 4, static_cast<uint32_t>(alarm));
  ByteWriter w;
  rtc->save(w);
  rtc->reset();
  ByteReader r(w.data().data(), w.data().size());
  rtc->load(r);
  EXPECT_EQ(rtc->read(kAlarmStatus, 4), 1u);
  EXPECT_EQ(clock.next_deadline(), 300u);
  advance(300);
  EXPECT_TRUE(irq.level);
  ByteWriter w2;
  rtc->save(w2);
  ByteReader truncated(w2.data().data(), w2.data().size() - 1);
  EXPECT_THROW(rtc->load(truncated), DecodeError);
}

// Any offset, size and value: no crash, and the time of day stays readable.
TEST_F(RtcFixture, GarbageAccessesAreHarmless) {
  std::mt19937_64 rng(42);
  const unsigned sizes[] = {1, 2, 4, 8};
  for (int i = 0; i < 100000; ++i) {
    uint64_t off = rng() % 0x1100;
    if (rng() % 4 == 0) off = rng();
    unsigned size = sizes[rng() % 4];
    if (rng() % 2)
      rtc->write(off, size, rng());
    else
      (void)rtc->read(off, size);
    if (i % 100 == 0) advance(rng() % 1000);
  }
  (void)read_time();
  ByteWriter w;
  rtc->save(w);
  std::vector<uint8_t> bytes = w.data();
  for (auto& b : bytes) b ^= static_cast<uint8_t>(rng());
  ByteReader r(bytes.data(), bytes.size());
  try {
    rtc->load(r);
  } catch (const DecodeError&) {
  }
}

}  // namespace
}  // namespace rwd
