// The device interface: a memory-mapped register block with reset and state
// save/load. A device sees the rest of the machine only through narrow
// interfaces handed to it at construction (IRQ lines, clocks, backends).
#pragma once
#include <cstdint>
#include <string>

#include "util/byte_codec.h"

namespace rwd {

class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  virtual std::string name() const = 0;
  // `offset` is relative to the device's base; `size` is 1, 2, 4 or 8. A guest
  // may send any offset/size: devices must treat both as untrusted.
  virtual uint64_t read(uint64_t offset, unsigned size) = 0;
  virtual void write(uint64_t offset, unsigned size, uint64_t value) = 0;
  virtual void reset() {}
  virtual void save(ByteWriter& w) const = 0;
  virtual void load(ByteReader& r) = 0;
};

// An interrupt line from a device to an interrupt controller or the CPU.
class IrqLine {
 public:
  virtual ~IrqLine() = default;
  virtual void set(bool level) = 0;
};

}  // namespace rwd
