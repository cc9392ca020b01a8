// The virtio-mmio transport, split virtqueues and virtio-rng, driven the way
// a guest driver does: registers through the transport, rings and buffers
// in guest RAM. Then the hostile cases: every ring value is the guest's, and
// none may crash, hang or reach outside guest RAM.
#include <gtest/gtest.h>

#include <random>

#include "hw/core/device_factory.h"
#include "hw/virtio/virtio_rng.h"
#include "virtio_driver.h"

namespace rwd {
namespace {

using namespace test;

// Answers 0, 1, 2, ... (mod 256) and counts what it was asked for.
struct FakeEntropy : HostEntropy {
  uint8_t next = 0;
  uint64_t bytes = 0, calls = 0;
  void fill(uint8_t* buf, size_t len) override {
    for (size_t i = 0; i < len; ++i) buf[i] = next++;
    bytes += len;
    ++calls;
  }
};

struct VirtioFixture : ::testing::Test, VirtioDriver {
  FakeEntropy entropy;
  void SetUp() override { plug(std::make_unique<VirtioRng>(entropy)); }
};

TEST_F(VirtioFixture, IdentifiesAsModernEntropyDevice) {
  EXPECT_EQ(rd(kMagic), 0x74726976u);
  EXPECT_EQ(rd(kVersion), 2u);
  EXPECT_EQ(rd(kDeviceId), 4u);
  EXPECT_EQ(rd(kVendor), 0x554d4551u);
  wr(kDevFeaturesSel, 1);
  EXPECT_EQ(rd(kDevFeatures), 1u);  // VERSION_1
  wr(kDevFeaturesSel, 0);
  EXPECT_EQ(rd(kDevFeatures), 1u << 28);  // RING_INDIRECT_DESC; no event-idx
  wr(kDevFeaturesSel, 2);
  EXPECT_EQ(rd(kDevFeatures), 0u);
  EXPECT_EQ(rd(kQueueNumMax), 8u);
  wr(kQueueSel, 1);
  EXPECT_EQ(rd(kQueueNumMax), 0u);  // no such queue
  EXPECT_EQ(dev->read(kMagic, 2), 0u);  // registers are 32-bit only
}

// QEMU 7.2's empty slot, as measured: 32-bit reads of MagicValue, Version 1
// (legacy) and VendorID "QEMU"; DeviceID 0 and everything else 0; writes
// ignored.
uint64_t empty_slot_answer(uint64_t offset, unsigned size) {
  if (size != 4) return 0;
  switch (offset) {
    case 0x000: return VirtioMmio::kMagic;
    case 0x004: return 1;
    case 0x00c: return VirtioMmio::kVendor;
    default: return 0;
  }
}

TEST(VirtioEmpty, AnswersExactlyAsTheEmptySlot) {
  AddressSpace as;
  VirtioMmio mmio(as, nullptr);
  for (uint64_t off = 0; off < 0x300; ++off)
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      mmio.write(off, size, ~0ull);
      ASSERT_EQ(mmio.read(off, size), empty_slot_answer(off, size)) << std::hex << off << " size " << size;
    }
}

TEST_F(VirtioFixture, FeatureNegotiation) {
  negotiate(0);  // a legacy driver: no VERSION_1
  EXPECT_EQ(rd(kStatus), 3u) << "FEATURES_OK must not stick";
  wr(kStatus, 0);
  negotiate((1ull << 32) | (1ull << 29));  // EVENT_IDX was not offered
  EXPECT_EQ(rd(kStatus), 3u);
  wr(kStatus, 0);
  negotiate((1ull << 32) | (1ull << 28));
  EXPECT_EQ(rd(kStatus), 11u);
}

TEST_F(VirtioFixture, RequestIsFilledFromHostEntropy) {
  start();
  set_desc(0, {kBuf, 64, kWrite, 0});
  post(0);
  EXPECT_EQ(entropy.bytes, 64u);
  for (unsigned i = 0; i < 64; ++i) ASSERT_EQ(peek<uint8_t>(kBuf + i), i);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_EQ(used_elem(0), std::make_pair(0u, 64u));
  EXPECT_EQ(rd(kIntStatus), 1u);
  EXPECT_TRUE(irq.level);
  wr(kIntAck, 1);
  EXPECT_EQ(rd(kIntStatus), 0u);
  EXPECT_FALSE(irq.level);
  // A chain of two buffers gets one continuous stream.
  set_desc(1, {kBuf + 0x100, 10, kWrite | kNext, 2});
  set_desc(2, {kBuf + 0x200, 6, kWrite, 0});
  post(1);
  EXPECT_EQ(used_elem(1), std::make_pair(1u, 16u));
  EXPECT_EQ(peek<uint8_t>(kBuf + 0x100), 64);
  EXPECT_EQ(peek<uint8_t>(kBuf + 0x200), 74);
  EXPECT_FALSE(needs_reset());
}

TEST_F(VirtioFixture, NoInterruptFlagIsHonoured) {
  start();
  poke<uint16_t>(kAvail, 1);  // VIRTQ_AVAIL_F_NO_INTERRUPT
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_FALSE(irq.level);
}

TEST_F(VirtioFixture, RingWrapsAround) {
  start();
  for (unsigned i = 0; i < 40; ++i) {
    set_desc(i % 8, {kBuf + 16 * (i % 8), 4, kWrite, 0});
    post(static_cast<uint16_t>(i % 8));
    ASSERT_EQ(used_idx(), i + 1);
    ASSERT_EQ(used_elem(i).first, i % 8);
  }
  EXPECT_EQ(entropy.bytes, 160u);
}

TEST_F(VirtioFixture, IndirectDescriptors) {
  start((1ull << 32) | (1ull << 28));
  uint64_t table = kRam + 0x5000;
  set_desc(0, {kBuf, 8, kWrite | kNext, 1}, table);
  set_desc(1, {kBuf + 0x80, 8, kWrite, 0}, table);
  set_desc(0, {table, 32, kIndirect, 0});
  post(0);
  EXPECT_EQ(used_elem(0), std::make_pair(0u, 16u));
  EXPECT_EQ(peek<uint8_t>(kBuf + 0x80), 8);
  EXPECT_FALSE(needs_reset());
}

TEST_F(VirtioFixture, IndirectWithoutNegotiationNeedsReset) {
  start();
  set_desc(0, {kRam + 0x5000, 16, kIndirect, 0});
  post(0);
  EXPECT_TRUE(needs_reset());
  EXPECT_EQ(rd(kIntStatus) & 2, 2u);  // configuration change tells the driver
  EXPECT_EQ(used_idx(), 0);
}

TEST_F(VirtioFixture, LargeBufferIsCappedNotRefused) {
  start();
  set_desc(0, {kBuf, 512 * 1024, kWrite, 0});
  post(0);
  EXPECT_EQ(used_elem(0).second, VirtioRng::kMaxRequestBytes);
  EXPECT_EQ(entropy.bytes, VirtioRng::kMaxRequestBytes);
}

TEST_F(VirtioFixture, ResetClearsEverything) {
  start();
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  wr(kStatus, 0);
  EXPECT_EQ(rd(kStatus), 0u);
  EXPECT_EQ(rd(kIntStatus), 0u);
  EXPECT_FALSE(irq.level);
  EXPECT_EQ(rd(kQueueReady), 0u);
  // A new driver starts from index 0 again.
  poke<uint16_t>(kUsed + 2, 0);
  avail_idx = 0;
  start();
  post(0);
  EXPECT_EQ(used_idx(), 1);
}

TEST_F(VirtioFixture, QueueLayoutIsFixedOnceReady) {
  start();
  wr(kDescLo, 0x1234);
  wr(kQueueNum, 2);
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_FALSE(needs_reset());
}

TEST_F(VirtioFixture, SaveLoadRoundTrip) {
  start();
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  ByteWriter w;
  dev->save(w);
  FakeIrq irq2;
  VirtioMmio copy(as, &irq2, std::make_unique<VirtioRng>(entropy));
  ByteReader r(w.data().data(), w.data().size());
  copy.load(r);
  EXPECT_TRUE(irq2.level);  // the pending interrupt comes back with the state
  ByteWriter w2;
  copy.save(w2);
  EXPECT_EQ(w.data(), w2.data());
  dev = std::make_unique<VirtioMmio>(as, &irq, std::make_unique<VirtioRng>(entropy));
  ByteReader r2(w.data().data(), w.data().size());
  dev->load(r2);
  post(0);  // continues where the saved device was
  EXPECT_EQ(used_idx(), 2);
  EXPECT_EQ(used_elem(1).first, 0u);
  // A transport without a device refuses a state with one.
  VirtioMmio empty(as, nullptr);
  ByteReader r3(w.data().data(), w.data().size());
  EXPECT_THROW(empty.load(r3), DecodeError);
}

// --- hostile drivers -------------------------------------------------------

TEST_F(VirtioFixture, DescriptorLoopNeedsReset) {
  start();
  set_desc(0, {kBuf, 8, kWrite | kNext, 1});
  set_desc(1, {kBuf, 8, kWrite | kNext, 0});
  post(0);
  EXPECT_TRUE(needs_reset());
  EXPECT_EQ(used_idx(), 0);
  // The device stays stopped until reset; a second notify does nothing.
  post(0);
  EXPECT_EQ(used_idx(), 0);
}

TEST_F(VirtioFixture, SelfLoopInIndirectTableNeedsReset) {
  start((1ull << 32) | (1ull << 28));
  uint64_t table = kRam + 0x5000;
  set_desc(0, {kBuf, 8, kWrite | kNext, 0}, table);
  set_desc(0, {table, 16, kIndirect, 0});
  post(0);
  EXPECT_TRUE(needs_reset());
}

TEST_F(VirtioFixture, BadIndexesNeedReset) {
  start();
  post(8);  // head out of range
  EXPECT_TRUE(needs_reset());
  wr(kStatus, 0);
  avail_idx = 0;
  start();
  set_desc(0, {kBuf, 8, kWrite | kNext, 200});  // next out of range
  post(0);
  EXPECT_TRUE(needs_reset());
  wr(kStatus, 0);
  avail_idx = 0;
  start();
  set_desc(0, {kBuf, 8, kWrite, 0});
  poke<uint16_t>(kAvail + 2, 9);  // more requests than the queue has entries
  wr(kQueueNotify, 0);
  EXPECT_TRUE(needs_reset());
  EXPECT_EQ(entropy.bytes, 0u);
}

TEST_F(VirtioFixture, BuffersOutsideWritableRamNeedReset) {
  const Desc bad[] = {
      {kRam + kRamSize - 4, 8, kWrite, 0},      // runs off the end of RAM
      {0x10000000, 8, kWrite, 0},               // MMIO, not RAM
      {kRom, 8, kWrite, 0},                     // ROM
      {~0ull - 3, 8, kWrite, 0},                // address + length wraps
      {kBuf, 0xffffffff, kWrite, 0},            // longer than RAM
  };
  std::vector<uint8_t> rom_before(kRomSize);
  ASSERT_TRUE(as.read_bytes(kRom, rom_before.data(), kRomSize));
  for (const Desc& d : bad) {
    dev->reset();
    avail_idx = 0;
    poke<uint16_t>(kUsed + 2, 0);
    start();
    set_desc(0, d);
    post(0);
    EXPECT_TRUE(needs_reset()) << std::hex << d.addr << " " << d.len;
    EXPECT_EQ(used_idx(), 0);
  }
  std::vector<uint8_t> rom_after(kRomSize);
  ASSERT_TRUE(as.read_bytes(kRom, rom_after.data(), kRomSize));
  EXPECT_EQ(rom_before, rom_after);
  EXPECT_EQ(entropy.bytes, 0u);
}

TEST_F(VirtioFixture, RingsOutsideRamNeedReset) {
  negotiate();
  setup_queue(8, 0x12340000, kAvail, kUsed);  // unmapped
  wr(kStatus, 15);
  post(0);
  EXPECT_TRUE(needs_reset());
  dev->reset();
  negotiate();
  setup_queue(8, kDesc, ~0ull - 1, kUsed);  // the avail ring's index is not in RAM
  wr(kStatus, 15);
  wr(kQueueNotify, 0);
  EXPECT_TRUE(needs_reset());
  dev->reset();
  avail_idx = 0;
  negotiate();
  setup_queue(8, kDesc, kAvail, kRom);  // the used ring is read-only
  wr(kStatus, 15);
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  EXPECT_TRUE(needs_reset());
}

TEST_F(VirtioFixture, NotifyBeforeDriverOkDoesNothing) {
  negotiate();
  setup_queue();
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  EXPECT_EQ(entropy.calls, 0u);
  EXPECT_EQ(used_idx(), 0);
}

// Random register writes over random guest RAM: whatever happens, nothing
// crashes, hangs or writes outside RAM, and a reset brings the device back.
TEST_F(VirtioFixture, GarbageNeverCrashes) {
  std::mt19937_64 rng(42);
  std::vector<uint8_t> noise(kRamSize);
  for (int round = 0; round < 300; ++round) {
    for (auto& b : noise) b = static_cast<uint8_t>(rng());
    ASSERT_TRUE(as.write_bytes(kRam, noise.data(), noise.size()));
    // Half the time, plausible descriptors (in RAM, short) so that chains
    // get walked far instead of failing at the first address.
    if (round % 2) {
      for (unsigned i = 0; i < 8; ++i)
        set_desc(i, {kRam + rng() % kRamSize, static_cast<uint32_t>(rng() % 64),
                     static_cast<uint16_t>(rng() % 8), static_cast<uint16_t>(rng() % 9)});
    }
    dev->reset();
    start(rng() % 2 ? (1ull << 32) : (1ull << 32) | (1ull << 28));
    for (int i = 0; i < 200; ++i) {
      uint64_t off = (rng() % 0x80) * 4;
      uint32_t v = static_cast<uint32_t>(rng());
      if (off == kStatus && rng() % 4) v = 15;
      if (off == kQueueNotify || rng() % 3 == 0) {
        wr(kQueueNotify, rng() % 2);
      } else {
        wr(off, v);
      }
    }
  }
  // Still a working device afterwards.
  ASSERT_TRUE(as.write_bytes(kRam, std::vector<uint8_t>(kRamSize).data(), kRamSize));
  dev->reset();
  avail_idx = 0;
  start();
  set_desc(0, {kBuf, 8, kWrite, 0});
  post(0);
  EXPECT_EQ(used_idx(), 1);
  EXPECT_FALSE(needs_reset());
}

// -device: QEMU's syntax, its errors on one line, help on several.
TEST(DeviceSpec, ParsesAndRefuses) {
  DeviceSpec spec;
  std::string err;
  EXPECT_TRUE(parse_device_spec("virtio-rng-device", spec, err));
  EXPECT_EQ(spec.driver, "virtio-rng-device");
  EXPECT_TRUE(parse_device_spec("driver=virtio-rng-device,id=rng0", spec, err));
  EXPECT_EQ(spec.id, "rng0");
  EXPECT_FALSE(parse_device_spec("foo", spec, err));
  EXPECT_EQ(err, "-device foo: unknown device (try -device help)");
  EXPECT_FALSE(parse_device_spec("help", spec, err));
  EXPECT_NE(err.find("\nname \"virtio-rng-device\""), std::string::npos);
  EXPECT_FALSE(parse_device_spec("virtio-rng-device,help", spec, err));
  EXPECT_NE(err.find('\n'), std::string::npos);
  for (const char* bad : {"virtio-rng-device,foo=1", "virtio-rng-device,id=9x", "virtio-rng-device,rng=r0",
                          "virtio-rng-device,max-bytes=1024"}) {
    EXPECT_FALSE(parse_device_spec(bad, spec, err)) << bad;
    EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  }
  std::vector<DeviceSpec> specs;
  EXPECT_FALSE(parse_device_specs({"virtio-rng-device,id=a", "virtio-rng-device,id=a"}, specs, err));
  EXPECT_TRUE(parse_device_specs({"virtio-rng-device,id=a", "virtio-rng-device"}, specs, err));
  EXPECT_EQ(specs.size(), 2u);
}

}  // namespace
}  // namespace rwd
