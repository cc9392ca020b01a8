#include "hw/virtio/virtio_mmio_empty.h"

namespace rwd {

// The identification registers answer 32-bit reads only, as on QEMU (which
// returns 0 for a register read of another size).
uint64_t VirtioMmioEmpty::read(uint64_t offset, unsigned size) {
  if (size != 4) return 0;
  switch (offset) {
    case 0x000: return kMagic;
    case 0x004: return kVersion;
    case 0x00c: return kVendor;
    default: return 0;  // DeviceID (0x008) = 0: no device
  }
}

}  // namespace rwd
