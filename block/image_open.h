// Opening one image and its backing chain: the protocol node, the format
// node (given or probed), and for qcow2 every backing file below it.
// open_drive() (drive_open.cc) builds a drive from this.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "block/block_node.h"
#include "block/file.h"

namespace rwd {

// A chain longer than this is refused (QEMU has no fixed limit; a real
// chain is a handful of images, a hostile one could be endless).
inline constexpr size_t kMaxBackingDepth = 32;

struct ImageChain {
  // Every image opened so far, top first: its name and (device, inode), to
  // refuse a chain that comes back to an image already in it.
  std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> images;
};

// `format`: "qcow2", "raw", or "" to probe (a probed raw top image warns on
// stderr, as QEMU). `probe_warning`: print that warning (not for backing
// files). Throws BlockError.
std::unique_ptr<BlockNode> open_image(const std::string& path, const std::string& format, bool read_only,
                                      const FileCachePolicy& cache, bool probe_warning, ImageChain& chain);

// The path of a backing file named `backing` in the header of `image`:
// relative names are relative to the image's directory.
std::string resolve_backing_path(const std::string& image, const std::string& backing);

}  // namespace rwd
