// Owns translation blocks: finds them by (physical pc, virtual pc, context),
// keeps a small direct-mapped cache by virtual pc for the hot path, and
// invalidates every block made from a physical page when that page is written.
#pragma once
#include <array>
#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include "accel/tcg/translation_block.h"

namespace rwd {

// Lookup index over the blocks by (physical pc, virtual pc, context), open
// addressing with linear probing: a lookup costs about one cache line. It
// replaced std::unordered_map for lookups because Linux flushes its whole
// TLB (satp writes) often enough while booting that re-finding blocks after
// each flush, one pointer chase through scattered nodes at a time, took
// 12-16% of boot time. Does not own the blocks.
class BlockIndex {
 public:
  BlockIndex() { clear(); }
  TranslationBlock* find(uint64_t ppc, uint64_t vpc, uint32_t context) const;
  void insert(TranslationBlock* tb);  // tb's key must not be present
  void erase(const TranslationBlock* tb);
  void clear();

 private:
  struct Slot {
    uint64_t ppc = 0, vpc = 0;
    uint32_t context = 0;
    TranslationBlock* tb = nullptr;  // nullptr: never used; gone(): erased
  };
  static TranslationBlock* gone() { return reinterpret_cast<TranslationBlock*>(uintptr_t{1}); }
  size_t home(uint64_t ppc, uint64_t vpc, uint32_t context) const {
    uint64_t h = (ppc * 0x9e3779b97f4a7c15ull) ^ (vpc * 0xc2b2ae3d27d4eb4full) ^ context;
    return static_cast<size_t>((h ^ (h >> 29)) & (slots_.size() - 1));
  }
  void rebuild(size_t capacity);

  std::vector<Slot> slots_;  // size is a power of two
  size_t live_ = 0, used_ = 0;  // used_ counts erased slots too
};

class TbCache {
 public:
  static constexpr size_t kJumpCacheSize = 1 << 14;

  TranslationBlock* find_virtual(uint64_t vpc, uint32_t context) const {
    const JumpEntry& e = jump_cache_[slot(vpc)];
    TranslationBlock* tb = e.tb;
    if (e.vpc == vpc && tb && tb->context == context) return tb;
    return nullptr;
  }
  TranslationBlock* find_physical(uint64_t ppc, uint64_t vpc, uint32_t context);
  void insert(std::unique_ptr<TranslationBlock> tb);
  void remember_virtual(TranslationBlock* tb) { jump_cache_[slot(tb->vpc)] = JumpEntry{tb->vpc, tb}; }

  // Invalidates all blocks translated from `pa_page`. They stay allocated
  // until free_retired(), because one of them may be executing right now.
  void invalidate_page(uint64_t pa_page);
  void free_retired() { retired_.clear(); }
  void clear_jump_cache() {
    jump_cache_.fill(JumpEntry{});
    ++epoch_;
  }
  const uint64_t* epoch_ptr() const { return &epoch_; }
  void clear();
  size_t size() const { return blocks_.size(); }

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

 public:
  // For the compiled code's own lookup of a jalr target (jit_x86_64.cc):
  // entry slot(vpc) of the array at jump_cache_data() is {vpc, block}.
  static size_t slot(uint64_t vpc) { return (vpc >> 1) & (kJumpCacheSize - 1); }
  const void* jump_cache_data() const { return jump_cache_.data(); }
  static constexpr int32_t kJumpEntrySize = 16, kJumpEntryBlock = 8;

 private:
  std::unordered_map<Key, std::unique_ptr<TranslationBlock>, KeyHash> blocks_;  // owns them
  BlockIndex index_;
  std::unordered_map<uint64_t, std::vector<TranslationBlock*>> by_page_;
  std::vector<std::unique_ptr<TranslationBlock>> retired_;
  // The virtual pc is kept next to the block so a lookup or a page forget
  // needs no access to the block itself.
  struct JumpEntry {
    uint64_t vpc = ~0ull;
    TranslationBlock* tb = nullptr;
  };
  std::array<JumpEntry, kJumpCacheSize> jump_cache_{};
  static_assert(sizeof(JumpEntry) == kJumpEntrySize && offsetof(JumpEntry, tb) == kJumpEntryBlock);
  uint64_t epoch_ = 1;
};

}  // namespace rwd
