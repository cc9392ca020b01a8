// The drive level of the block layer: the file protocol and raw format,
// format probing, backing chains (qcow2 and raw backings, relative names,
// cycles), the -snapshot overlay, drive options (cache=, aio=, discard=,
// detect-zeroes=) and the content digest.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "block/file.h"
#include "tests/unit/block_test_util.h"
#include "util/hash64.h"

namespace rwd {
namespace {

using namespace blocktest;

uint64_t file_hash(const std::string& path) {
  std::vector<uint8_t> d = read_file(path);
  return hash_bytes(d.data(), d.size());
}

std::string error_of(const DriveConfig& c) {
  try {
    open_drive(c);
  } catch (const BlockError& e) {
    return e.what();
  }
  return "";
}

TEST(BlockRaw, ReadWriteFlushAndBounds) {
  TempDir dir;
  std::string img = dir / "disk.img";
  std::vector<uint8_t> d(1 << 20);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i * 31);
  write_file(img, d);
  for (const char* cache : {"writeback", "none", "writethrough", "directsync", "unsafe"}) {
    DriveConfig c = drive(img, "raw");
    c.cache = cache;
    auto node = open_drive(c);
    EXPECT_EQ(node->driver(), "raw");
    EXPECT_EQ(node->size(), d.size());
    uint8_t buf[1000];
    std::memset(buf, cache[0], sizeof buf);
    ASSERT_EQ(node->write(4097, buf, sizeof buf), 0) << cache;  // unaligned, for O_DIRECT's bounce path
    std::memcpy(d.data() + 4097, buf, sizeof buf);
    ASSERT_EQ(node->flush(), 0);
    EXPECT_TRUE(read_all(*node) == d) << cache;
    EXPECT_EQ(node->write(d.size() - 10, buf, 11), -EIO);
    EXPECT_EQ(node->read(d.size(), buf, 1), -EIO);
  }
  EXPECT_EQ(read_file(img), d);  // and the file kept its size
}

TEST(BlockRaw, ReadOnlyRefusesWrites) {
  TempDir dir;
  std::string img = dir / "disk.img";
  write_file(img, std::vector<uint8_t>(65536, 1));
  auto node = open_drive(drive(img, "raw", true));
  uint8_t b[512] = {};
  EXPECT_TRUE(node->read_only());
  EXPECT_EQ(node->write(0, b, sizeof b), -EROFS);
  EXPECT_EQ(read_file(img), std::vector<uint8_t>(65536, 1));
}

TEST(BlockRaw, DiscardAndWriteZeroesPunchHoles) {
  TempDir dir;
  std::string img = dir / "disk.img";
  write_file(img, std::vector<uint8_t>(1 << 20, 0xcc));
  auto node = open_drive(drive(img, "raw"));
  ASSERT_EQ(node->write_zeroes(65536, 65536, true), 0);
  ASSERT_EQ(node->write_zeroes(3 * 65536, 100, false), 0);
  ASSERT_EQ(node->discard(5 * 65536, 65536), 0);
  std::vector<uint8_t> all = read_all(*node);
  EXPECT_TRUE(std::all_of(all.begin() + 65536, all.begin() + 131072, [](uint8_t b) { return b == 0; }));
  EXPECT_TRUE(std::all_of(all.begin() + 3 * 65536, all.begin() + 3 * 65536 + 100, [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(all[3 * 65536 + 100], 0xcc);
  EXPECT_EQ(node->size(), 1u << 20);
}

TEST(BlockRaw, DiscardIgnoredByDefaultAsInQemu) {
  TempDir dir;
  std::string img = dir / "disk.img";
  write_file(img, std::vector<uint8_t>(1 << 20, 0xcc));
  DriveConfig c = drive(img, "raw");
  c.discard = "";
  auto node = open_drive(c);
  ASSERT_EQ(node->discard(0, 1 << 20), 0);
  EXPECT_EQ(read_file(img), std::vector<uint8_t>(1 << 20, 0xcc));
}

TEST(BlockDrive, RefusesWhatItCannotOpen) {
  TempDir dir;
  EXPECT_NE(error_of(drive(dir / "missing.img")).find("missing.img"), std::string::npos);
  EXPECT_NE(error_of(drive(dir.path())).find("not a regular file"), std::string::npos);
  mkfifo((dir / "fifo").c_str(), 0600);
  EXPECT_NE(error_of(drive(dir / "fifo")).find("not a regular file"), std::string::npos);
  write_file(dir / "d.img", std::vector<uint8_t>(4096));
  DriveConfig c = drive(dir / "d.img", "vmdk");
  EXPECT_NE(error_of(c).find("'vmdk' is not supported"), std::string::npos);
  c = drive(dir / "d.img", "raw");
  c.cache = "bogus";
  EXPECT_NE(error_of(c).find("invalid cache mode"), std::string::npos);
  c.cache = "";
  c.aio = "native";  // needs O_DIRECT, as in QEMU
  EXPECT_NE(error_of(c).find("aio=native"), std::string::npos);
  c.aio = "io_uring";
  EXPECT_EQ(error_of(c), "");
  c.detect_zeroes = "unmap";
  c.discard = "ignore";
  EXPECT_NE(error_of(c).find("discard=unmap"), std::string::npos);
}

TEST(BlockDrive, ProbedRawMayNotBecomeQcow2) {
  TempDir dir;
  std::string img = dir / "d.img";
  write_file(img, std::vector<uint8_t>(65536, 0));
  auto node = open_drive(drive(img));  // probed: raw, with a warning
  EXPECT_EQ(node->driver(), "raw");
  uint8_t magic[8] = {'Q', 'F', 'I', 0xfb, 0, 0, 0, 3};
  EXPECT_EQ(node->write(0, magic, sizeof magic), -EPERM);
  EXPECT_EQ(node->write(512, magic, sizeof magic), 0);
  auto explicit_raw = open_drive(drive(img, "raw"));
  EXPECT_EQ(explicit_raw->write(0, magic, sizeof magic), 0);
}

TEST(BlockDrive, ProbesQcow2) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + (dir / "a.qcow2") + "' 1M"), 0);
  EXPECT_EQ(open_drive(drive(dir / "a.qcow2"))->driver(), "qcow2");
  EXPECT_EQ(open_drive(drive(dir / "a.qcow2"))->describe(), (dir / "a.qcow2") + " (qcow2)");
}

TEST(BlockBacking, ThreeLevelChainWithRelativeNames) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  const std::string d = "cd '" + dir.path() + "' && ";
  ASSERT_EQ(sh(d + "qemu-img create -q -f raw base.raw 2M"), 0);
  ASSERT_EQ(sh(d + "qemu-io -f raw -c 'write -P 0x11 0 2M' base.raw"), 0);
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 -b base.raw -F raw mid.qcow2 3M"), 0);  // larger than its base
  ASSERT_EQ(sh(d + "qemu-io -c 'write -P 0x22 1M 64k' mid.qcow2"), 0);
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 -o compat=0.10 -b mid.qcow2 -F qcow2 top.qcow2"), 0);
  ASSERT_EQ(sh(d + "qemu-io -c 'write -P 0x33 4k 4k' top.qcow2"), 0);
  std::vector<uint8_t> expect(3 << 20, 0);
  std::fill_n(expect.begin(), 2 << 20, 0x11);
  std::fill_n(expect.begin() + (1 << 20), 65536, 0x22);
  std::fill_n(expect.begin() + 4096, 4096, 0x33);
  uint64_t base_hash = file_hash(dir / "base.raw"), mid_hash = file_hash(dir / "mid.qcow2");
  {
    auto node = open_drive(drive(dir / "top.qcow2", "qcow2"));
    ASSERT_TRUE(read_all(*node) == expect);
    std::vector<uint8_t> pat(100000, 0x44);
    ASSERT_EQ(node->write((2 << 20) - 50000, pat.data(), pat.size()), 0);  // across the base's end
    std::copy(pat.begin(), pat.end(), expect.begin() + (2 << 20) - 50000);
    ASSERT_EQ(node->write_zeroes(0, 65536, true), 0);  // v2: written zeros, not the backing's data
    std::fill_n(expect.begin(), 65536, 0);
    ASSERT_TRUE(read_all(*node) == expect);
  }
  EXPECT_EQ(file_hash(dir / "base.raw"), base_hash);  // backing files are only read
  EXPECT_EQ(file_hash(dir / "mid.qcow2"), mid_hash);
  EXPECT_EQ(qemu_check(dir / "top.qcow2"), "");
  write_file(dir / "ref.raw", expect);
  std::string out;
  EXPECT_EQ(sh(d + "qemu-img compare -f qcow2 -F raw top.qcow2 ref.raw", &out), 0) << out;
}

TEST(BlockBacking, V3DiscardHidesBackingData) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  const std::string d = "cd '" + dir.path() + "' && ";
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 base.qcow2 1M && qemu-io -c 'write -P 0x55 0 1M' base.qcow2"), 0);
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 top.qcow2"), 0);
  auto node = open_drive(drive(dir / "top.qcow2", "qcow2"));
  uint8_t b[512];
  ASSERT_EQ(node->write(0, b, 0), 0);
  ASSERT_EQ(node->write_zeroes(65536, 65536, true), 0);
  ASSERT_EQ(node->discard(3 * 65536, 65536), 0);
  std::vector<uint8_t> all = read_all(*node);
  EXPECT_EQ(all[0], 0x55);
  EXPECT_EQ(all[65536], 0);
  EXPECT_EQ(all[3 * 65536], 0);
  EXPECT_EQ(all[4 * 65536], 0x55);
  node.reset();
  EXPECT_EQ(qemu_check(dir / "top.qcow2"), "");
}

TEST(BlockBacking, CycleAndMissingBackingAreRefused) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  const std::string d = "cd '" + dir.path() + "' && ";
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 b.qcow2 1M"), 0);
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 -b b.qcow2 -F qcow2 a.qcow2"), 0);
  // b's backing becomes a: a -> b -> a (qemu-img rebase -u writes no data).
  ASSERT_EQ(sh(d + "qemu-img rebase -u -f qcow2 -b a.qcow2 -F qcow2 b.qcow2"), 0);
  std::string e = error_of(drive(dir / "a.qcow2"));
  EXPECT_NE(e.find("cycle"), std::string::npos) << e;
  ASSERT_EQ(sh(d + "qemu-img rebase -u -f qcow2 -b b.qcow2 -F qcow2 b.qcow2"), 0);  // its own backing
  e = error_of(drive(dir / "b.qcow2"));
  EXPECT_NE(e.find("cycle"), std::string::npos) << e;
  ASSERT_EQ(sh(d + "qemu-img rebase -u -f qcow2 -b gone.qcow2 -F qcow2 b.qcow2"), 0);
  e = error_of(drive(dir / "a.qcow2"));
  EXPECT_NE(e.find("gone.qcow2"), std::string::npos) << e;
}

TEST(BlockBacking, DeepChainIsRefused) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  const std::string d = "cd '" + dir.path() + "' && ";
  ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 i0.qcow2 64k"), 0);
  for (int i = 1; i <= 40; ++i)
    ASSERT_EQ(sh(d + "qemu-img create -q -f qcow2 -u -b i" + std::to_string(i - 1) + ".qcow2 -F qcow2 i" +
                 std::to_string(i) + ".qcow2 64k"),
              0);
  EXPECT_EQ(error_of(drive(dir / "i20.qcow2")), "");
  EXPECT_NE(error_of(drive(dir / "i40.qcow2")).find("deeper than"), std::string::npos);
}

TEST(BlockSnapshot, OverlayLeavesTheImageUntouched) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  for (const char* fmt : {"qcow2", "raw"}) {
    std::string img = dir / (std::string("s.") + fmt);
    ASSERT_EQ(sh("qemu-img create -q -f " + std::string(fmt) + " '" + img + "' 2M"), 0);
    uint64_t before = file_hash(img);
    struct stat st0;
    stat(img.c_str(), &st0);
    DriveConfig c = drive(img, fmt);
    c.snapshot = true;
    setenv("TMPDIR", dir.path().c_str(), 1);
    {
      auto node = open_drive(c);
      EXPECT_EQ(node->driver(), "qcow2");  // the overlay
      std::vector<uint8_t> pat(300000, 0x5e);
      ASSERT_EQ(node->write(1000, pat.data(), pat.size()), 0);
      ASSERT_EQ(node->discard(0, 2 << 20), 0);
      ASSERT_EQ(node->write(70000, pat.data(), 1000), 0);
      ASSERT_EQ(node->flush(), 0);
      uint8_t b[1000];
      ASSERT_EQ(node->read(70000, b, sizeof b), 0);
      EXPECT_EQ(b[999], 0x5e);
      std::string out;
      sh("ls '" + dir.path() + "'", &out);
      EXPECT_EQ(out.find("rewind-snapshot"), std::string::npos) << "the overlay is unlinked at once";
    }
    unsetenv("TMPDIR");
    EXPECT_EQ(file_hash(img), before) << fmt;
    EXPECT_EQ(qemu_check(img), fmt == std::string("qcow2") ? "" : qemu_check(img));
  }
}

TEST(BlockDigest, SameDataSameDigestWhateverTheFormat) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::vector<uint8_t> d(3 << 20, 0);
  for (size_t i = 100000; i < 900000; ++i) d[i] = static_cast<uint8_t>(i);
  write_file(dir / "a.raw", d);
  ASSERT_EQ(sh("qemu-img convert -f raw -O qcow2 '" + (dir / "a.raw") + "' '" + (dir / "a.qcow2") + "'"), 0);
  ASSERT_EQ(sh("qemu-img convert -c -f raw -O qcow2 '" + (dir / "a.raw") + "' '" + (dir / "c.qcow2") + "'"), 0);
  std::string raw = open_drive(drive(dir / "a.raw", "raw"))->content_digest();
  EXPECT_EQ(open_drive(drive(dir / "a.qcow2", "qcow2"))->content_digest(), raw);
  EXPECT_EQ(open_drive(drive(dir / "c.qcow2", "qcow2"))->content_digest(), raw);
  EXPECT_EQ(raw.rfind(std::to_string(3 << 20) + " bytes, content hash 0x", 0), 0u) << raw;
  d[2 << 20] = 1;  // one byte in a region that was a hole
  write_file(dir / "b.raw", d);
  EXPECT_NE(open_drive(drive(dir / "b.raw", "raw"))->content_digest(), raw);
  d[2 << 20] = 0;
  d.push_back(0);  // one byte longer, same data
  write_file(dir / "e.raw", d);
  EXPECT_NE(open_drive(drive(dir / "e.raw", "raw"))->content_digest(), raw);
}

TEST(BlockDrive, DetectZeroesTurnsZeroWritesIntoZeroClusters) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "z.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 4M"), 0);
  DriveConfig c = drive(img, "qcow2");
  c.detect_zeroes = "unmap";
  {
    auto node = open_drive(c);
    std::vector<uint8_t> zeros(1 << 20, 0);
    ASSERT_EQ(node->write(0, zeros.data(), zeros.size()), 0);
  }
  EXPECT_LT(read_file(img).size(), 512u * 1024);  // no data clusters were allocated
  EXPECT_EQ(qemu_check(img), "");
}

}  // namespace
}  // namespace rwd
