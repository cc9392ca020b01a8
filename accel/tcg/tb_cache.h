// Owns translation blocks: finds them by (physical pc, virtual pc, context),
// keeps a small direct-mapped cache by virtual pc for the hot path, and
// invalidates every block made from a physical page when that page is written.
#pragma once
#include <array>
#include <memory>
#include <unordered_map>
#include <vector>

#include "accel/tcg/translation_block.h"

namespace rwd {

class TbCache {
 public:
  static constexpr size_t kJumpCacheSize = 1 << 14;

  TranslationBlock* find_virtual(uint64_t vpc, uint32_t context) const {
    TranslationBlock* tb = jump_cache_[slot(vpc)];
    if (tb && tb->vpc == vpc && tb->context == context) return tb;
    return nullptr;
  }
  TranslationBlock* find_physical(uint64_t ppc, uint64_t vpc, uint32_t context);
  void insert(std::unique_ptr<TranslationBlock> tb);
  void remember_virtual(TranslationBlock* tb) { jump_cache_[slot(tb->vpc)] = tb; }

  // Invalidates all blocks translated from `pa_page`. They stay allocated
  // until free_retired(), because one of them may be executing right now.
  void invalidate_page(uint64_t pa_page);
  void free_retired() { retired_.clear(); }
  void clear_jump_cache() {
    jump_cache_.fill(nullptr);
    ++epoch_;
  }
  const uint64_t* epoch_ptr() const { return &epoch_; }
  void clear();
  size_t size() const { return blocks_.size(); }
  uint64_t invalidations() const { return invalidations_; }

 private:
  struct Key {
    uint64_t ppc, vpc;
    uint32_t context;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<uint64_t>()(k.ppc * 0x9e3779b97f4a7c15ull ^ k.vpc ^ (uint64_t{k.context} << 58));
    }
  };
  static size_t slot(uint64_t vpc) { return (vpc >> 1) & (kJumpCacheSize - 1); }

  std::unordered_map<Key, std::unique_ptr<TranslationBlock>, KeyHash> blocks_;
  std::unordered_map<uint64_t, std::vector<TranslationBlock*>> by_page_;
  std::vector<std::unique_ptr<TranslationBlock>> retired_;
  std::array<TranslationBlock*, kJumpCacheSize> jump_cache_{};
  uint64_t invalidations_ = 0;
  uint64_t epoch_ = 1;
};

}  // namespace rwd
