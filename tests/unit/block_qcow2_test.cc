// qcow2 interoperability with QEMU's own tools: images made by qemu-img and
// written by qemu-io read back as QEMU wrote them, and images written by
// rewind pass `qemu-img check` and `qemu-img compare` against a raw
// reference of what the guest wrote. Across versions 2 and 3, cluster sizes
// from 512 bytes to 2 MiB and refcount widths from 1 to 64 bits.
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "block/qcow2.h"
#include "block/qcow2_format.h"
#include "tests/unit/block_test_util.h"

namespace rwd {
namespace {

using namespace blocktest;

struct Layout {
  const char* compat;  // "0.10" (v2) or "1.1" (v3)
  int cluster_size;
  int refcount_bits;
  const char* extra = "";  // more -o options (",preallocation=metadata")
};

std::string layout_name(const ::testing::TestParamInfo<Layout>& p) {
  return std::string(p.param.compat[0] == '0' ? "v2" : "v3") + "_c" + std::to_string(p.param.cluster_size) + "_r" +
         std::to_string(p.param.refcount_bits) + (p.param.extra[0] ? "_prealloc" : "");
}

class Qcow2Layout : public ::testing::TestWithParam<Layout> {
 protected:
  std::string create(const std::string& name, uint64_t size, const std::string& extra = "") {
    const Layout& l = GetParam();
    std::string path = dir_ / name;
    std::string out;
    int s = sh("qemu-img create -q -f qcow2 -o compat=" + std::string(l.compat) +
                   ",cluster_size=" + std::to_string(l.cluster_size) + ",refcount_bits=" +
                   std::to_string(l.refcount_bits) + l.extra + extra + " '" + path + "' " + std::to_string(size),
               &out);
    EXPECT_EQ(s, 0) << out;
    return path;
  }
  TempDir dir_;
};

TEST_P(Qcow2Layout, ReadsWhatQemuIoWrote) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  std::string img = create("img.qcow2", 8 << 20);
  std::vector<uint8_t> expect(8 << 20, 0);
  struct W {
    uint64_t off, len;
    int pattern;
  } writes[] = {{0, 65536, 0xab}, {1 << 20, 4096, 0x11}, {3 * 65536 + 512, 1024, 0x5a}, {(8 << 20) - 512, 512, 0xee}};
  for (const W& w : writes) {
    std::string out;
    ASSERT_EQ(sh("qemu-io -f qcow2 -c 'write -P " + std::to_string(w.pattern) + " " + std::to_string(w.off) + " " +
                     std::to_string(w.len) + "' '" + img + "'",
                 &out),
              0)
        << out;
    std::fill_n(expect.begin() + static_cast<long>(w.off), w.len, static_cast<uint8_t>(w.pattern));
  }
  auto node = open_drive(drive(img, "qcow2", true));
  EXPECT_EQ(node->driver(), "qcow2");
  EXPECT_EQ(node->size(), 8u << 20);
  EXPECT_TRUE(read_all(*node) == expect);
}

// Random writes, discards and zeroes through rewind, mirrored in memory;
// then QEMU's verdict on the image and its comparison with the mirror.
TEST_P(Qcow2Layout, RandomWorkloadPassesQemuImgCheckAndCompare) {
  REQUIRE_QEMU_IMG();
  const uint64_t size = 6 << 20;
  std::string img = create("img.qcow2", size);
  const uint64_t cs = static_cast<uint64_t>(GetParam().cluster_size);
  std::vector<uint8_t> mirror(size, 0);
  std::mt19937_64 rng(GetParam().cluster_size * 131 + GetParam().refcount_bits);
  {
    auto node = open_drive(drive(img, "qcow2"));
    for (int op = 0; op < 300; ++op) {
      uint64_t max_len = std::min<uint64_t>(size, std::max<uint64_t>(3 * cs, 256 * 1024));
      uint64_t len = 1 + rng() % max_len;
      uint64_t off = rng() % (size - len + 1);
      if (rng() % 3 == 0) off &= ~(cs - 1), len = std::min(size - off, (len + cs - 1) & ~(cs - 1));
      int kind = static_cast<int>(rng() % 10);
      if (kind < 7) {
        std::vector<uint8_t> data(len);
        uint8_t seed = static_cast<uint8_t>(rng());
        for (uint64_t i = 0; i < len; ++i) data[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
        ASSERT_EQ(node->write(off, data.data(), len), 0);
        std::copy(data.begin(), data.end(), mirror.begin() + static_cast<long>(off));
      } else if (kind < 9) {
        ASSERT_EQ(node->write_zeroes(off, len, kind == 8), 0);
        std::fill_n(mirror.begin() + static_cast<long>(off), len, 0);
      } else {
        ASSERT_EQ(node->discard(off, len), 0);
        // Whole clusters only; with no backing file they read as zeros.
        uint64_t a = (off + cs - 1) & ~(cs - 1), b = (off + len) & ~(cs - 1);
        if (b > a) std::fill(mirror.begin() + static_cast<long>(a), mirror.begin() + static_cast<long>(b), 0);
      }
      if (op % 50 == 49) {
        ASSERT_EQ(node->flush(), 0);
        ASSERT_TRUE(read_all(*node) == mirror) << "after op " << op;
      }
    }
    ASSERT_TRUE(read_all(*node) == mirror);
  }
  EXPECT_EQ(qemu_check(img), "");
  write_file(dir_ / "ref.raw", mirror);
  std::string out;
  EXPECT_EQ(sh("qemu-img compare -f qcow2 -F raw '" + img + "' '" + (dir_ / "ref.raw") + "'", &out), 0) << out;
  auto again = open_drive(drive(img, "qcow2", true));
  EXPECT_TRUE(read_all(*again) == mirror);
  EXPECT_EQ(again->content_digest(), open_drive(drive(dir_ / "ref.raw", "raw", true))->content_digest());
}

INSTANTIATE_TEST_SUITE_P(Layouts, Qcow2Layout,
                         ::testing::Values(Layout{"1.1", 65536, 16}, Layout{"0.10", 65536, 16},
                                           Layout{"1.1", 512, 16}, Layout{"0.10", 512, 16},
                                           Layout{"1.1", 4096, 1}, Layout{"1.1", 512, 64},
                                           Layout{"1.1", 2097152, 16}, Layout{"1.1", 1024, 8},
                                           Layout{"1.1", 4096, 2}, Layout{"1.1", 4096, 32},
                                           Layout{"1.1", 65536, 16, ",preallocation=metadata"},
                                           Layout{"0.10", 4096, 16, ",preallocation=falloc"}),
                         layout_name);

TEST(Qcow2Interop, DirtyBitSetWhileWritingClearedOnClose) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "img.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 1M"), 0);
  auto incompatible = [&] { return qcow2::load_be64(read_file(img).data() + qcow2::kOffIncompatible); };
  {
    auto node = open_drive(drive(img, "qcow2"));
    EXPECT_EQ(incompatible(), 0u);  // opening alone changes nothing
    uint8_t b[512] = {1};
    ASSERT_EQ(node->write(0, b, sizeof b), 0);
    EXPECT_EQ(incompatible() & qcow2::kIncompatDirty, qcow2::kIncompatDirty);
  }
  EXPECT_EQ(incompatible(), 0u);
  EXPECT_EQ(qemu_check(img), "");
}

TEST(Qcow2Interop, CompressedClustersReadAndCopyOnWrite) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::vector<uint8_t> data(2 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>((i / 4096) * 13 + (i % 251 == 0));
  std::fill_n(data.begin() + (1 << 20), 65536, 0);  // a zero cluster in the middle
  write_file(dir / "src.raw", data);
  std::string img = dir / "c.qcow2";
  for (const char* opts : {"", "-o cluster_size=4096", "-o compat=0.10"}) {
    std::string out;
    ASSERT_EQ(sh("qemu-img convert -c -f raw -O qcow2 " + std::string(opts) + " '" + (dir / "src.raw") + "' '" + img +
                 "'", &out), 0) << out;
    auto node = open_drive(drive(img, "qcow2"));
    ASSERT_TRUE(read_all(*node) == data) << opts;
    // Writes into compressed clusters: the cluster is inflated and copied.
    uint8_t pat[700];
    std::memset(pat, 0x77, sizeof pat);
    for (uint64_t off : {100ull, 70000ull, 1500000ull}) {
      ASSERT_EQ(node->write(off, pat, sizeof pat), 0);
      std::memcpy(data.data() + off, pat, sizeof pat);
    }
    ASSERT_TRUE(read_all(*node) == data);
    node.reset();
    EXPECT_EQ(qemu_check(img), "") << opts;
    write_file(dir / "ref.raw", data);
    EXPECT_EQ(sh("qemu-img compare -q -f qcow2 -F raw '" + img + "' '" + (dir / "ref.raw") + "'", &out), 0) << out;
    std::memcpy(data.data(), read_file(dir / "src.raw").data(), data.size());
  }
}

// Images with internal snapshots: the snapshot's clusters are shared, so
// rewind's writes copy them and the snapshot keeps its contents.
TEST(Qcow2Interop, InternalSnapshotSurvivesWrites) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  std::string img = dir / "s.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 4M"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x42 0 3M' '" + img + "'"), 0);
  ASSERT_EQ(sh("qemu-img snapshot -c snap1 '" + img + "'"), 0);
  std::vector<uint8_t> after(4 << 20, 0);
  std::fill_n(after.begin(), 3 << 20, 0x42);
  {
    auto node = open_drive(drive(img, "qcow2"));
    std::vector<uint8_t> pat(200000, 0x99);
    ASSERT_EQ(node->write(12345, pat.data(), pat.size()), 0);
    std::copy(pat.begin(), pat.end(), after.begin() + 12345);
    ASSERT_EQ(node->discard(2 << 20, 1 << 20), 0);
    std::fill_n(after.begin() + (2 << 20), 1 << 20, 0);
  }
  EXPECT_EQ(qemu_check(img), "");
  write_file(dir / "after.raw", after);
  std::string out;
  EXPECT_EQ(sh("qemu-img compare -q -f qcow2 -F raw '" + img + "' '" + (dir / "after.raw") + "'", &out), 0) << out;
  ASSERT_EQ(sh("qemu-img convert -l snapshot.name=snap1 -O raw '" + img + "' '" + (dir / "snap.raw") + "'", &out), 0)
      << out;
  std::vector<uint8_t> snap = read_file(dir / "snap.raw");
  ASSERT_EQ(snap.size(), 4u << 20);
  EXPECT_TRUE(std::all_of(snap.begin(), snap.begin() + (3 << 20), [](uint8_t b) { return b == 0x42; }));
}

// A write far beyond the refcount table's reach makes it grow (512-byte
// clusters with 64-bit refcounts: one table cluster covers 2 MiB).
TEST(Qcow2Interop, RefcountTableGrows) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "g.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=512,refcount_bits=64 '" + img + "' 16M"), 0);
  std::vector<uint8_t> mirror(16 << 20, 0);
  {
    auto node = open_drive(drive(img, "qcow2"));
    std::vector<uint8_t> d(1 << 20);
    for (int i = 0; i < 12; ++i) {
      std::fill(d.begin(), d.end(), static_cast<uint8_t>(i + 1));
      uint64_t off = static_cast<uint64_t>(i) * (1 << 20) + 512 * i;
      ASSERT_EQ(node->write(off, d.data(), d.size()), 0);
      std::copy(d.begin(), d.end(), mirror.begin() + static_cast<long>(off));
    }
    ASSERT_TRUE(read_all(*node) == mirror);
  }
  uint32_t rt_clusters = qcow2::load_be32(read_file(img).data() + qcow2::kOffRefcountTableClusters);
  EXPECT_GT(rt_clusters, 1u);
  EXPECT_EQ(qemu_check(img), "");
  write_file(dir / "ref.raw", mirror);
  EXPECT_EQ(sh("qemu-img compare -q -f qcow2 -F raw '" + img + "' '" + (dir / "ref.raw") + "'"), 0);
}

TEST(Qcow2Interop, LazyRefcountsImageWhenClean) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "l.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o lazy_refcounts=on '" + img + "' 1M"), 0);
  {
    auto node = open_drive(drive(img, "qcow2"));
    std::vector<uint8_t> d(70000, 3);
    ASSERT_EQ(node->write(1000, d.data(), d.size()), 0);
  }
  EXPECT_EQ(qemu_check(img), "");
}

TEST(Qcow2Interop, LargeSparseDiskDigestIsCheap) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "big.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 4T"), 0);
  auto node = open_drive(drive(img, "qcow2"));
  std::string empty = node->content_digest();
  uint8_t b[512];
  std::memset(b, 9, sizeof b);
  ASSERT_EQ(node->write((4ull << 40) - 512, b, sizeof b), 0);  // the very last sector
  uint8_t r[512];
  ASSERT_EQ(node->read((4ull << 40) - 512, r, sizeof r), 0);
  EXPECT_EQ(std::memcmp(b, r, sizeof b), 0);
  EXPECT_NE(node->content_digest(), empty);
  EXPECT_EQ(node->read(4ull << 40, r, 1), -EIO);  // past the end
}

}  // namespace
}  // namespace rwd

namespace rwd {
namespace {

using namespace blocktest;

// A copy taken while rewind had the image open for writing is what a crash
// leaves: dirty bit set. Opening it for writing rebuilds the refcounts.
TEST(Qcow2Repair, CrashCopyIsRepairedOnOpen) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "img.qcow2", crashed = dir / "crashed.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=4096 '" + img + "' 8M"), 0);
  std::vector<uint8_t> mirror(8 << 20, 0);
  {
    auto node = open_drive(drive(img, "qcow2"));
    std::vector<uint8_t> d(300000);
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>(i % 253);
    ASSERT_EQ(node->write(5000, d.data(), d.size()), 0);
    ASSERT_EQ(node->discard(0, 4 << 20), 0);  // frees queued until the flush
    std::copy(d.begin(), d.end(), mirror.begin() + 5000);
    std::fill_n(mirror.begin(), 4 << 20, 0);
    ASSERT_EQ(node->write(6 << 20, d.data(), 10000), 0);
    std::copy_n(d.begin(), 10000, mirror.begin() + (6 << 20));
    ASSERT_EQ(node->flush(), 0);
    write_file(crashed, read_file(img));
  }
  EXPECT_EQ(qcow2::load_be64(read_file(crashed).data() + qcow2::kOffIncompatible) & qcow2::kIncompatDirty, 1u);
  {
    auto node = open_drive(drive(crashed, "qcow2"));
    EXPECT_TRUE(read_all(*node) == mirror);
  }
  EXPECT_EQ(qcow2::load_be64(read_file(crashed).data() + qcow2::kOffIncompatible), 0u);
  EXPECT_EQ(qemu_check(crashed), "");
}

// QEMU with lazy refcounts killed mid-run leaves counts that are too low.
TEST(Qcow2Repair, LazyRefcountsLeftByAKilledQemu) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  std::string img = dir / "lazy.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o lazy_refcounts=on '" + img + "' 4M"), 0);
  sh("qemu-io -c 'write -P 0x3c 64k 1M' -c 'write -P 0x3d 3M 4k' -c abort '" + img + "'");
  std::string before = qemu_check(img);
  EXPECT_NE(before, "") << "qemu-io abort left a clean image?";
  {
    auto ro = open_drive(drive(img, "qcow2", true));  // read-only: no repair needed
    std::vector<uint8_t> all = read_all(*ro);
    EXPECT_EQ(all[64 * 1024], 0x3c);
    EXPECT_EQ(all[3 << 20], 0x3d);
  }
  {
    auto rw = open_drive(drive(img, "qcow2"));
    uint8_t b[4096];
    std::memset(b, 1, sizeof b);
    ASSERT_EQ(rw->write(2 << 20, b, sizeof b), 0);
  }
  EXPECT_EQ(qemu_check(img), "");
}

}  // namespace
}  // namespace rwd

namespace rwd {
namespace {

using namespace blocktest;

// The repair counts the internal snapshots' tables and clusters too.
TEST(Qcow2Repair, ImageWithInternalSnapshot) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  std::string img = dir / "s.qcow2", crashed = dir / "crashed.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o cluster_size=4096 '" + img + "' 2M"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x61 0 1M' '" + img + "'"), 0);
  ASSERT_EQ(sh("qemu-img snapshot -c one '" + img + "'"), 0);
  {
    auto node = open_drive(drive(img, "qcow2"));
    std::vector<uint8_t> d(200000, 0x62);
    ASSERT_EQ(node->write(300000, d.data(), d.size()), 0);
    ASSERT_EQ(node->flush(), 0);
    write_file(crashed, read_file(img));
  }
  { auto node = open_drive(drive(crashed, "qcow2")); }
  EXPECT_EQ(qemu_check(crashed), "");
  std::string out;
  ASSERT_EQ(sh("qemu-img convert -l snapshot.name=one -O raw '" + crashed + "' '" + (dir / "one.raw") + "'", &out), 0)
      << out;
  std::vector<uint8_t> one = read_file(dir / "one.raw");
  EXPECT_TRUE(std::all_of(one.begin(), one.begin() + (1 << 20), [](uint8_t b) { return b == 0x61; }));
}

}  // namespace
}  // namespace rwd
