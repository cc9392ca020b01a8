// A guest driver for the virtio unit tests: registers through the
// virtio-mmio transport, rings and buffers in guest RAM, as Linux's driver
// does it (virtio 1.x, 3.1.1 and 4.2.3).
#pragma once
#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "hw/core/memory.h"
#include "hw/virtio/virtio_mmio.h"

namespace rwd::test {

constexpr uint64_t kRam = 0x80000000, kRamSize = 1 << 20, kRom = 0x1000, kRomSize = 0x1000;
constexpr uint64_t kDesc = kRam + 0x1000, kAvail = kRam + 0x2000, kUsed = kRam + 0x3000, kBuf = kRam + 0x10000;
enum : uint64_t {
  kMagic = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendor = 0x00c, kDevFeatures = 0x010, kDevFeaturesSel = 0x014,
  kDrvFeatures = 0x020, kDrvFeaturesSel = 0x024, kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038,
  kQueueReady = 0x044, kQueueNotify = 0x050, kIntStatus = 0x060, kIntAck = 0x064, kStatus = 0x070,
  kDescLo = 0x080, kDescHi = 0x084, kAvailLo = 0x090, kAvailHi = 0x094, kUsedLo = 0x0a0, kUsedHi = 0x0a4,
};
constexpr uint16_t kNext = 1, kWrite = 2, kIndirect = 4;

struct FakeIrq : IrqLine {
  bool level = false;
  void set(bool l) override { level = l; }
};

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

// A guest driver's view of one virtio-mmio transport: RAM, the device's
// registers, its first queue at kDesc/kAvail/kUsed.
struct VirtioDriver {
  AddressSpace as;
  FakeIrq irq;
  std::unique_ptr<VirtioMmio> dev;
  uint16_t avail_idx = 0;

  VirtioDriver() {
    as.add_ram("rom", kRom, kRomSize, true);
    as.add_ram("ram", kRam, kRamSize);
  }
  void plug(std::unique_ptr<VirtioDevice> device) {
    dev = std::make_unique<VirtioMmio>(as, &irq, std::move(device));
    dev->reset();
  }
  uint32_t rd(uint64_t off) { return static_cast<uint32_t>(dev->read(off, 4)); }
  void wr(uint64_t off, uint32_t v) { dev->write(off, 4, v); }
  template <typename T>
  T peek(uint64_t pa) {
    T v{};
    EXPECT_TRUE(as.read_bytes(pa, &v, sizeof v));
    return v;
  }
  template <typename T>
  void poke(uint64_t pa, T v) {
    ASSERT_TRUE(as.write_bytes(pa, &v, sizeof v));
  }

  // The driver's initialization sequence (3.1.1, 4.2.3.2).
  void negotiate(uint64_t features = 1ull << 32) {
    wr(kStatus, 1);
    wr(kStatus, 1 | 2);
    wr(kDrvFeaturesSel, 0);
    wr(kDrvFeatures, static_cast<uint32_t>(features));
    wr(kDrvFeaturesSel, 1);
    wr(kDrvFeatures, static_cast<uint32_t>(features >> 32));
    wr(kStatus, 1 | 2 | 8);
  }
  void setup_queue(uint32_t num = 8, uint64_t desc = kDesc, uint64_t avail = kAvail, uint64_t used = kUsed) {
    wr(kQueueSel, 0);
    wr(kQueueNum, num);
    wr(kDescLo, static_cast<uint32_t>(desc));
    wr(kDescHi, static_cast<uint32_t>(desc >> 32));
    wr(kAvailLo, static_cast<uint32_t>(avail));
    wr(kAvailHi, static_cast<uint32_t>(avail >> 32));
    wr(kUsedLo, static_cast<uint32_t>(used));
    wr(kUsedHi, static_cast<uint32_t>(used >> 32));
    wr(kQueueReady, 1);
  }
  void start(uint64_t features = 1ull << 32) {
    negotiate(features);
    ASSERT_EQ(rd(kStatus), 11u);
    setup_queue();
    wr(kStatus, 1 | 2 | 8 | 4);
  }
  void set_desc(unsigned i, Desc d, uint64_t table = kDesc) { poke(table + 16ull * i, d); }
  // Publishes chain head `head` and notifies the device.
  void post(uint16_t head, uint32_t num = 8) {
    poke<uint16_t>(kAvail + 4 + 2 * (avail_idx % num), head);
    ++avail_idx;
    poke<uint16_t>(kAvail + 2, avail_idx);
    wr(kQueueNotify, 0);
  }
  uint16_t used_idx() { return peek<uint16_t>(kUsed + 2); }
  std::pair<uint32_t, uint32_t> used_elem(unsigned i, uint32_t num = 8) {
    return {peek<uint32_t>(kUsed + 4 + 8 * (i % num)), peek<uint32_t>(kUsed + 8 + 8 * (i % num))};
  }
  bool needs_reset() { return rd(kStatus) & 0x40; }
};

}  // namespace rwd::test
