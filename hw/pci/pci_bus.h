// PCI bus 0 of a host bridge: up to 32 single-function devices by slot,
// configuration access by (slot, function, offset), memory and I/O accesses
// decoded to the BAR that claims them, and the four INTx lines.
//
// Decoding follows the BARs as they are now, so whatever the guest programs
// (BARs over each other, over RAM, half-sized) only changes which BAR an
// access in one of the host bridge's windows reaches: where two BARs
// overlap the lower slot (then the lower BAR) wins, an address no BAR
// claims reads 0 and ignores writes. Addresses outside the windows never
// reach the bus at all (RAM stays RAM).
#pragma once
#include <array>
#include <cstdint>
#include <memory>

#include "hw/core/device.h"
#include "hw/pci/pci_device.h"
#include "util/byte_codec.h"

namespace rwd {

class PciBus {
 public:
  static constexpr unsigned kSlots = 32;

  // `intx[i]`: the interrupt controller input of INTx line i (the swizzled
  // INTA..INTD: slot s, pin p (1..4) drives line (s + p - 1) % 4).
  explicit PciBus(std::array<IrqLine*, 4> intx) : intx_(intx) {}

  // Plugs `dev` into `slot` (which must be free).
  void plug(unsigned slot, std::unique_ptr<PciDevice> dev);
  PciDevice* device(unsigned slot) const { return slot < kSlots ? slots_[slot].get() : nullptr; }
  // The first free slot at or above `from`, or -1.
  int free_slot(unsigned from) const;

  // Configuration space of function `fn` of `slot`: absent functions read
  // all ones and ignore writes.
  uint32_t config_read(unsigned slot, unsigned fn, uint32_t offset, unsigned size);
  void config_write(unsigned slot, unsigned fn, uint32_t offset, unsigned size, uint32_t value);

  // A bus-address access in memory or I/O space.
  uint64_t read(bool io, uint64_t addr, unsigned size);
  void write(bool io, uint64_t addr, unsigned size, uint64_t value);

  void reset();
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  PciDevice* decode(bool io, uint64_t addr, unsigned size, unsigned& bar, uint64_t& offset) const;
  void update_line(unsigned line);

  std::array<IrqLine*, 4> intx_;
  std::array<std::unique_ptr<PciDevice>, kSlots> slots_;
};

}  // namespace rwd
