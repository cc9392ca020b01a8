#include "hw/misc/sifive_test.h"

#include "util/log.h"

namespace rwd {

void SifiveTest::write(uint64_t offset, unsigned size, uint64_t value) {
  // 16- and 32-bit writes, as on QEMU (OpenSBI powers off with a 16-bit store).
  if (offset != 0 || size < 2 || size > 4) {
    if (logger().wants(kLogGuestErrors))
      logger().printf("sifive_test: ignored write of size %u at offset 0x%llx\n", size,
                      static_cast<unsigned long long>(offset));
    return;
  }
  uint32_t v = size == 2 ? static_cast<uint16_t>(value) : static_cast<uint32_t>(value);
  switch (v & 0xffff) {
    case 0x3333: on_exit_(static_cast<int>(v >> 16)); return;
    case 0x5555: on_exit_(0); return;
    case 0x7777: on_reset_(); return;
    default:
      if (logger().wants(kLogGuestErrors))
        logger().printf("sifive_test: unknown command 0x%x\n", v);
  }
}

}  // namespace rwd
