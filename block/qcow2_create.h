// Making a new, empty qcow2 image (version 3, 64 KiB clusters, 16-bit
// refcounts: qemu-img's defaults), as the -snapshot overlay needs.
#pragma once
#include <cstdint>
#include <string>

#include "block/block_node.h"

namespace rwd {

// Writes the image into `file` (empty, writable): header, refcount table,
// one refcount block, L1 table. `backing_name`/`backing_format` are recorded
// in the header ("" for none). Throws BlockError.
void qcow2_create(BlockNode& file, uint64_t size, const std::string& backing_name, const std::string& backing_format);

}  // namespace rwd
