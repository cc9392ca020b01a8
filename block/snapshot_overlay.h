// -snapshot / snapshot=on: the guest's writes go to a temporary qcow2
// overlay whose backing is the drive's image, and the image is never
// written. The overlay lives in $TMPDIR (default /tmp), unlinked as soon as
// it is created, so nothing is left behind however rewind ends.
#pragma once
#include <memory>
#include <string>

#include "block/block_node.h"

namespace rwd {

// `image` (opened read-only) becomes the overlay's backing node; `name` and
// `format` are recorded in the overlay's header. Throws BlockError.
std::unique_ptr<BlockNode> make_snapshot_overlay(std::unique_ptr<BlockNode> image, const std::string& name,
                                                 const std::string& format);

}  // namespace rwd
