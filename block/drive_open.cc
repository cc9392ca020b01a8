// open_drive(): a drive's whole chain from its -drive options
// (block_node.h): the image and its backing files (image_open.cc), the
// -snapshot overlay (snapshot_overlay.cc), and discard/detect-zeroes
// (drive_policy.h) on top.
#include "block/block_node.h"
#include "block/drive_policy.h"
#include "block/file.h"
#include "block/image_open.h"
#include "block/snapshot_overlay.h"

namespace rwd {

std::unique_ptr<BlockNode> open_drive_chain(const DriveConfig& c, bool read_only, const DriveTop& top) {
  const std::string label = c.id.empty() ? c.file : c.id;
  if (c.file.empty()) throw BlockError("drive '" + label + "': no file= given");
  FileCachePolicy cache = parse_cache_options(c.file, c.cache, c.aio);
  bool unmap;
  DetectZeroes detect;
  parse_drive_policy(label, c.discard, c.detect_zeroes, &unmap, &detect);
  ImageChain chain;
  std::unique_ptr<BlockNode> node = top(open_image(c.file, c.format, read_only, cache, true, chain));
  return std::make_unique<DrivePolicyNode>(std::move(node), unmap, detect);
}

std::unique_ptr<BlockNode> open_drive(const DriveConfig& c) {
  // With snapshot=on the image is opened read-only: it is never written.
  const bool overlay = c.snapshot && !c.read_only;
  auto top = [&](std::unique_ptr<BlockNode> node) -> std::unique_ptr<BlockNode> {
    if (!overlay) return node;
    const std::string format = node->driver();
    return make_snapshot_overlay(std::move(node), c.file, format);
  };
  return open_drive_chain(c, c.read_only || overlay, top);
}

}  // namespace rwd
