#include "accel/tcg/tb_cache.h"

#include <algorithm>

#include "accel/tcg/direct_links.h"

namespace rwd {

TranslationBlock* BlockIndex::find(uint64_t ppc, uint64_t vpc, uint32_t context) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(ppc, vpc, context);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.tb == nullptr) return nullptr;
    if (s.ppc == ppc && s.vpc == vpc && s.context == context && s.tb != gone()) return s.tb;
  }
}

void BlockIndex::insert(TranslationBlock* tb) {
  // Keep at least a quarter of the slots never used, so probes end quickly.
  if ((used_ + 1) * 4 > slots_.size() * 3) rebuild(live_ * 2 >= slots_.size() / 2 ? slots_.size() * 2 : slots_.size());
  const size_t mask = slots_.size() - 1;
  size_t i = home(tb->ppc, tb->vpc, tb->context);
  while (slots_[i].tb != nullptr && slots_[i].tb != gone()) i = (i + 1) & mask;
  if (slots_[i].tb == nullptr) ++used_;
  slots_[i] = Slot{tb->ppc, tb->vpc, tb->context, tb};
  ++live_;
}

void BlockIndex::erase(const TranslationBlock* tb) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(tb->ppc, tb->vpc, tb->context); slots_[i].tb != nullptr; i = (i + 1) & mask) {
    if (slots_[i].tb == tb) {
      slots_[i].tb = gone();
      --live_;
      return;
    }
  }
}

void BlockIndex::clear() {
  slots_.assign(1024, Slot{});
  live_ = used_ = 0;
}

void BlockIndex::rebuild(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  live_ = used_ = 0;
  for (const Slot& s : old) {
    if (s.tb != nullptr && s.tb != gone()) insert(s.tb);
  }
}

TranslationBlock* TbCache::find_physical(uint64_t ppc, uint64_t vpc, uint32_t context) {
  return index_.find(ppc, vpc, context);
}

void TbCache::insert(std::unique_ptr<TranslationBlock> tb) {
  TranslationBlock* raw = tb.get();
  for (int i = 0; i < raw->npages; ++i) by_page_[raw->pages[i]].push_back(raw);
  remember_virtual(raw);
  auto [it, fresh] = blocks_.try_emplace(Key{raw->ppc, raw->vpc, raw->context});
  if (!fresh) {  // (not expected: blocks are translated only when not found)
    index_.erase(it->second.get());
    it->second->valid = false;
    retired_.push_back(std::move(it->second));
  }
  it->second = std::move(tb);
  index_.insert(raw);
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
    unlink_direct(*tb);
    // A block spanning two pages is also listed under the other one.
    for (int i = 0; i < tb->npages; ++i) {
      if (tb->pages[i] == pa_page) continue;
      auto other = by_page_.find(tb->pages[i]);
      if (other != by_page_.end()) std::erase(other->second, tb);
    }
    if (jump_cache_[slot(tb->vpc)].tb == tb) jump_cache_[slot(tb->vpc)] = JumpEntry{};
    auto node = blocks_.find(Key{tb->ppc, tb->vpc, tb->context});
    if (node != blocks_.end() && node->second.get() == tb) {
      index_.erase(tb);
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
  index_.clear();
  by_page_.clear();
  clear_jump_cache();  // also bumps the epoch
}

}  // namespace rwd
