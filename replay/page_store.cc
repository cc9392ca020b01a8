#include "replay/page_store.h"

#include <cstring>

namespace rwd {

namespace {

bool all_zero(const uint8_t* p, size_t n) {
  static const uint8_t zeros[PageStore::kPageBytes] = {};
  return std::memcmp(p, zeros, n) == 0;
}

}  // namespace

PageStore::~PageStore() {
  // Every snapshot releases its pages first; what is left is only indexed.
  for (auto& [hash, p] : by_hash_) delete p;
}

PageStore::Page* PageStore::intern(const uint8_t* data, size_t len, uint64_t hash) {
  if (all_zero(data, len)) return nullptr;
  auto it = by_hash_.find(hash);
  if (it != by_hash_.end()) {
    Page* p = it->second;
    if (std::memcmp(p->data, data, len) == 0 && (len == kPageBytes || all_zero(p->data + len, kPageBytes - len))) {
      ++p->refs;
      return p;
    }
  }
  auto* p = new Page;
  p->hash = hash;
  p->refs = 1;
  std::memcpy(p->data, data, len);
  std::memset(p->data + len, 0, kPageBytes - len);
  p->indexed = it == by_hash_.end();
  if (p->indexed) by_hash_.emplace(hash, p);
  ++pages_;
  return p;
}

void PageStore::release(Page* p) {
  if (!p || --p->refs) return;
  if (p->indexed) by_hash_.erase(p->hash);
  delete p;
  --pages_;
}

}  // namespace rwd
