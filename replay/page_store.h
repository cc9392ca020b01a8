// Guest pages kept in host memory for replay navigation's snapshots
// (replay/navigator.h): content-addressed and shared, so a snapshot costs
// only the pages that differ from every page already kept. A page is known
// by the same 64-bit hash the state checks use (replay/state_hash.h); a new
// page whose hash is already kept is compared byte for byte before it is
// shared. The all-zero page is never stored (nullptr stands for it).
#pragma once
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace rwd {

class PageStore {
 public:
  static constexpr size_t kPageBytes = 4096;
  struct Page {
    uint64_t hash;
    uint32_t refs;
    bool indexed;  // in the by-hash index (false for a hash collision's loser)
    uint8_t data[kPageBytes];
  };

  PageStore() = default;
  PageStore(const PageStore&) = delete;
  PageStore& operator=(const PageStore&) = delete;
  ~PageStore();

  // A reference to a kept page with these contents (`len` <= kPageBytes; the
  // rest reads as zero), or nullptr for an all-zero page.
  Page* intern(const uint8_t* data, size_t len, uint64_t hash);
  // Another reference to a kept page (nullptr stays nullptr).
  static Page* share(Page* p) {
    if (p) ++p->refs;
    return p;
  }
  void release(Page* p);

  size_t pages() const { return pages_; }
  uint64_t bytes() const { return pages_ * sizeof(Page); }

 private:
  std::unordered_map<uint64_t, Page*> by_hash_;
  size_t pages_ = 0;
};

}  // namespace rwd
