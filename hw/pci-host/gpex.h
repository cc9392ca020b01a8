// The generic PCI Express host bridge of QEMU's virt board
// ("pci-host-ecam-generic" in the device tree): an ECAM configuration
// window (1 MiB per bus, 4 KiB per function), a 64 KiB I/O window, a 32-bit
// memory window and a 64-bit one above RAM, all mapped 1:1 onto bus 0's
// address spaces (the I/O window's first byte is I/O address 0), and the
// host bridge function itself at 00:00.0 (Red Hat 1b36:0008, class 0600, as
// QEMU's gpex-root). INTA..INTD go to four interrupt controller inputs.
#pragma once
#include <array>
#include <memory>

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/pci/pci_bus.h"

namespace rwd {

struct PciHostWindows {
  uint64_t ecam_base = 0, ecam_size = 0;  // ecam_size / 1 MiB buses
  uint64_t pio_base = 0, pio_size = 0;
  uint64_t mmio_base = 0, mmio_size = 0;
  uint64_t high_base = 0, high_size = 0;
};

class GenericPcieHost {
 public:
  GenericPcieHost(AddressSpace& as, const PciHostWindows& windows, std::array<IrqLine*, 4> intx);
  ~GenericPcieHost();
  PciBus& bus() { return bus_; }
  const PciHostWindows& windows() const { return windows_; }
  void reset() { bus_.reset(); }

 private:
  class Ecam;
  class Window;
  PciHostWindows windows_;
  PciBus bus_;
  std::unique_ptr<Ecam> ecam_;
  std::unique_ptr<Window> pio_, mmio_, high_;
};

}  // namespace rwd
