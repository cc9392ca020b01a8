// A virtio-mmio transport (virtio 1.x, 4.2: "modern", Version 2) at one of
// the virt board's slots, with an optional device behind it.
//
// Without a device it answers exactly as QEMU 7.2's empty slots do (it keeps
// their legacy Version 1: force-legacy is on by default there): MagicValue,
// Version 1, DeviceID 0, VendorID "QEMU", zeros elsewhere, writes ignored; a
// driver that finds DeviceID 0 skips the slot.
//
// With a device, QEMU 7.2 would still present the legacy interface; rewind
// presents the modern one (Linux drives both).
#pragma once
#include <memory>
#include <vector>

#include "hw/core/device.h"
#include "hw/virtio/virtio_transport.h"

namespace rwd {

class VirtioMmio : public MmioDevice, public VirtioTransport {
 public:
  static constexpr uint64_t kSize = 0x200;  // QEMU maps 0x200 bytes of the 4 KiB slot
  static constexpr uint32_t kMagic = 0x74726976;  // "virt"
  static constexpr uint32_t kVendor = 0x554d4551;  // "QEMU"

  // `legacy_when_empty`: an empty slot answers Version 1, as QEMU's with
  // force-legacy=on (its default); off: Version 2.
  VirtioMmio(AddressSpace& as, IrqLine* irq, std::unique_ptr<VirtioDevice> device = nullptr,
             bool legacy_when_empty = true);

  std::string name() const override;
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

 private:
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  void update_irq() override;

  IrqLine* irq_;
  bool legacy_when_empty_;
};

}  // namespace rwd
