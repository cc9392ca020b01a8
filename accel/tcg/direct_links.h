// Direct links between compiled blocks: an exit whose target is a constant
// in the block's own virtual page jumps straight into the successor's code
// once linked (see TranslationBlock::jump_field), with no lookup and no
// epoch check on the way.
#pragma once

#include "accel/tcg/translation_block.h"

namespace rwd {

// Patches `from`'s exit `slot` to jump to `to` (both compiled, same context,
// `to` at from->jump_target[slot]). Does nothing when the slot cannot link.
void link_direct(TranslationBlock& from, int slot, TranslationBlock& to);

// Restores every exit patched to jump into `tb` (which is being invalidated)
// to its generic path.
void unlink_direct(TranslationBlock& tb);

}  // namespace rwd
