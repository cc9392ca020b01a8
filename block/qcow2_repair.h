// Opening a dirty qcow2 image (not closed cleanly, or written with lazy
// refcounts) for writing: its refcounts may be wrong, so they are rebuilt
// from the L1/L2 tables first, as QEMU does.
#pragma once

namespace rwd {

class Qcow2Node;

// Throws BlockError (naming the image) when the image cannot be repaired.
void qcow2_repair_refcounts(Qcow2Node& node);

}  // namespace rwd
