// The page hashes of util/page_hash.h: the vector path and the portable one
// agree, the function is frozen (recordings name it and hold its values),
// and the changes a state check must see change it.
#include "util/page_hash.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "util/hash64.h"

namespace rwd {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(PageHash, VectorAndPortablePathsAgree) {
  // Every length up to three stripes and a tail, pages, partial pages, and
  // buffers at odd addresses (RAM pages are aligned; the function must not
  // care).
  std::vector<uint8_t> data = random_bytes(3 * 4096 + 64, 1);
  for (size_t len = 0; len <= 200; ++len)
    ASSERT_EQ(lane_hash(data.data(), len), lane_hash_portable(data.data(), len)) << len;
  for (size_t len : {4096u, 4095u, 4097u, 8192u, 12288u})
    for (size_t offset : {0u, 1u, 7u, 33u})
      ASSERT_EQ(lane_hash(data.data() + offset, len), lane_hash_portable(data.data() + offset, len))
          << len << " at +" << offset;
}

TEST(PageHash, ValuesAreFrozen) {
  // Recordings hold these hashes: a change here breaks every recording made
  // with "page-hash: lanes" (and "words", the older files' hash_bytes).
  std::vector<uint8_t> page(4096);
  for (size_t i = 0; i < page.size(); ++i) page[i] = static_cast<uint8_t>(i * 7 + (i >> 9));
  EXPECT_EQ(page_hash(PageHash::kLanes, page.data(), page.size()), 0x1248f3f537d44131ull);
  EXPECT_EQ(page_hash(PageHash::kWords, page.data(), page.size()), hash_bytes(page.data(), page.size()));
  std::vector<uint8_t> zeros(4096, 0);
  EXPECT_EQ(page_hash(PageHash::kLanes, zeros.data(), zeros.size()), 0xc68857372f202b71ull);
}

TEST(PageHash, EveryWordChangeIsSeen) {
  std::vector<uint8_t> page = random_bytes(4096, 2);
  const uint64_t base = lane_hash(page.data(), page.size());
  std::set<uint64_t> seen{base};
  for (size_t word = 0; word < 512; ++word) {
    for (uint64_t flip : {1ull, 1ull << 31, 1ull << 32, 1ull << 63, ~0ull}) {
      std::vector<uint8_t> changed = page;
      uint64_t w;
      std::memcpy(&w, &changed[8 * word], 8);
      w ^= flip;
      std::memcpy(&changed[8 * word], &w, 8);
      const uint64_t h = lane_hash(changed.data(), changed.size());
      ASSERT_NE(h, base) << "word " << word << " flip " << std::hex << flip;
      seen.insert(h);
    }
  }
  EXPECT_EQ(seen.size(), 1u + 512 * 5);  // and no two changes collide
}

TEST(PageHash, MovingDataWithinAPageIsSeen) {
  // The same stripes in another order (a memmove within a page), the two
  // words of a pair swapped, and a page of zeros against one of ones.
  std::vector<uint8_t> page = random_bytes(4096, 3);
  const uint64_t base = lane_hash(page.data(), page.size());
  std::vector<uint8_t> moved = page;
  std::memcpy(&moved[0], &page[64], 64);
  std::memcpy(&moved[64], &page[0], 64);
  EXPECT_NE(lane_hash(moved.data(), moved.size()), base);
  std::vector<uint8_t> swapped = page;
  std::memcpy(&swapped[0], &page[8], 8);
  std::memcpy(&swapped[8], &page[0], 8);
  EXPECT_NE(lane_hash(swapped.data(), swapped.size()), base);
  std::vector<uint8_t> zeros(4096, 0), ones(4096, 0xff);
  EXPECT_NE(lane_hash(zeros.data(), zeros.size()), lane_hash(ones.data(), ones.size()));
}

TEST(PageHash, NamesRoundTrip) {
  for (PageHash h : {PageHash::kWords, PageHash::kLanes}) {
    PageHash back{};
    ASSERT_TRUE(parse_page_hash(page_hash_name(h), back));
    EXPECT_EQ(back, h);
  }
  PageHash out = PageHash::kLanes;
  EXPECT_FALSE(parse_page_hash("xxh3", out));
  EXPECT_FALSE(parse_page_hash("", out));
}

}  // namespace
}  // namespace rwd
