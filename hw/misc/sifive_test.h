// SiFive "test" finisher at 0x100000: a guest write powers the machine off
// (0x5555), reports failure with an exit code ((code << 16) | 0x3333) or
// resets it (0x7777).
#pragma once
#include <functional>

#include "hw/core/device.h"

namespace rwd {

class SifiveTest : public MmioDevice {
 public:
  // `on_exit(status)` for pass/fail, `on_reset()` for reset requests.
  SifiveTest(std::function<void(int)> on_exit, std::function<void()> on_reset)
      : on_exit_(std::move(on_exit)), on_reset_(std::move(on_reset)) {}
  std::string name() const override { return "sifive_test"; }
  uint64_t read(uint64_t, unsigned) override { return 0; }
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void save(ByteWriter& w) const override { w.section("sifive_test"); }
  void load(ByteReader& r) override { r.expect_section("sifive_test"); }

 private:
  std::function<void(int)> on_exit_;
  std::function<void()> on_reset_;
};

}  // namespace rwd
