// CLINT (SiFive core-local interruptor, one hart): msip at 0x0, mtimecmp at
// 0x4000, mtime at 0xbff8. mtime runs at 10 MHz from the virtual clock.
#pragma once
#include <cstdint>

#include "hw/core/device.h"
#include "hw/core/vclock.h"
#include "target/riscv/cpu.h"

namespace rwd {

class Clint : public MmioDevice {
 public:
  static constexpr uint64_t kTimebaseHz = 10'000'000;
  static constexpr uint64_t kNsPerTick = 1'000'000'000 / kTimebaseHz;

  Clint(riscv::Cpu& cpu, VirtualClock& clock);
  std::string name() const override { return "clint"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  uint64_t mtime() const;

 private:
  void update_timer();
  void timer_expired();

  riscv::Cpu& cpu_;
  VirtualClock& clock_;
  int timer_ = -1;
  uint64_t mtimecmp_ = 0;
  uint64_t deadline_ns_ = VirtualClock::kNever;  // armed MTIP deadline (virtual ns)
  int64_t mtime_offset_ = 0;  // guest writes to mtime move it relative to the clock
  bool msip_ = false;
};

}  // namespace rwd
