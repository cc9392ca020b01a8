// The virtio-pci transport (virtio 1.x, 4.1) for any VirtioDevice, laid out
// as QEMU 7.2's virtio-*-pci on the root bus of virt, so that a guest
// enumerates the same function:
//
//   vendor 1af4; transitional (QEMU's default there): device 0x1000 + the
//   legacy id (blk 0x1001, rng 0x1005, net 0x1000), revision 0, subsystem
//   1af4:<virtio id>; non-transitional: device 0x1040 + virtio id,
//   revision 1, subsystem 1af4:1100. Class by device type (blk 0100, net
//   0200, rng 00ff). INTA.
//   BAR0 (transitional only): I/O, pow2ceil(24 + device config) bytes, the
//        legacy register block (4.1.4.8), which U-Boot's driver uses for
//        transitional ids (Linux uses the modern interface).
//   BAR1: 4 KiB, the MSI-X table (2 vectors) at 0 and its PBA at 0x800.
//   BAR4: 16 KiB, 64-bit prefetchable: common configuration at 0x0000, ISR
//        at 0x1000, device configuration at 0x2000, notifications at 0x3000
//        (notify_off_multiplier 4, queue n's notify_off n).
//   Capabilities: the four virtio structures, the PCI configuration access
//   capability (VIRTIO_PCI_CAP_PCI_CFG: a window onto the BARs through
//   configuration space), MSI-X.
//
// Interrupts: INTx (ISR bit 0 used buffer, bit 1 configuration change;
// reading the ISR clears it and lowers the line). The virt board without
// AIA has no MSI controller, so a driver cannot use MSI-X (Linux falls back
// to INTx); a driver that enables it anyway gets no interrupts (the
// messages have nowhere to go) rather than INTx.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "hw/pci/pci_device.h"
#include "hw/virtio/virtio_transport.h"

namespace rwd {

class VirtioPci : public PciDevice, public VirtioTransport {
 public:
  static constexpr unsigned kMsixVectors = 2;
  static constexpr uint16_t kNoVector = 0xffff;
  static constexpr uint64_t kCommonOffset = 0x0000, kIsrOffset = 0x1000, kDeviceOffset = 0x2000,
                            kNotifyOffset = 0x3000, kRegionSize = 0x1000, kModernBarSize = 0x4000;
  static constexpr uint32_t kNotifyMultiplier = 4;
  static constexpr unsigned kLegacyBar = 0, kMsixBar = 1, kModernBar = 4;

  VirtioPci(AddressSpace& as, std::unique_ptr<VirtioDevice> device, bool transitional);

  std::string name() const override;
  uint64_t bar_read(unsigned bar, uint64_t offset, unsigned size) override;
  void bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) override;
  bool transitional() const { return transitional_; }

 private:
  void describe();
  uint32_t read_isr();
  uint64_t device_config_read(uint64_t offset, unsigned size);
  void device_config_write(uint64_t offset, unsigned size, uint64_t value);
  uint64_t legacy_config_offset() const;
  uint64_t legacy_read(uint64_t offset, unsigned size);
  void legacy_write(uint64_t offset, unsigned size, uint64_t value);
  uint64_t common_read(uint64_t offset, unsigned size);
  void common_write(uint64_t offset, unsigned size, uint64_t value);
  uint64_t msix_read(uint64_t offset, unsigned size);
  void msix_write(uint64_t offset, unsigned size, uint64_t value);
  bool msix_enabled() const;
  uint16_t valid_vector(uint16_t v) const { return v < kMsixVectors ? v : kNoVector; }
  void config_before_read(uint32_t offset, unsigned size) override;
  void config_written(uint32_t offset, unsigned size) override;
  void cfg_window(bool write);
  void update_irq() override;
  void reset_device() override;
  void save_device(ByteWriter& w) const override;
  void load_device(ByteReader& r) override;

  bool transitional_;
  uint8_t msix_cap_ = 0, cfg_cap_ = 0;
  std::array<uint8_t, 16 * kMsixVectors> msix_table_{};
  uint16_t config_vector_ = kNoVector;
  std::vector<uint16_t> queue_vectors_;
};

}  // namespace rwd
