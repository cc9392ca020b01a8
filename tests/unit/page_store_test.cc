// Tests for replay/page_store.{h,cc}: pages kept by content, shared, counted,
// and a hash collision never makes two different pages one.
#include "replay/page_store.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace rwd {
namespace {

std::vector<uint8_t> page(uint8_t fill) { return std::vector<uint8_t>(PageStore::kPageBytes, fill); }

TEST(PageStore, ZeroPagesAreNotStored) {
  PageStore s;
  std::vector<uint8_t> z = page(0);
  EXPECT_EQ(s.intern(z.data(), z.size(), 1), nullptr);
  EXPECT_EQ(s.pages(), 0u);
  s.release(nullptr);  // harmless
}

TEST(PageStore, SameContentIsSharedAndCounted) {
  PageStore s;
  std::vector<uint8_t> a = page(7);
  PageStore::Page* p = s.intern(a.data(), a.size(), 42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(s.intern(a.data(), a.size(), 42), p);
  EXPECT_EQ(PageStore::share(p), p);
  EXPECT_EQ(p->refs, 3u);
  EXPECT_EQ(s.pages(), 1u);
  EXPECT_EQ(s.bytes(), sizeof(PageStore::Page));
  EXPECT_EQ(std::memcmp(p->data, a.data(), a.size()), 0);
  s.release(p);
  s.release(p);
  EXPECT_EQ(s.pages(), 1u);
  s.release(p);
  EXPECT_EQ(s.pages(), 0u);
  // Gone from the index too: the same content is a new page again.
  PageStore::Page* q = s.intern(a.data(), a.size(), 42);
  EXPECT_EQ(q->refs, 1u);
  s.release(q);
}

TEST(PageStore, HashCollisionKeepsBothContents) {
  PageStore s;
  std::vector<uint8_t> a = page(1), b = page(2);
  PageStore::Page* pa = s.intern(a.data(), a.size(), 99);
  PageStore::Page* pb = s.intern(b.data(), b.size(), 99);  // same hash, other bytes
  ASSERT_NE(pa, pb);
  EXPECT_EQ(pa->data[0], 1);
  EXPECT_EQ(pb->data[0], 2);
  EXPECT_EQ(s.pages(), 2u);
  // The indexed one is still found; releasing the other leaves it alone.
  EXPECT_EQ(s.intern(a.data(), a.size(), 99), pa);
  s.release(pb);
  EXPECT_EQ(s.pages(), 1u);
  s.release(pa);
  s.release(pa);
  EXPECT_EQ(s.pages(), 0u);
}

TEST(PageStore, ShortPageIsZeroPadded) {
  PageStore s;
  std::vector<uint8_t> a(100, 5);
  PageStore::Page* p = s.intern(a.data(), a.size(), 3);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->data[99], 5);
  EXPECT_EQ(p->data[100], 0);
  EXPECT_EQ(p->data[PageStore::kPageBytes - 1], 0);
  // The full page with the same first bytes and zeros after is the same page.
  std::vector<uint8_t> full(PageStore::kPageBytes, 0);
  std::memset(full.data(), 5, 100);
  EXPECT_EQ(s.intern(full.data(), full.size(), 3), p);
  s.release(p);
  s.release(p);
}

}  // namespace
}  // namespace rwd
