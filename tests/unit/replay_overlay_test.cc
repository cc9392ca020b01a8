// The replay's in-memory disk overlay (block/replay_overlay.h): random
// workloads read back as the temporary qcow2 overlay a replay used before
// (same bytes for writes, write_zeroes and discards, odd sizes and offsets);
// generations saved at random points and restored in random order give back
// exactly the disk of their moment; memory is accounted and given back.
#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <vector>

#include "block/replay_overlay.h"
#include "block/snapshot_overlay.h"
#include "tests/unit/block_test_util.h"

namespace rwd {
namespace {

using namespace blocktest;

// A raw image on disk with a recognisable pattern (and an odd size: the
// last cluster is partial).
std::string make_image(const TempDir& dir, uint64_t size) {
  std::vector<uint8_t> d(size);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>((i * 7 + i / 4096) & 0xff);
  std::string path = dir / "image.raw";
  write_file(path, d);
  return path;
}

std::unique_ptr<BlockNode> image_node(const std::string& path) {
  DriveConfig c = drive(path, "raw", true);
  return open_drive(c);
}

std::vector<uint8_t> whole(BlockNode& n) {
  std::vector<uint8_t> d(n.size());
  EXPECT_EQ(n.read(0, d.data(), d.size()), 0);
  return d;
}

// One random request, applied to both nodes.
void random_op(std::mt19937_64& rng, uint64_t size, BlockNode& a, BlockNode& b) {
  uint64_t off = rng() % size;
  uint64_t len = 1 + rng() % std::min<uint64_t>(size - off, (rng() % 4 == 0) ? 300000 : 9000);
  if (rng() % 2) {  // sector-aligned, as the guest's requests are
    off &= ~511ull;
    len = std::max<uint64_t>(512, len & ~511ull);
    if (off + len > size) len = size - off;
  }
  switch (rng() % 6) {
    case 0:
      ASSERT_EQ(a.discard(off, len), b.discard(off, len));
      break;
    case 1:
      ASSERT_EQ(a.write_zeroes(off, len, rng() % 2), b.write_zeroes(off, len, false));
      break;
    default: {
      std::vector<uint8_t> data(len);
      uint8_t v = static_cast<uint8_t>(rng());
      for (auto& x : data) x = v++;
      ASSERT_EQ(a.write(off, data.data(), len), 0);
      ASSERT_EQ(b.write(off, data.data(), len), 0);
    }
  }
}

TEST(ReplayOverlay, ReadsAsTheQcow2OverlayDid) {
  TempDir dir;
  const uint64_t size = (8u << 20) + 3 * 512 + 100;
  std::string path = make_image(dir, size);
  ReplayOverlayNode mem(image_node(path));
  auto qcow = make_snapshot_overlay(image_node(path), path, "raw");
  ASSERT_EQ(mem.size(), qcow->size());
  EXPECT_FALSE(mem.read_only());
  EXPECT_EQ(whole(mem), whole(*qcow));
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    random_op(rng, size, mem, *qcow);
    if (i % 50 == 49) {
      ASSERT_EQ(whole(mem), whole(*qcow)) << "after " << i + 1 << " requests";
    }
  }
  // Out of range: refused as the qcow2 node refuses it.
  uint8_t b[16];
  EXPECT_EQ(mem.read(size - 8, b, 16), qcow->read(size - 8, b, 16));
  EXPECT_LT(mem.write(size, b, 1), 0);
  EXPECT_EQ(mem.content_digest(), qcow->content_digest());
}

TEST(ReplayOverlay, GenerationsGiveBackTheirMoment) {
  TempDir dir;
  const uint64_t size = 4u << 20;
  std::string path = make_image(dir, size);
  ReplayOverlayNode mem(image_node(path));
  auto qcow = make_snapshot_overlay(image_node(path), path, "raw");
  std::mt19937_64 rng(11);
  std::vector<std::pair<std::shared_ptr<const ReplayOverlayNode::Generation>, std::vector<uint8_t>>> kept;
  kept.push_back({mem.save(), whole(mem)});
  for (int i = 0; i < 300; ++i) {
    random_op(rng, size, mem, *qcow);
    if (i % 20 == 19) kept.push_back({mem.save(), whole(mem)});
  }
  uint64_t all = mem.bytes();
  EXPECT_GT(all, 0u);
  // Restore in random order, write on top of each (the generation itself
  // must not change), then come back to it again.
  for (int round = 0; round < 40; ++round) {
    size_t k = rng() % kept.size();
    mem.restore(kept[k].first);
    ASSERT_EQ(whole(mem), kept[k].second) << "generation " << k;
    std::vector<uint8_t> junk(5000, 0xee);
    ASSERT_EQ(mem.write(rng() % (size - junk.size()), junk.data(), junk.size()), 0);
    mem.restore(kept[k].first);
    ASSERT_EQ(whole(mem), kept[k].second) << "generation " << k << " after writing over it";
  }
  // A generation costs what changed: far less than a copy per generation.
  EXPECT_LT(all, kept.size() * size / 2);
  // Everything dropped: nothing is held but the empty first generation's.
  mem.restore(kept[0].first);
  kept.clear();
  EXPECT_EQ(mem.bytes(), 0u);
}

TEST(ReplayOverlay, OpenForReplayNeverWritesTheImage) {
  TempDir dir;
  std::string path = make_image(dir, 1 << 20);
  std::vector<uint8_t> before = read_file(path);
  DriveConfig c = drive(path, "raw");
  ReplayOverlayNode* overlay = nullptr;
  auto node = open_drive_for_replay(c, &overlay);
  ASSERT_NE(overlay, nullptr);
  EXPECT_FALSE(node->read_only());
  std::vector<uint8_t> data(70000, 0x5a);
  ASSERT_EQ(node->write(4096, data.data(), data.size()), 0);
  ASSERT_EQ(node->flush(), 0);
  std::vector<uint8_t> got(data.size());
  ASSERT_EQ(node->read(4096, got.data(), got.size()), 0);
  EXPECT_EQ(got, data);
  node.reset();
  EXPECT_EQ(read_file(path), before);
  // readonly=on: no overlay, writes refused.
  c.read_only = true;
  node = open_drive_for_replay(c, &overlay);
  EXPECT_EQ(overlay, nullptr);
  EXPECT_TRUE(node->read_only());
  EXPECT_LT(node->write(0, data.data(), 512), 0);
}

}  // namespace
}  // namespace rwd
