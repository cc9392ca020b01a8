#include "hw/rtc/goldfish_rtc.h"

namespace rwd {

namespace {
enum Reg : uint64_t {
  kTimeLow = 0x00,
  kTimeHigh = 0x04,
  kAlarmLow = 0x08,
  kAlarmHigh = 0x0c,
  kIrqEnabled = 0x10,
  kClearAlarm = 0x14,
  kAlarmStatus = 0x18,
  kClearInterrupt = 0x1c,
};
}  // namespace

GoldfishRtc::GoldfishRtc(IrqLine* irq, VirtualClock& clock, TimeSource now, int64_t start_ns)
    : irq_(irq), clock_(clock), now_(std::move(now)) {
  tick_offset_ = static_cast<uint64_t>(start_ns) - static_cast<uint64_t>(now_());
  timer_ = clock_.add_timer([this] { alarm_fired(); });
}

uint64_t GoldfishRtc::time_ns() const { return tick_offset_ + static_cast<uint64_t>(now_()); }

// Registers are 32 bits wide. A 64-bit access is two 32-bit ones (low word
// first, so an 8-byte read of TIME_LOW gives the whole latched time); other
// sizes and unaligned offsets read 0 and are ignored.
uint64_t GoldfishRtc::read(uint64_t offset, unsigned size) {
  if (offset % 4 != 0 || offset >= kSize) return 0;
  if (size == 4) return read32(offset);
  if (size == 8 && offset + 4 < kSize) {
    uint64_t lo = read32(offset);
    return lo | (uint64_t{read32(offset + 4)} << 32);
  }
  return 0;
}

void GoldfishRtc::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset % 4 != 0 || offset >= kSize) return;
  if (size == 4) {
    write32(offset, static_cast<uint32_t>(value));
  } else if (size == 8 && offset + 4 < kSize) {
    write32(offset, static_cast<uint32_t>(value));
    write32(offset + 4, static_cast<uint32_t>(value >> 32));
  }
}

uint32_t GoldfishRtc::read32(uint64_t offset) {
  switch (offset) {
    case kTimeLow: {
      uint64_t t = time_ns();
      time_high_ = static_cast<uint32_t>(t >> 32);
      return static_cast<uint32_t>(t);
    }
    case kTimeHigh: return time_high_;
    case kAlarmLow: return static_cast<uint32_t>(alarm_next_);
    case kAlarmHigh: return static_cast<uint32_t>(alarm_next_ >> 32);
    case kIrqEnabled: return irq_enabled_;
    case kAlarmStatus: return alarm_running_;
    default: return 0;
  }
}

void GoldfishRtc::write32(uint64_t offset, uint32_t value) {
  switch (offset) {
    case kTimeLow: {
      uint64_t t = (uint64_t{time_high_} << 32) | value;
      tick_offset_ = t - static_cast<uint64_t>(now_());
      if (alarm_running_) schedule_alarm();  // the alarm is relative to the new time
      break;
    }
    case kTimeHigh: time_high_ = value; break;
    case kAlarmLow:
      alarm_next_ = (alarm_next_ & ~uint64_t{0xffffffff}) | value;
      alarm_running_ = true;
      schedule_alarm();
      break;
    case kAlarmHigh: alarm_next_ = (alarm_next_ & 0xffffffff) | (uint64_t{value} << 32); break;
    case kIrqEnabled:
      irq_enabled_ = value & 1;
      update_irq();
      break;
    case kClearAlarm:
      alarm_running_ = false;
      deadline_ns_ = VirtualClock::kNever;
      clock_.disarm(timer_);
      break;
    case kClearInterrupt:
      irq_pending_ = false;
      update_irq();
      break;
    default: break;  // ALARM_STATUS and unknown offsets are read-only/ignored
  }
}

// An alarm at or before the current time fires at once; a later one becomes
// a virtual-clock timer for the remaining distance.
void GoldfishRtc::schedule_alarm() {
  uint64_t now = time_ns();
  if (static_cast<int64_t>(alarm_next_ - now) <= 0) {
    alarm_fired();
    return;
  }
  uint64_t delta = alarm_next_ - now;
  uint64_t vnow = clock_.now_ns();
  deadline_ns_ = delta >= VirtualClock::kNever - vnow ? VirtualClock::kNever - 1 : vnow + delta;
  clock_.arm(timer_, deadline_ns_);
}

void GoldfishRtc::alarm_fired() {
  alarm_running_ = false;
  deadline_ns_ = VirtualClock::kNever;
  clock_.disarm(timer_);
  irq_pending_ = true;
  update_irq();
}

void GoldfishRtc::update_irq() { irq_->set(irq_pending_ && irq_enabled_); }

void GoldfishRtc::reset() {
  alarm_running_ = false;
  deadline_ns_ = VirtualClock::kNever;
  clock_.disarm(timer_);
  alarm_next_ = 0;
  time_high_ = 0;
  irq_pending_ = false;
  irq_enabled_ = false;
  update_irq();
}

void GoldfishRtc::save(ByteWriter& w) const {
  w.section("goldfish_rtc");
  w.u64(tick_offset_);
  w.u32(time_high_);
  w.u64(alarm_next_);
  w.u64(deadline_ns_);
  w.u8(alarm_running_);
  w.u8(irq_pending_);
  w.u8(irq_enabled_);
}

void GoldfishRtc::load(ByteReader& r) {
  r.expect_section("goldfish_rtc");
  tick_offset_ = r.u64();
  time_high_ = r.u32();
  alarm_next_ = r.u64();
  deadline_ns_ = r.u64();
  alarm_running_ = r.u8() != 0;
  irq_pending_ = r.u8() != 0;
  irq_enabled_ = r.u8() != 0;
  if (!alarm_running_) deadline_ns_ = VirtualClock::kNever;
  if (deadline_ns_ == VirtualClock::kNever) {
    alarm_running_ = false;
    clock_.disarm(timer_);
  } else {
    clock_.arm(timer_, deadline_ns_);
  }
  update_irq();
}

}  // namespace rwd
