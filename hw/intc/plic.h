// SiFive-style PLIC (platform-level interrupt controller) as on QEMU's virt:
// 96 sources (1..95 usable, 0 means "none"), priorities 0..7, and two contexts
// for the one hart: context 0 drives mip.MEIP, context 1 mip.SEIP.
//
// Register map (offsets from 0x0c000000, 32-bit registers):
//   0x000000 + 4*src      source priority
//   0x001000 + 4*word     pending bits (read-only)
//   0x002000 + 0x80*ctx   enable bits, 3 words per context
//   0x200000 + 0x1000*ctx threshold; +4: claim (read) / complete (write)
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "hw/core/device.h"
#include "target/riscv/cpu.h"

namespace rwd {

class Plic : public MmioDevice {
 public:
  static constexpr unsigned kNumSources = 96;  // "riscv,ndev" = 0x60 in QEMU's tree
  static constexpr unsigned kNumContexts = 2;
  static constexpr unsigned kWords = (kNumSources + 31) / 32;
  static constexpr uint32_t kMaxPriority = 7;

  explicit Plic(riscv::Cpu& cpu);
  std::string name() const override { return "plic"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // The interrupt line of source `n` (1..kNumSources-1), owned by the PLIC.
  IrqLine* irq(unsigned n);

 private:
  class Source : public IrqLine {
   public:
    Source(Plic& plic, unsigned n) : plic_(plic), n_(n) {}
    void set(bool level) override { plic_.set_input(n_, level); }

   private:
    Plic& plic_;
    unsigned n_;
  };

  void set_input(unsigned n, bool level);
  static bool bit(const std::array<uint32_t, kWords>& a, unsigned n) { return (a[n / 32] >> (n % 32)) & 1; }
  static void set_bit(std::array<uint32_t, kWords>& a, unsigned n, bool v);
  // Highest-priority source that is pending, enabled for `ctx`, not claimed
  // and has a priority above `min_priority` (0 if none).
  unsigned best(unsigned ctx, uint32_t min_priority) const;
  void update();
  uint32_t read32(uint64_t offset);
  void write32(uint64_t offset, uint32_t value);

  riscv::Cpu& cpu_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::array<uint32_t, kNumSources> priority_{};
  std::array<uint32_t, kWords> pending_{};
  std::array<uint32_t, kWords> claimed_{};
  std::array<std::array<uint32_t, kWords>, kNumContexts> enable_{};
  std::array<uint32_t, kNumContexts> threshold_{};
};

}  // namespace rwd
