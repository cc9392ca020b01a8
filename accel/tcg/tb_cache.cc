#include "accel/tcg/tb_cache.h"

#include <algorithm>

namespace rwd {

TranslationBlock* TbCache::find_physical(uint64_t ppc, uint64_t vpc, uint32_t context) {
  auto it = blocks_.find(Key{ppc, vpc, context});
  return it == blocks_.end() ? nullptr : it->second.get();
}

void TbCache::insert(std::unique_ptr<TranslationBlock> tb) {
  TranslationBlock* raw = tb.get();
  for (int i = 0; i < raw->npages; ++i) by_page_[raw->pages[i]].push_back(raw);
  remember_virtual(raw);
  blocks_[Key{raw->ppc, raw->vpc, raw->context}] = std::move(tb);
}

void TbCache::invalidate_page(uint64_t pa_page) {
  auto it = by_page_.find(pa_page);
  if (it == by_page_.end()) return;
  std::vector<TranslationBlock*> victims = std::move(it->second);
  by_page_.erase(it);
  ++epoch_;  // links into the victims must not be followed any more
  for (TranslationBlock* tb : victims) {
    if (!tb->valid) continue;
    tb->valid = false;
    ++invalidations_;
    // A block spanning two pages is also listed under the other one.
    for (int i = 0; i < tb->npages; ++i) {
      if (tb->pages[i] == pa_page) continue;
      auto other = by_page_.find(tb->pages[i]);
      if (other != by_page_.end()) std::erase(other->second, tb);
    }
    if (jump_cache_[slot(tb->vpc)] == tb) jump_cache_[slot(tb->vpc)] = nullptr;
    auto node = blocks_.find(Key{tb->ppc, tb->vpc, tb->context});
    if (node != blocks_.end() && node->second.get() == tb) {
      retired_.push_back(std::move(node->second));
      blocks_.erase(node);
    }
  }
}

void TbCache::clear() {
  for (auto& [key, tb] : blocks_) {
    tb->valid = false;
    retired_.push_back(std::move(tb));
  }
  blocks_.clear();
  by_page_.clear();
  clear_jump_cache();  // also bumps the epoch
}

}  // namespace rwd
