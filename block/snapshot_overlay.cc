// The -snapshot overlay: see snapshot_overlay.h.
#include "block/snapshot_overlay.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "block/file.h"
#include "block/qcow2.h"
#include "block/qcow2_create.h"

namespace rwd {

std::unique_ptr<BlockNode> make_snapshot_overlay(std::unique_ptr<BlockNode> image, const std::string& name,
                                                 const std::string& format) {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/rewind-snapshot-XXXXXX";
  int fd = mkstemp(tmpl.data());
  if (fd < 0) throw BlockError("'" + name + "': cannot create the snapshot overlay in " + tmpl + ": " + std::strerror(errno));
  unlink(tmpl.c_str());
  // Flushing a file nobody will ever read again is wasted time.
  FileCachePolicy policy;
  policy.ignore_flush = true;
  std::unique_ptr<FileNode> file = FileNode::adopt(fd, "snapshot overlay of '" + name + "'", false, policy);
  qcow2_create(*file, image->size(), name, format);
  std::string overlay_name = file->name();
  std::unique_ptr<Qcow2Node> overlay = Qcow2Node::open(std::move(file), overlay_name, false);
  overlay->set_backing(std::move(image));
  return overlay;
}

}  // namespace rwd
