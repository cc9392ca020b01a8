// virtio-blk driven as a guest driver does, on an in-memory disk: every
// request type, completion from the drive's thread through the host loop,
// and the hostile cases (ranges past the disk, chains without a status
// byte, writes to a read-only disk, random garbage) answered with an error
// status, never a host fault.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "block/drive.h"
#include "hw/virtio/virtio_blk.h"
#include "virtio_driver.h"

namespace rwd {
namespace {

using namespace test;

class MemoryNode : public BlockNode {
 public:
  MemoryNode(uint64_t size, bool ro) : data(size, 0), ro_(ro) {}
  std::string driver() const override { return "memory"; }
  std::string describe() const override { return "memory"; }
  uint64_t size() const override { return data.size(); }
  bool read_only() const override { return ro_; }
  int read(uint64_t off, void* buf, size_t len) override {
    if (off + len > data.size()) return -EIO;
    std::memcpy(buf, data.data() + off, len);
    return 0;
  }
  int write(uint64_t off, const void* buf, size_t len) override {
    if (ro_ || off + len > data.size()) return -EIO;
    std::memcpy(data.data() + off, buf, len);
    return 0;
  }
  int flush() override {
    ++flushes;
    return 0;
  }
  int discard(uint64_t off, uint64_t len) override { return write_zeroes(off, len, true); }
  int write_zeroes(uint64_t off, uint64_t len, bool) override {
    if (off + len > data.size()) return -EIO;
    std::memset(data.data() + off, 0, len);
    return 0;
  }
  std::vector<uint8_t> data;
  int flushes = 0;

 private:
  bool ro_;
};

constexpr uint64_t kDiskBytes = 1 << 20;
constexpr uint64_t kHdr = kBuf, kData = kBuf + 0x1000, kStatusAt = kBuf + 0x8000;
enum : uint32_t { kIn = 0, kOut = 1, kFlush = 4, kGetId = 8, kDiscard = 11, kWriteZeroes = 13, kBogus = 99 };

struct BlkFixture : ::testing::Test {
  HostLoop loop;
  DirectInputPath path;
  MemoryNode* disk = nullptr;
  std::unique_ptr<Drive> drive;
  VirtioDriver d;

  void plug(bool read_only = false) {
    auto node = std::make_unique<MemoryNode>(kDiskBytes, read_only);
    disk = node.get();
    DriveConfig c;
    c.id = "d0";
    drive = std::make_unique<Drive>(c, std::move(node), loop);
    d.plug(std::make_unique<VirtioBlk>(*drive, path, 0, "rewind-serial-0001"));
    d.start();
  }
  void TearDown() override { d.dev.reset(); }
  // One request: header, then `data_len` bytes (readable for writes,
  // writable for reads), then the status byte. Waits for its completion.
  uint8_t request(uint32_t type, uint64_t sector, uint32_t data_len, bool data_writable) {
    struct {
      uint32_t type, reserved;
      uint64_t sector;
    } hdr{type, 0, sector};
    EXPECT_TRUE(d.as.write_bytes(kHdr, &hdr, sizeof hdr));
    uint8_t marker = 0xee;
    EXPECT_TRUE(d.as.write_bytes(kStatusAt, &marker, 1));
    unsigned i = 0;
    d.set_desc(i, {kHdr, 16, kNext, static_cast<uint16_t>(i + 1)});
    ++i;
    if (data_len) {
      d.set_desc(i, {kData, data_len, static_cast<uint16_t>(kNext | (data_writable ? kWrite : 0)),
                     static_cast<uint16_t>(i + 1)});
      ++i;
    }
    d.set_desc(i, {kStatusAt, 1, kWrite, 0});
    uint16_t before = d.used_idx();
    d.post(0);
    for (int k = 0; k < 100 && d.used_idx() == before; ++k) loop.iterate(50);
    EXPECT_EQ(d.used_idx(), before + 1);
    uint8_t status = 0xee;
    EXPECT_TRUE(d.as.read_bytes(kStatusAt, &status, 1));
    return status;
  }
};

TEST_F(BlkFixture, IdentifiesAsABlockDeviceWithItsCapacity) {
  plug();
  EXPECT_EQ(d.rd(kDeviceId), 2u);
  EXPECT_EQ(d.dev->read(0x100, 8), kDiskBytes / 512);  // capacity in sectors
  EXPECT_EQ(d.dev->read(0x100 + 20, 4), 512u);          // blk_size
}

TEST_F(BlkFixture, WriteThenReadBack) {
  plug();
  std::vector<uint8_t> pattern(4096);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(d.as.write_bytes(kData, pattern.data(), pattern.size()));
  EXPECT_EQ(request(kOut, 8, 4096, false), 0);
  EXPECT_EQ(0, std::memcmp(disk->data.data() + 8 * 512, pattern.data(), 4096));
  std::vector<uint8_t> zeros(4096, 0);
  ASSERT_TRUE(d.as.write_bytes(kData, zeros.data(), zeros.size()));
  EXPECT_EQ(request(kIn, 8, 4096, true), 0);
  std::vector<uint8_t> back(4096);
  ASSERT_TRUE(d.as.read_bytes(kData, back.data(), back.size()));
  EXPECT_EQ(back, pattern);
  EXPECT_EQ(d.used_elem(1).second, 4097u);  // data + status
  EXPECT_TRUE(d.irq.level);
}

TEST_F(BlkFixture, FlushGetIdDiscardWriteZeroes) {
  plug();
  EXPECT_EQ(request(kFlush, 0, 0, false), 0);
  EXPECT_EQ(disk->flushes, 1);
  EXPECT_EQ(request(kGetId, 0, 20, true), 0);
  char id[21] = {};
  ASSERT_TRUE(d.as.read_bytes(kData, id, 20));
  EXPECT_STREQ(id, "rewind-serial-0001");
  std::memset(disk->data.data(), 0xab, 8192);
  struct {
    uint64_t sector;
    uint32_t num, flags;
  } range{2, 4, 0};
  ASSERT_TRUE(d.as.write_bytes(kData, &range, sizeof range));
  EXPECT_EQ(request(kWriteZeroes, 0, sizeof range, false), 0);
  EXPECT_EQ(disk->data[2 * 512], 0);
  EXPECT_EQ(disk->data[6 * 512 - 1], 0);
  EXPECT_EQ(disk->data[6 * 512], 0xab);
  range = {0, 1, 1};  // discard takes no flags
  ASSERT_TRUE(d.as.write_bytes(kData, &range, sizeof range));
  EXPECT_EQ(request(kDiscard, 0, sizeof range, false), 2);  // UNSUPP
}

TEST_F(BlkFixture, BadRequestsGetAnErrorStatus) {
  plug();
  EXPECT_EQ(request(kIn, kDiskBytes / 512, 512, true), 1) << "a read past the end";
  EXPECT_EQ(request(kOut, ~0ull, 512, false), 1) << "an overflowing sector";
  EXPECT_EQ(request(kIn, 0, 100, true), 1) << "not a multiple of 512";
  EXPECT_EQ(request(kBogus, 0, 0, false), 2) << "an unknown type";
  // A chain without a writable byte for the status goes back untouched.
  d.set_desc(0, {kHdr, 16, 0, 0});
  uint16_t before = d.used_idx();
  d.post(0);
  EXPECT_EQ(d.used_idx(), before + 1);
  EXPECT_EQ(d.used_elem(before).second, 0u);
}

TEST_F(BlkFixture, AReadOnlyDiskRefusesWrites) {
  plug(true);
  EXPECT_NE(d.rd(kDevFeatures) & (1u << 5), 0u) << "VIRTIO_BLK_F_RO";
  EXPECT_EQ(request(kOut, 0, 512, false), 1);
  EXPECT_EQ(request(kIn, 0, 512, true), 0);
}

TEST_F(BlkFixture, RandomGarbageFaultsNothing) {
  plug();
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Desc desc{kBuf + (rng() % 0x10000), static_cast<uint32_t>(rng() % 0x20000), static_cast<uint16_t>(rng() % 8),
              static_cast<uint16_t>(rng() % 8)};
    if (rng() % 4 == 0) desc.addr = rng();  // anywhere at all
    d.set_desc(static_cast<unsigned>(rng() % 8), desc);
    uint32_t junk = static_cast<uint32_t>(rng());
    ASSERT_TRUE(d.as.write_bytes(kHdr + (rng() % 32), &junk, 4));
    d.post(static_cast<uint16_t>(rng() % 8));
    loop.iterate(0);
    if (d.rd(kStatus) & 0x40) {  // the queue broke: reset and go on, as a driver would
      d.wr(kStatus, 0);
      d.avail_idx = 0;
      d.start();
    }
  }
  for (int k = 0; k < 20; ++k) loop.iterate(10);
  SUCCEED();
}

}  // namespace
}  // namespace rwd
