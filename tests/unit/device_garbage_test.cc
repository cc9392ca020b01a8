// Guest-controlled register accesses are untrusted input: every device must
// survive any offset, size and value (and a corrupt saved state) without
// crashing, touching memory outside itself, or getting stuck.
#include <gtest/gtest.h>

#include <random>

#include "hw/char/ns16550a.h"
#include "hw/intc/plic.h"
#include "hw/misc/sifive_test.h"
#include "hw/virtio/virtio_mmio.h"
#include "hw/virtio/virtio_rng.h"
#include "tests/unit/test_machine.h"

namespace rwd {
namespace {

void hammer(MmioDevice& dev, uint64_t span, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const unsigned sizes[] = {1, 2, 4, 8};
  for (int i = 0; i < 200000; ++i) {
    uint64_t off = rng() % span;
    if (rng() % 8 == 0) off = rng();  // far outside the device as well
    unsigned size = sizes[rng() % 4];
    if (rng() % 2)
      dev.write(off, size, rng());
    else
      (void)dev.read(off, size);
  }
}

void corrupt_state_is_refused_or_harmless(MmioDevice& dev, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ByteWriter w;
  dev.save(w);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> bytes = w.data();
    for (auto& b : bytes)
      if (rng() % 4 == 0) b = static_cast<uint8_t>(rng());
    bytes.resize(rng() % (bytes.size() + 1));
    ByteReader r(bytes.data(), bytes.size());
    try {
      dev.load(r);
    } catch (const DecodeError&) {
    }
  }
}

TEST(DeviceGarbage, Plic) {
  test::TestMachine m;
  Plic plic(m.cpu);
  for (unsigned n = 1; n < 96; ++n) plic.irq(n)->set(n % 3 == 0);
  hammer(plic, 0x600000, 1);
  corrupt_state_is_refused_or_harmless(plic, 2);
  // Still a working interrupt controller afterwards.
  plic.reset();
  plic.write(4 * 10, 4, 1);            // priority of source 10
  plic.write(0x2000, 4, 1u << 10);     // enable it for context 0 (M)
  plic.write(0x200000, 4, 0);          // threshold 0
  plic.irq(10)->set(true);
  EXPECT_NE(m.cpu.s.mip & riscv::irq::kMEIP, 0u);
  EXPECT_EQ(plic.read(0x200004, 4), 10u);  // claim
}

TEST(DeviceGarbage, Uart) {
  Ns16550a uart(nullptr, nullptr);
  hammer(uart, 0x100, 3);
  corrupt_state_is_refused_or_harmless(uart, 4);
  uart.reset();
  EXPECT_NE(uart.read(5, 1) & 0x20, 0u);  // transmitter empty after reset
}

TEST(DeviceGarbage, Clint) {
  test::TestMachine m;
  hammer(m.clint, 0x10000, 5);
  corrupt_state_is_refused_or_harmless(m.clint, 6);
}

// Random register writes reach QueueNotify with random ring addresses, and
// with RAM full of noise the rings and descriptors are noise too.
TEST(DeviceGarbage, VirtioMmio) {
  struct CountingEntropy : HostEntropy {
    uint64_t bytes = 0;
    void fill(uint8_t* buf, size_t len) override {
      for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(bytes++);
    }
  } entropy;
  test::TestMachine m;
  std::mt19937_64 rng(8);
  std::vector<uint8_t> noise(m.ram->size);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  m.load(test::kRamBase, noise.data(), noise.size());
  VirtioMmio empty(m.as, nullptr);
  hammer(empty, VirtioMmio::kSize, 9);
  corrupt_state_is_refused_or_harmless(empty, 10);
  VirtioMmio rng_dev(m.as, nullptr, std::make_unique<VirtioRng>(entropy));
  hammer(rng_dev, VirtioMmio::kSize, 11);
  corrupt_state_is_refused_or_harmless(rng_dev, 12);
  rng_dev.reset();
  EXPECT_EQ(rng_dev.read(0x70, 4), 0u);   // status cleared
  EXPECT_EQ(rng_dev.read(0x08, 4), 4u);   // still an entropy device
}

TEST(DeviceGarbage, SifiveTestOnlyActsOnItsCommands) {
  int exits = 0, resets = 0;
  SifiveTest dev([&](int) { ++exits; }, [&] { ++resets; });
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = rng();
    uint16_t cmd = static_cast<uint16_t>(v);
    if (cmd == 0x3333 || cmd == 0x5555 || cmd == 0x7777) continue;
    dev.write(rng() % 0x1000, 4, v);
  }
  EXPECT_EQ(exits, 0);
  EXPECT_EQ(resets, 0);
  dev.write(0, 2, 0x5555);
  EXPECT_EQ(exits, 1);
}

}  // namespace
}  // namespace rwd
