// Goldfish RTC (Android's "goldfish" real-time clock, on QEMU's virt at
// 0x101000, PLIC source 11): a 64-bit nanosecond time of day and one alarm.
//
// Registers (32-bit, offsets from the base):
//   0x00 TIME_LOW      read: samples the time, latches its high half, returns
//                      the low half; write: sets the time to TIME_HIGH:value
//   0x04 TIME_HIGH     read: the latched high half; write: high half for the
//                      next TIME_LOW write
//   0x08 ALARM_LOW     write: alarm = ALARM_HIGH:value, and arms it
//   0x0c ALARM_HIGH    write: high half of the next alarm
//   0x10 IRQ_ENABLED   bit 0: the alarm interrupt reaches the line
//   0x14 CLEAR_ALARM   write: disarms the alarm
//   0x18 ALARM_STATUS  read: 1 while an alarm is armed
//   0x1c CLEAR_INTERRUPT write: lowers the interrupt
//
// The device never reads host time itself: it runs on the `now` function the
// board hands it (host wall-clock time through HostClock, or the virtual
// clock with -rtc clock=vm). Alarms are timers on the virtual clock, armed
// for the distance between the alarm and the time read when it was set.
#pragma once
#include <cstdint>
#include <functional>

#include "hw/core/device.h"
#include "hw/core/vclock.h"

namespace rwd {

class GoldfishRtc : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x1000;
  using TimeSource = std::function<int64_t()>;  // nanoseconds on the RTC's clock

  // The RTC shows `start_ns` (ns since the Unix epoch) at construction and
  // then advances with `now`.
  GoldfishRtc(IrqLine* irq, VirtualClock& clock, TimeSource now, int64_t start_ns);
  std::string name() const override { return "goldfish_rtc"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  // Disarms the alarm and clears the interrupt; the time of day is kept.
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // The time of day the guest would read now (ns since the epoch).
  uint64_t time_ns() const;

 private:
  uint32_t read32(uint64_t offset);
  void write32(uint64_t offset, uint32_t value);
  void schedule_alarm();
  void alarm_fired();
  void update_irq();

  IrqLine* irq_;
  VirtualClock& clock_;
  TimeSource now_;
  int timer_ = -1;
  uint64_t tick_offset_ = 0;  // time of day = tick_offset_ + now() (mod 2^64)
  uint32_t time_high_ = 0;
  uint64_t alarm_next_ = 0;
  uint64_t deadline_ns_ = VirtualClock::kNever;  // virtual-clock deadline of the armed alarm
  bool alarm_running_ = false;
  bool irq_pending_ = false;
  bool irq_enabled_ = false;
};

}  // namespace rwd
