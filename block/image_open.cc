// Opening an image and its backing chain: see image_open.h.
#include "block/image_open.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "block/qcow2.h"
#include "block/qcow2_format.h"
#include "block/raw.h"

namespace rwd {

std::string resolve_backing_path(const std::string& image, const std::string& backing) {
  if (backing.empty() || backing[0] == '/') return backing;
  size_t slash = image.rfind('/');
  return slash == std::string::npos ? backing : image.substr(0, slash + 1) + backing;
}

namespace {

std::string chain_text(const ImageChain& chain, const std::string& last) {
  std::string s;
  for (auto& [name, id] : chain.images) s += "'" + name + "' -> ";
  return s + "'" + last + "'";
}

std::string probe_format(BlockNode& file) {
  uint8_t magic[4] = {};
  if (file.size() >= 4 && file.read(0, magic, 4) == 0 && std::memcmp(magic, qcow2::kMagic, 4) == 0) return "qcow2";
  return "raw";
}

}  // namespace

std::unique_ptr<BlockNode> open_image(const std::string& path, const std::string& format, bool read_only,
                                      const FileCachePolicy& cache, bool probe_warning, ImageChain& chain) {
  if (format != "" && format != "qcow2" && format != "raw")
    throw BlockError("'" + path + "': image format '" + format + "' is not supported (raw, qcow2)");
  if (chain.images.size() >= kMaxBackingDepth)
    throw BlockError("'" + path + "': backing chain deeper than " + std::to_string(kMaxBackingDepth) + " images");
  struct stat st;
  if (stat(path.c_str(), &st) == 0) {
    std::pair<uint64_t, uint64_t> id{st.st_dev, st.st_ino};
    for (auto& [name, seen] : chain.images)
      if (seen == id) throw BlockError("backing chain cycle: " + chain_text(chain, path));
    chain.images.emplace_back(path, id);
  }
  std::unique_ptr<FileNode> file = FileNode::open(path, read_only, cache);
  std::string fmt = format;
  if (fmt.empty()) {
    fmt = probe_format(*file);
    if (fmt == "raw" && probe_warning)
      std::fprintf(stderr,
                   "rewind: WARNING: image format was not specified for '%s' and probing guessed raw; writes to "
                   "block 0 are restricted (specify format=raw to lift this)\n",
                   path.c_str());
  }
  if (fmt == "raw") return std::make_unique<RawNode>(std::move(file), format.empty());

  std::unique_ptr<Qcow2Node> node = Qcow2Node::open(std::move(file), path, read_only);
  const Qcow2Header& h = node->header();
  if (!h.backing_file.empty()) {
    if (h.backing_file.rfind("json:", 0) == 0 || h.backing_file.find("://") != std::string::npos)
      throw BlockError("'" + path + "': backing file '" + h.backing_file + "' is not a plain file name");
    std::string bpath = resolve_backing_path(path, h.backing_file);
    if (!h.backing_format.empty() && h.backing_format != "qcow2" && h.backing_format != "raw")
      throw BlockError("'" + path + "': backing file format '" + h.backing_format + "' is not supported (raw, qcow2)");
    // Backing files are only read (as in QEMU): writes go to the top image.
    try {
      node->set_backing(open_image(bpath, h.backing_format, true, cache, false, chain));
    } catch (const BlockError& e) {
      throw BlockError("'" + path + "': backing file: " + e.what());
    }
  }
  return node;
}

}  // namespace rwd
