// qcow2 internal snapshots made by rewind (block/qcow2_snapshot*.cc): the
// snapshot table's encoding, and images whose snapshots QEMU's own tools
// list (`qemu-img snapshot -l`), check clean (`qemu-img check`), read
// (`qemu-img convert -l`) and apply (`qemu-img snapshot -a`); snapshots
// QEMU made, read by rewind; hostile tables refused with one line.
#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "block/drive_policy.h"
#include "block/qcow2.h"
#include "block/qcow2_format.h"
#include "block/qcow2_snapshot.h"
#include "tests/unit/block_test_util.h"

namespace rwd {
namespace {

using namespace blocktest;

Qcow2Node& qcow2_of(BlockNode& top) {
  auto* policy = dynamic_cast<DrivePolicyNode*>(&top);
  BlockNode* n = policy ? &policy->inner() : &top;
  auto* q = dynamic_cast<Qcow2Node*>(n);
  if (!q) throw std::runtime_error("not a qcow2 node");
  return *q;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

Qcow2Snapshot meta(const std::string& id, const std::string& name) {
  Qcow2Snapshot s;
  s.id = id;
  s.name = name;
  s.date_sec = 1700000000;
  s.date_nsec = 5;
  s.vm_clock_ns = 1234567890;
  s.icount = 987654321;
  return s;
}

// ---- the table's encoding -------------------------------------------------

TEST(Qcow2SnapshotTable, RoundTrip) {
  std::vector<Qcow2Snapshot> in = {meta("1", "first"), meta("7", "a longer name, with spaces")};
  in[0].l1_offset = 0x30000;
  in[0].l1_size = 3;
  in[0].vm_state_size = (5ull << 32) + 17;  // needs the 64-bit extra field
  in[0].disk_size = 1 << 30;
  in[0].has_disk_size = true;
  in[1].extra = std::vector<uint8_t>(40, 0xaa);  // unknown extra data is kept
  std::vector<uint8_t> bytes = encode_qcow2_snapshot_table(in);
  EXPECT_EQ(bytes.size() % 8, 0u);
  std::vector<Qcow2Snapshot> out = parse_qcow2_snapshot_table(bytes.data(), bytes.size(), 2, 65536, "t");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, "first");
  EXPECT_EQ(out[0].l1_offset, 0x30000u);
  EXPECT_EQ(out[0].l1_size, 3u);
  EXPECT_EQ(out[0].vm_state_size, (5ull << 32) + 17);
  EXPECT_EQ(out[0].disk_size, 1u << 30);
  EXPECT_EQ(out[0].icount, 987654321);
  EXPECT_EQ(out[0].vm_clock_ns, 1234567890u);
  EXPECT_EQ(out[1].name, "a longer name, with spaces");
  EXPECT_EQ(out[1].id, "7");
  ASSERT_EQ(out[1].extra.size(), 40u);
  EXPECT_EQ(out[1].extra[30], 0xaa);
  EXPECT_EQ(qcow2_next_snapshot_id(out), "8");
}

TEST(Qcow2SnapshotTable, MalformedTablesAreRefusedWithOneLine) {
  std::vector<Qcow2Snapshot> in = {meta("1", "a"), meta("2", "b")};
  in[0].l1_offset = in[1].l1_offset = 0x10000;
  std::vector<uint8_t> good = encode_qcow2_snapshot_table(in);
  auto refused = [](std::vector<uint8_t> b, uint32_t count, const char* what) {
    try {
      parse_qcow2_snapshot_table(b.data(), b.size(), count, 65536, "img.qcow2");
    } catch (const BlockError& e) {
      std::string m = e.what();
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
      EXPECT_NE(m.find("img.qcow2"), std::string::npos) << m;
      EXPECT_NE(m.find(what), std::string::npos) << m;
      return;
    }
    ADD_FAILURE() << "accepted: " << what;
  };
  refused(good, 3, "truncated");
  refused(std::vector<uint8_t>(good.begin(), good.begin() + 50), 2, "truncated");
  std::vector<uint8_t> b = good;
  qcow2::store_be64(b.data(), 0x10001);
  refused(b, 2, "misaligned");
  b = good;
  qcow2::store_be32(b.data() + 8, 0x7fffffff);
  refused(b, 2, "too large");
  b = good;
  qcow2::store_be32(b.data() + 36, 5000);
  refused(b, 2, "extra data");
  in[1].id = "1";
  refused(encode_qcow2_snapshot_table(in), 2, "duplicate ID");
  // Random damage: refused or parsed, never a crash or a read past the end.
  std::mt19937 rng(1);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> d = good;
    for (int k = 0; k < 3; ++k) d[rng() % d.size()] = static_cast<uint8_t>(rng());
    d.resize(rng() % (d.size() + 1));
    try {
      parse_qcow2_snapshot_table(d.data(), d.size(), 2, 512, "x");
    } catch (const BlockError&) {
    }
  }
}

// ---- images, checked by QEMU's tools ----------------------------------------

struct Layout {
  const char* compat;
  int cluster_size;
  int refcount_bits;
};

std::string layout_name(const ::testing::TestParamInfo<Layout>& p) {
  return std::string(p.param.compat[0] == '0' ? "v2" : "v3") + "_c" + std::to_string(p.param.cluster_size) + "_r" +
         std::to_string(p.param.refcount_bits);
}

class Qcow2SnapshotImage : public ::testing::TestWithParam<Layout> {
 protected:
  std::string create(uint64_t size) {
    const Layout& l = GetParam();
    std::string path = dir_ / "img.qcow2";
    std::string out;
    EXPECT_EQ(sh("qemu-img create -q -f qcow2 -o compat=" + std::string(l.compat) +
                     ",cluster_size=" + std::to_string(l.cluster_size) +
                     ",refcount_bits=" + std::to_string(l.refcount_bits) + " '" + path + "' " + std::to_string(size),
                 &out),
              0)
        << out;
    return path;
  }
  std::string list(const std::string& img) {
    std::string out;
    EXPECT_EQ(sh("qemu-img snapshot -l '" + img + "'", &out), 0) << out;
    return out;
  }
  std::vector<uint8_t> convert(const std::string& img, const std::string& snap) {
    std::string out, raw = dir_ / "snap.raw";
    EXPECT_EQ(sh("qemu-img convert -l snapshot.name=" + snap + " -O raw '" + img + "' '" + raw + "'", &out), 0) << out;
    return read_file(raw);
  }
  TempDir dir_;
};

// savevm's disk work: snapshot, write on (copy-on-write), read the VM
// state back, revert, delete; QEMU checks the image after each step.
TEST_P(Qcow2SnapshotImage, CreateWriteRevertDelete) {
  REQUIRE_QEMU_IMG();
  const uint64_t size = 3 << 20;
  std::string img = create(size);
  std::vector<uint8_t> a = pattern(size, 1), b = pattern(size / 2, 2);
  std::vector<uint8_t> vm = pattern(300000, 3);
  {
    auto top = open_drive(drive(img, "qcow2"));
    ASSERT_EQ(top->write(0, a.data(), a.size()), 0);
    Qcow2Node& q = qcow2_of(*top);
    ASSERT_EQ(q.create_snapshot(meta("1", "one"), vm), 0);
    ASSERT_EQ(top->write(size / 4, b.data(), b.size()), 0);  // over shared clusters
  }
  EXPECT_EQ(qemu_check(img), "");
  std::string l = list(img);
  EXPECT_NE(l.find("one"), std::string::npos) << l;
  EXPECT_NE(l.find("293 KiB"), std::string::npos) << l;  // 300000 bytes of VM state
  EXPECT_TRUE(convert(img, "one") == a);
  std::vector<uint8_t> now = a;
  std::copy(b.begin(), b.end(), now.begin() + size / 4);
  {
    auto top = open_drive(drive(img, "qcow2"));
    Qcow2Node& q = qcow2_of(*top);
    ASSERT_EQ(q.snapshots().size(), 1u);
    EXPECT_EQ(q.snapshots()[0].icount, 987654321);
    EXPECT_TRUE(read_all(*top) == now);
    std::vector<uint8_t> got;
    ASSERT_EQ(q.read_vm_state(0, &got), 0);
    EXPECT_TRUE(got == vm);
    // A second snapshot without VM state, then back to the first.
    ASSERT_EQ(q.create_snapshot(meta("2", "two"), {}), 0);
    ASSERT_EQ(q.apply_snapshot(0), 0);
    EXPECT_TRUE(read_all(*top) == a);
    std::vector<uint8_t> c = pattern(70000, 4);
    ASSERT_EQ(top->write(1000, c.data(), c.size()), 0);
    std::copy(c.begin(), c.end(), a.begin() + 1000);
  }
  EXPECT_EQ(qemu_check(img), "");
  EXPECT_TRUE(convert(img, "two") == now);
  {
    auto top = open_drive(drive(img, "qcow2"));
    Qcow2Node& q = qcow2_of(*top);
    EXPECT_TRUE(read_all(*top) == a);
    ASSERT_EQ(q.delete_snapshot(static_cast<size_t>(q.find_snapshot("one"))), 0);
  }
  EXPECT_EQ(qemu_check(img), "");
  l = list(img);
  EXPECT_EQ(l.find("one"), std::string::npos) << l;
  EXPECT_NE(l.find("two"), std::string::npos) << l;
  {
    auto top = open_drive(drive(img, "qcow2"));
    Qcow2Node& q = qcow2_of(*top);
    ASSERT_EQ(q.delete_snapshot(0), 0);
    EXPECT_TRUE(q.snapshots().empty());
    EXPECT_TRUE(read_all(*top) == a);
  }
  EXPECT_EQ(qemu_check(img), "");
  EXPECT_EQ(list(img), "");
}

// QEMU reverts the disk to rewind's snapshot (qemu-img snapshot -a).
TEST_P(Qcow2SnapshotImage, QemuImgAppliesRewindsSnapshot) {
  REQUIRE_QEMU_IMG();
  const uint64_t size = 2 << 20;
  std::string img = create(size);
  std::vector<uint8_t> a = pattern(size, 5), b = pattern(size, 6);
  {
    auto top = open_drive(drive(img, "qcow2"));
    ASSERT_EQ(top->write(0, a.data(), a.size()), 0);
    ASSERT_EQ(qcow2_of(*top).create_snapshot(meta("1", "s"), pattern(100000, 7)), 0);
    ASSERT_EQ(top->write(0, b.data(), b.size()), 0);
  }
  std::string out;
  ASSERT_EQ(sh("qemu-img snapshot -a s '" + img + "'", &out), 0) << out;
  EXPECT_EQ(qemu_check(img), "");
  auto top = open_drive(drive(img, "qcow2", true));
  EXPECT_TRUE(read_all(*top) == a);
}

const Layout kLayouts[] = {
    {"1.1", 65536, 16}, {"0.10", 65536, 16}, {"1.1", 512, 16}, {"1.1", 4096, 64}, {"1.1", 2 << 20, 8},
};
INSTANTIATE_TEST_SUITE_P(Layouts, Qcow2SnapshotImage, ::testing::ValuesIn(kLayouts), layout_name);

TEST(Qcow2SnapshotInterop, OneBitRefcountsCannotShare) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "r1.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 -o refcount_bits=1 '" + img + "' 1M"), 0);
  auto top = open_drive(drive(img, "qcow2"));
  EXPECT_EQ(qcow2_of(*top).create_snapshot(meta("1", "x"), {1, 2, 3}), -ENOTSUP);
  top.reset();
  EXPECT_EQ(qemu_check(img), "");
}

TEST(Qcow2SnapshotInterop, ReadsQemuMadeSnapshots) {
  REQUIRE_QEMU_IMG();
  if (!have_tool("qemu-io")) GTEST_SKIP() << "qemu-io is not installed";
  TempDir dir;
  std::string img = dir / "q.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 4M"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x42 0 1M' '" + img + "'"), 0);
  ASSERT_EQ(sh("qemu-img snapshot -c base '" + img + "'"), 0);
  ASSERT_EQ(sh("qemu-io -c 'write -P 0x17 0 1M' '" + img + "'"), 0);
  {
    auto top = open_drive(drive(img, "qcow2"));
    Qcow2Node& q = qcow2_of(*top);
    ASSERT_EQ(q.snapshots().size(), 1u);
    EXPECT_EQ(q.snapshots()[0].name, "base");
    EXPECT_EQ(q.snapshots()[0].vm_state_size, 0u);
    ASSERT_EQ(q.apply_snapshot(0), 0);
    std::vector<uint8_t> d = read_all(*top);
    EXPECT_TRUE(std::all_of(d.begin(), d.begin() + (1 << 20), [](uint8_t x) { return x == 0x42; }));
    ASSERT_EQ(q.create_snapshot(meta(qcow2_next_snapshot_id(q.snapshots()), "mine"), pattern(5000, 9)), 0);
    EXPECT_EQ(q.snapshots().back().id, "2");
  }
  EXPECT_EQ(qemu_check(img), "");
}

// A snapshot table that points past the end of the file, or at garbage:
// the image is refused with one line naming it.
TEST(Qcow2SnapshotHostile, BadTablesRefuseTheImage) {
  REQUIRE_QEMU_IMG();
  TempDir dir;
  std::string img = dir / "h.qcow2";
  ASSERT_EQ(sh("qemu-img create -q -f qcow2 '" + img + "' 1M"), 0);
  ASSERT_EQ(sh("qemu-img snapshot -c s '" + img + "'"), 0);
  std::vector<uint8_t> orig = read_file(img);
  uint64_t table = qcow2::load_be64(orig.data() + qcow2::kOffSnapshotsOffset);
  auto expect_refused = [&](const std::vector<uint8_t>& bytes, const char* what) {
    write_file(img, bytes);
    try {
      open_drive(drive(img, "qcow2", true));
      ADD_FAILURE() << "opened: " << what;
    } catch (const BlockError& e) {
      std::string m = e.what();
      EXPECT_NE(m.find("h.qcow2"), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  };
  std::vector<uint8_t> b = orig;
  qcow2::store_be64(b.data() + table, 1ull << 40);  // L1 copy far past the end
  expect_refused(b, "L1 past the end");
  b = orig;
  qcow2::store_be32(b.data() + table + 36, 0xffffffff);  // absurd extra data
  expect_refused(b, "extra data");
  b = orig;
  qcow2::store_be32(b.data() + qcow2::kOffNbSnapshots, 3);  // more entries than written
  expect_refused(b, "count");
  b = orig;
  qcow2::store_be16(b.data() + table + 12, 0);  // empty ID
  expect_refused(b, "empty ID");
}

}  // namespace
}  // namespace rwd
