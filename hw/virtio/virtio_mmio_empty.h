// A virtio-mmio transport with no device behind it, as QEMU's virt maps at
// each of its 8 slots (0x10001000 + 0x1000*i, PLIC sources 1..8) when no
// -device fills them. Measured on QEMU 7.2: MagicValue 0x74726976 ("virt"),
// Version 1 (legacy: virtio-mmio's force-legacy defaults to on), DeviceID 0,
// VendorID 0x554d4551 ("QEMU"), every other register of the 0x200-byte
// window reads 0; writes are ignored. A guest driver that finds DeviceID 0
// skips the slot quietly.
#pragma once
#include "hw/core/device.h"

namespace rwd {

class VirtioMmioEmpty : public MmioDevice {
 public:
  static constexpr uint64_t kSize = 0x200;  // QEMU maps 0x200 bytes; the rest of the 4 KiB slot is unassigned
  static constexpr uint32_t kMagic = 0x74726976, kVersion = 1, kVendor = 0x554d4551;

  std::string name() const override { return "virtio_mmio_empty"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t, unsigned, uint64_t) override {}
  void save(ByteWriter& w) const override { w.section("virtio_mmio_empty"); }
  void load(ByteReader& r) override { r.expect_section("virtio_mmio_empty"); }
};

}  // namespace rwd
