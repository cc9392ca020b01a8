// Damaged and hostile qcow2 images are input, not bugs: truncated at any
// point, bits flipped in the header and tables, tables pointing into the
// header or past the end, absurd sizes, unsupported or unknown features.
// Each is refused at open with a one-line BlockError naming the file, or
// opens and fails the affected requests with -EIO: never a crash, a hang,
// or a write outside the image.
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "block/qcow2_format.h"
#include "tests/unit/block_test_util.h"

namespace rwd {
namespace {

using namespace blocktest;
using namespace qcow2;

// Opens the image (read-only, then read-write) and does what a guest does:
// read everything, write a little, discard, flush, close. Returns the
// BlockError message of a refused open ("" when it opened).
std::string exercise(const std::string& path) {
  std::string refused;
  for (bool ro : {true, false}) {
    std::unique_ptr<BlockNode> node;
    try {
      DriveConfig c = drive(path, "qcow2", ro);
      c.cache = "unsafe";  // thousands of images: no fdatasync
      node = open_drive(c);
    } catch (const BlockError& e) {
      refused = e.what();
      EXPECT_EQ(refused.find('\n'), std::string::npos) << refused;
      EXPECT_NE(refused.find(path), std::string::npos) << refused;
      continue;
    }
    uint64_t size = std::min<uint64_t>(node->size(), 4 << 20);
    std::vector<uint8_t> buf(65536 + 512);
    for (uint64_t off = 0; off < size; off += 65536) {
      int r = node->read(off, buf.data(), std::min<uint64_t>(buf.size(), size - off));
      EXPECT_TRUE(r == 0 || r == -EIO) << r;
    }
    if (!ro && size > 0) {
      std::fill(buf.begin(), buf.end(), 0xa5);
      for (uint64_t off : {uint64_t{0}, size / 3, size - 1}) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
        int r = node->write(off, buf.data(), n);
        EXPECT_TRUE(r == 0 || r == -EIO || r == -ENOSPC) << r;
      }
      node->discard(0, size);
      node->write_zeroes(0, size / 2, false);
      node->flush();
      bool zero;
      node->block_status(0, size, &zero);
      try {
        node->content_digest();
      } catch (const BlockError&) {
      }
    }
  }
  return refused;
}

class HostileImages : public ::testing::Test {
 protected:
  // A small v3 image with data, a compressed cluster area and a few tables.
  void SetUp() override {
    if (!have_tool("qemu-img") || !have_tool("qemu-io")) GTEST_SKIP() << "qemu-img/qemu-io are not installed";
    std::vector<uint8_t> d(1 << 20);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i / 4096);
    write_file(dir_ / "src.raw", d);
    ASSERT_EQ(sh("qemu-img convert -c -f raw -O qcow2 -o cluster_size=4096 '" + (dir_ / "src.raw") + "' '" + good_ +
                 "'"),
              0);
    ASSERT_EQ(sh("qemu-io -c 'write -P 0x17 512k 64k' -c 'write -z 900k 8k' '" + good_ + "'"), 0);
    image_ = read_file(good_);
    ASSERT_GT(image_.size(), 8192u);
  }
  std::string put(const std::vector<uint8_t>& d) {
    write_file(bad_, d);
    return bad_;
  }
  std::vector<uint8_t> patched(uint64_t at, uint64_t v, int width) {
    std::vector<uint8_t> d = image_;
    if (width == 8) store_be64(d.data() + at, v);
    if (width == 4) store_be32(d.data() + at, static_cast<uint32_t>(v));
    return d;
  }
  uint64_t field64(uint64_t at) const { return load_be64(image_.data() + at); }

  TempDir dir_;
  std::string good_ = dir_ / "good.qcow2";
  std::string bad_ = dir_ / "bad.qcow2";
  std::vector<uint8_t> image_;
};

TEST_F(HostileImages, TheGoodImageWorks) { EXPECT_EQ(exercise(put(image_)), ""); }

TEST_F(HostileImages, TruncatedAnywhere) {
  for (size_t cut = 0; cut < image_.size(); cut += (cut < 1024 ? 8 : 509)) {
    std::vector<uint8_t> d(image_.begin(), image_.begin() + static_cast<long>(cut));
    exercise(put(d));
    EXPECT_LE(read_file(bad_).size(), image_.size() + (4u << 20)) << "cut " << cut;
  }
}

TEST_F(HostileImages, HeaderBitFlips) {
  for (size_t bit = 0; bit < 112 * 8; ++bit) {
    std::vector<uint8_t> d = image_;
    d[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    exercise(put(d));
  }
}

TEST_F(HostileImages, RandomFlipsInTables) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    std::vector<uint8_t> d = image_;
    for (int k = 0; k < 1 + i % 4; ++k) {
      size_t at = rng() % d.size();
      d[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    exercise(put(d));
  }
}

TEST_F(HostileImages, L1EntryPointingIntoTheHeader) {
  // (An aligned offset into the header cluster is 0: "no table".)
  put(patched(field64(kOffL1Offset), kOflagCopied | 0x200, 8));
  auto node = open_drive(drive(bad_, "qcow2"));
  uint8_t b[512] = {};
  EXPECT_EQ(node->read(0, b, sizeof b), -EIO);
  EXPECT_EQ(node->write(0, b, sizeof b), -EIO);
  EXPECT_EQ(image_.size(), read_file(bad_).size());
}

TEST_F(HostileImages, L1EntryPointingAtTheL1TableOrPastTheEnd) {
  for (uint64_t target : {field64(kOffL1Offset), field64(kOffRefcountTableOffset), uint64_t{1} << 40}) {
    std::vector<uint8_t> d = image_;
    store_be64(d.data() + field64(kOffL1Offset), kOflagCopied | target);
    put(d);
    auto node = open_drive(drive(bad_, "qcow2"));
    uint8_t b[512] = {};
    EXPECT_EQ(node->read(0, b, sizeof b), -EIO) << target;
    EXPECT_EQ(node->write(0, b, sizeof b), -EIO) << target;
    node.reset();
    EXPECT_LE(read_file(bad_).size(), image_.size() + 4096);  // nothing written at 1 TiB
  }
}

TEST_F(HostileImages, HugeOrInconsistentSizes) {
  EXPECT_NE(exercise(put(patched(kOffSize, 1ull << 62, 8))).find("virtual size"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffSize, ~0ull, 8))).find("too large"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffSize, 1ull << 40, 8))).find("L1 table too small"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffL1Size, 0xffffffff, 4))).find("L1"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffRefcountTableClusters, 0x7fffffff, 4))).find("refcount table"),
            std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffL1Offset, field64(kOffRefcountTableOffset), 8))).find("overlap"),
            std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffL1Offset, 0, 8))).find("L1 table offset"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffClusterBits, 30, 4))).find("cluster size"), std::string::npos);
}

TEST_F(HostileImages, RefcountTableEntryIntoTheHeader) {
  std::vector<uint8_t> d = image_;
  store_be64(d.data() + field64(kOffRefcountTableOffset), 0);  // entry 0 -> "no block"
  store_be64(d.data() + field64(kOffRefcountTableOffset) + 8, 0x200);  // misaligned
  EXPECT_NE(exercise(put(d)).find("refcount block offset"), std::string::npos);
}

TEST_F(HostileImages, UnsupportedFeaturesAreNamed) {
  auto incompat = [&](uint64_t bits) { return exercise(put(patched(kOffIncompatible, bits, 8))); };
  EXPECT_NE(incompat(kIncompatExternalData).find("external data file"), std::string::npos);
  EXPECT_NE(incompat(kIncompatExtendedL2).find("extended L2"), std::string::npos);
  EXPECT_NE(incompat(kIncompatCompressionType).find("compression type"), std::string::npos);
  EXPECT_NE(incompat(1ull << 40).find("bit 40"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffCryptMethod, 1, 4))).find("encrypted"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffVersion, 4, 4))).find("version 4"), std::string::npos);
  EXPECT_NE(exercise(put(patched(kOffRefcountOrder, 7, 4))).find("refcount order"), std::string::npos);
  std::string out;
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o extended_l2=on '" + (dir_ / "x.qcow2") + "' 1M", &out), 0) << out;
  EXPECT_NE(exercise(dir_ / "x.qcow2").find("extended L2"), std::string::npos);
}

TEST_F(HostileImages, CorruptBitAllowsReadOnlyOnly) {
  put(patched(kOffIncompatible, kIncompatCorrupt, 8));
  EXPECT_NO_THROW(open_drive(drive(bad_, "qcow2", true)));
  try {
    open_drive(drive(bad_, "qcow2"));
    ADD_FAILURE() << "opened a corrupt image read-write";
  } catch (const BlockError& e) {
    EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos);
  }
  DriveConfig snap = drive(bad_, "qcow2");
  snap.snapshot = true;  // the image is only read: allowed
  EXPECT_NO_THROW(open_drive(snap));
}

TEST_F(HostileImages, BadBackingReferences) {
  const uint64_t name_at = 1024;
  auto with_backing = [&](const std::string& name, uint64_t at, uint32_t len) {
    std::vector<uint8_t> d = patched(kOffBackingOffset, at, 8);
    store_be32(d.data() + kOffBackingSize, len);
    std::memcpy(d.data() + name_at, name.data(), std::min<size_t>(name.size(), 2000));
    return exercise(put(d));
  };
  EXPECT_NE(with_backing("bad.qcow2", name_at, 9).find("cycle"), std::string::npos);  // itself
  EXPECT_NE(with_backing("json:{}", name_at, 7).find("not a plain file name"), std::string::npos);
  EXPECT_NE(with_backing("x", 1ull << 40, 1).find("backing file name offset"), std::string::npos);
  EXPECT_NE(with_backing("x", name_at, 5000).find("too long"), std::string::npos);
}

}  // namespace
}  // namespace rwd
