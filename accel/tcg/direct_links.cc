#include "accel/tcg/direct_links.h"

#include <cstring>

namespace rwd {

namespace {

void set_rel32(uint8_t* field, const uint8_t* target) {
  // A field left at 0 falls through to the generic exit after the jmp.
  int32_t rel = target ? static_cast<int32_t>(target - (field + 4)) : 0;
  std::memcpy(field, &rel, 4);
}

bool unlinked(const uint8_t* field) {
  int32_t rel;
  std::memcpy(&rel, field, 4);
  return rel == 0;
}

}  // namespace

void link_direct(TranslationBlock& from, int slot, TranslationBlock& to) {
  if (!to.linked_entry || !to.valid || from.context != to.context || to.npages != 1) return;
  if (slot == TranslationBlock::kSideExitSlot) {
    // Every side exit bound there (two may share a target).
    for (const TranslationBlock::SideJump& j : from.side_jumps) {
      if (j.target != to.vpc || !unlinked(j.field)) continue;
      set_rel32(j.field, to.linked_entry);
      to.incoming.push_back(j.field);
    }
    return;
  }
  uint8_t* field = from.jump_field[slot];
  if (!field || from.jump_target[slot] != to.vpc) return;
  set_rel32(field, to.linked_entry);
  to.incoming.push_back(field);
}

void unlink_direct(TranslationBlock& tb) {
  // The fields may belong to blocks invalidated since: their code is never
  // entered again, and the buffer is only reused after every block is gone.
  for (uint8_t* field : tb.incoming) set_rel32(field, nullptr);
  tb.incoming.clear();
}

}  // namespace rwd
