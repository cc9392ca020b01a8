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
#include "hw/virtio/virtio_device.h"

namespace rwd {

class VirtioMmio : public MmioDevice, private VirtioQueueHost {
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

  VirtioDevice* device() const { return device_.get(); }
  uint32_t status() const { return status_; }

 private:
  // VirtioQueueHost: asynchronous completions.
  uint64_t copy_to_guest(unsigned queue, const VirtqElement& e, uint64_t offset, const void* data,
                         uint64_t len) override;
  void complete(unsigned queue, const VirtqElement& e, uint64_t written) override;
  VirtQueue* live_queue(unsigned queue) override;
  void after_push(VirtQueue& q);
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  void write_status(uint32_t value);
  void notify(uint32_t queue);
  void needs_reset();
  void update_irq();
  VirtQueue* selected();      // nullptr when QueueSel names no queue
  VirtQueue* configurable();  // ... or when the selected queue is live
  uint64_t offered_features() const;

  IrqLine* irq_;
  std::unique_ptr<VirtioDevice> device_;
  bool legacy_when_empty_;
  std::vector<VirtQueue> queues_;
  uint32_t status_ = 0;
  uint32_t device_features_sel_ = 0, driver_features_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t queue_sel_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t config_generation_ = 0;
};

}  // namespace rwd
