// The fw_cfg device against its register and DMA contract: string-order
// data reads, the big-endian selector, the directory, DMA select/read/skip/
// write, and hostile descriptors that must end with the error bit and never
// touch anything but guest RAM.
#include "hw/nvram/fw_cfg.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace rwd {
namespace {

using namespace fw_cfg;

constexpr uint64_t kRam = 0x80000000, kRamSize = 1 << 20;

struct FwCfgFixture : ::testing::Test {
  AddressSpace as;
  std::unique_ptr<FwCfg> dev;
  void SetUp() override {
    as.add_ram("ram", kRam, kRamSize);
    dev = std::make_unique<FwCfg>(as, true);
    dev->add_item(kNbCpus, {1, 0});
    std::string err;
    ASSERT_TRUE(dev->add_file("opt/z", {'z', 'z'}, err));
    ASSERT_TRUE(dev->add_file("opt/a", std::vector<uint8_t>(100, 7), err));
    dev->finish();
  }
  void select(uint16_t key) { dev->write(8, 2, static_cast<uint16_t>(key << 8 | key >> 8)); }
  std::string read_string(unsigned n) {
    std::string s;
    for (unsigned i = 0; i < n; ++i) s += static_cast<char>(dev->read(0, 1));
    return s;
  }
  // Writes a descriptor at `at` and runs it with an 8-byte write; returns
  // the control word it ends with.
  uint32_t dma(uint64_t at, uint32_t control, uint32_t length, uint64_t address) {
    uint8_t d[16];
    for (int i = 0; i < 4; ++i) d[i] = static_cast<uint8_t>(control >> (24 - 8 * i));
    for (int i = 0; i < 4; ++i) d[4 + i] = static_cast<uint8_t>(length >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i) d[8 + i] = static_cast<uint8_t>(address >> (56 - 8 * i));
    EXPECT_TRUE(as.write_bytes(at, d, 16));
    uint64_t be = __builtin_bswap64(at);
    dev->write(0x10, 8, be);
    uint8_t c[4];
    EXPECT_TRUE(as.read_bytes(at, c, 4));
    return static_cast<uint32_t>(c[0]) << 24 | c[1] << 16 | c[2] << 8 | c[3];
  }
};

TEST_F(FwCfgFixture, SignatureIdAndLegacyItems) {
  EXPECT_EQ(read_string(4), "QEMU") << "item 0 is selected at reset";
  select(kId);
  EXPECT_EQ(dev->read(0, 4), kIdTraditional | kIdDma);
  select(kNoGraphic);
  EXPECT_EQ(dev->read(0, 2), 1u);
  select(kNbCpus);
  EXPECT_EQ(dev->read(0, 8), 1u) << "zeros past the end";
  select(0x4000 | kSignature);
  EXPECT_EQ(read_string(4), "QEMU") << "the write-channel bit selects the same item";
  select(0x1234);
  EXPECT_EQ(dev->read(0, 8), 0u) << "an unknown item reads zeros";
}

TEST_F(FwCfgFixture, DataReadsAreInStringOrderForEverySize) {
  select(kSignature);
  EXPECT_EQ(dev->read(0, 8), 0x554d4551u) << "'Q' in the lowest byte";
  select(kSignature);
  EXPECT_EQ(dev->read(0, 2), 0x4551u);
  EXPECT_EQ(dev->read(0, 2), 0x554du);
  EXPECT_EQ(dev->read(0, 2), 0u);
  dev->write(0, 4, 0xffffffff);  // data writes are ignored
  select(kSignature);
  EXPECT_EQ(read_string(4), "QEMU");
}

TEST_F(FwCfgFixture, DirectoryIsSortedAndNumberedFrom0x20) {
  select(kFileDir);
  uint32_t count = 0;
  for (int i = 0; i < 4; ++i) count = count << 8 | static_cast<uint32_t>(dev->read(0, 1));
  ASSERT_EQ(count, 5u);
  const char* names[] = {"bios-geometry", "bootorder", "etc/boot-fail-wait", "opt/a", "opt/z"};
  const uint32_t sizes[] = {0, 0, 4, 100, 2};
  for (unsigned f = 0; f < count; ++f) {
    uint8_t e[64];
    for (uint8_t& b : e) b = static_cast<uint8_t>(dev->read(0, 1));
    EXPECT_EQ(static_cast<uint32_t>(e[0]) << 24 | e[1] << 16 | e[2] << 8 | e[3], sizes[f]) << names[f];
    EXPECT_EQ(e[4] << 8 | e[5], 0x20 + static_cast<int>(f)) << names[f];
    EXPECT_STREQ(reinterpret_cast<char*>(e + 8), names[f]);
  }
  select(0x22);
  EXPECT_EQ(dev->read(0, 4), 0xffffffffu) << "boot-fail-wait is -1";
  select(0x24);
  EXPECT_EQ(read_string(2), "zz");
}

TEST_F(FwCfgFixture, DuplicateAndLongNamesAreRefused) {
  FwCfg d(as, false);
  std::string err;
  EXPECT_FALSE(d.add_file("bootorder", {}, err));
  EXPECT_EQ(err, "duplicate fw_cfg file name: bootorder");
  EXPECT_FALSE(d.add_file(std::string(56, 'x'), {}, err));
  EXPECT_TRUE(d.add_file(std::string(55, 'x'), {}, err));
}

TEST_F(FwCfgFixture, DmaSelectReadSkipAndZerosPastTheEnd) {
  const uint64_t desc = kRam + 0x1000, buf = kRam + 0x2000;
  std::vector<uint8_t> junk(64, 0xaa);
  as.write_bytes(buf, junk.data(), junk.size());
  EXPECT_EQ(dma(desc, kDmaSelect | kDmaRead | kSignature << 16, 6, buf), 0u);
  uint8_t got[8];
  as.read_bytes(buf, got, 8);
  EXPECT_EQ(0, std::memcmp(got, "QEMU\0\0\xaa\xaa", 8));
  // opt/a (0x23): skip 98, read 4: two sevens then zeros.
  EXPECT_EQ(dma(desc, kDmaSelect | kDmaSkip | 0x23 << 16, 98, 0), 0u);
  EXPECT_EQ(dma(desc, kDmaRead, 4, buf), 0u);
  as.read_bytes(buf, got, 4);
  EXPECT_EQ(0, std::memcmp(got, "\x07\x07\0\0", 4));
  // The data register continues where DMA left off (at the end: zeros).
  EXPECT_EQ(dev->read(0, 1), 0u);
  EXPECT_EQ(dma(desc, 0, 4, buf), 0u) << "no operation is no error";
  // The 32-bit halves: high then low, the low write runs it.
  select(kSignature);
  uint8_t d[16] = {0, 0, 0, kDmaRead, 0, 0, 0, 4, 0, 0, 0, 0, 0x80, 0, 0x20, 0};
  as.write_bytes(desc, d, 16);
  dev->write(0x10, 4, 0);
  dev->write(0x14, 4, __builtin_bswap32(static_cast<uint32_t>(desc)));
  as.read_bytes(buf, got, 4);
  EXPECT_EQ(0, std::memcmp(got, "QEMU", 4));
}

TEST_F(FwCfgFixture, HostileDescriptorsEndWithTheErrorBit) {
  const uint64_t desc = kRam + 0x1000;
  EXPECT_EQ(dma(desc, kDmaRead, 4, 0), kDmaError) << "buffer at 0";
  EXPECT_EQ(dma(desc, kDmaRead, 16, kRam + kRamSize - 8), kDmaError) << "across the end of RAM";
  EXPECT_EQ(dma(desc, kDmaRead, 0xffffffff, kRam), kDmaError) << "4 GiB into 1 MiB";
  EXPECT_EQ(dma(desc, kDmaRead, 64, ~uint64_t{0} - 15), kDmaError) << "wraps";
  EXPECT_EQ(dma(desc, kDmaWrite, 4, kRam), kDmaError) << "nothing is writable";
  // Nothing past RAM's end was written by the failed reads: it is all-or-nothing.
  uint8_t tail[8];
  as.read_bytes(kRam + kRamSize - 8, tail, 8);
  EXPECT_EQ(0, std::memcmp(tail, "\0\0\0\0\0\0\0\0", 8));
  // Descriptors outside RAM or across its end: no crash, nothing written.
  dev->write(0x10, 8, 0);
  dev->write(0x10, 8, __builtin_bswap64(kRam + kRamSize - 8));
  dev->write(0x10, 8, ~uint64_t{0});
  select(kSignature);
  EXPECT_EQ(read_string(4), "QEMU");
}

TEST_F(FwCfgFixture, RandomAccessesNeverEscapeRam) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> before(kRamSize);
  for (int i = 0; i < 200000; ++i) {
    uint64_t off = rng() % 0x20;
    unsigned size = 1u << (rng() % 4);
    if (rng() % 2) {
      dev->read(off, size);
    } else {
      uint64_t v = rng();
      if (off == 0x10 || off == 0x14) v = (rng() % 3 == 0) ? __builtin_bswap64(kRam + rng() % kRamSize) : v;
      dev->write(off, size, v);
    }
  }
  select(kSignature);
  EXPECT_EQ(read_string(4), "QEMU");
}

TEST_F(FwCfgFixture, SaveAndLoadKeepTheOffset) {
  select(kSignature);
  dev->read(0, 2);
  ByteWriter w;
  dev->save(w);
  dev->reset();
  ByteReader r(w.data());
  dev->load(r);
  EXPECT_EQ(read_string(2), "MU");
  std::vector<uint8_t> bad = {0xff, 0xff, 0xff, 0xff};
  ByteReader rb(bad);
  EXPECT_THROW(dev->load(rb), DecodeError);
}

}  // namespace
}  // namespace rwd
