// The block layer's node interface (ARCHITECTURE.md, block/): a drive is a
// chain of nodes, a format driver (raw, qcow2) on a protocol driver (file),
// possibly with backing files below and a -snapshot overlay on top; devices
// (virtio-blk) and blkreplay see only the top node.
//
// Threading: a node and everything below it is used by one thread at a time
// (the drive's I/O thread; see block/drive.h), so drivers need no locks.
// Requests of one drive run one after the other in the order the guest
// issued them: the image's contents are then a pure function of the guest's
// requests, which is what lets a replay read what the recording read.
//
// Errors: I/O returns 0 or a negative errno (EIO for a damaged image,
// ENOSPC, EROFS...), which the device turns into an I/O error for the
// guest; opening throws BlockError with a one-line message naming the file
// and what is wrong.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

struct BlockError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BlockNode {
 public:
  virtual ~BlockNode() = default;
  // The driver's name ("file", "raw", "qcow2") and what `info block` shows
  // for this node ("disk.qcow2 (qcow2)").
  virtual std::string driver() const = 0;
  virtual std::string describe() const = 0;
  // The virtual disk size in bytes (what the guest sees).
  virtual uint64_t size() const = 0;
  virtual bool read_only() const = 0;

  virtual int read(uint64_t offset, void* buf, size_t len) = 0;
  virtual int write(uint64_t offset, const void* buf, size_t len) = 0;
  virtual int flush() = 0;
  // Ranges the guest no longer needs (virtio-blk DISCARD) and ranges to read
  // as zeros (WRITE_ZEROES); `may_unmap`: the zeros may be a hole.
  virtual int discard(uint64_t offset, uint64_t len) = 0;
  virtual int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) = 0;

  // Where data is, without reading it: from `offset` (< size()), the length
  // of the run (1 to `max` bytes) that reads as zeros without being read
  // (*zero = true: a hole, an unallocated or zero cluster) or that may hold
  // data (*zero = false). Returns 0 with *zero = false on a damaged image.
  // The default knows nothing: everything may hold data.
  virtual uint64_t block_status(uint64_t offset, uint64_t max, bool* zero);

  // A digest of the contents the guest can see, for a recording's header
  // (a replay against another image is refused): "N bytes, content hash
  // 0x...". The disk is hashed in 64 KiB chunks at fixed offsets; chunks
  // that are all zeros (holes, unallocated or zero clusters, or data that
  // reads as zeros) do not count, so the digest depends on what the guest
  // sees only, never on how the image stores it (raw and qcow2 copies of a
  // disk agree), and the cost is proportional to the allocated data: zero
  // runs found by block_status() are skipped without being read.
  virtual std::string content_digest();
};

// What `-drive` (and `-snapshot`) ask for, parsed (system/drive_options.h
// parses the command line into this).
struct DriveConfig {
  std::string id;        // id=
  std::string file;      // file= (a path)
  std::string format;    // format= ("" = probe, with a warning for raw, as QEMU)
  bool read_only = false;  // readonly=on
  bool snapshot = false;   // snapshot=on or -snapshot: writes go to a temporary overlay
  std::string cache;     // cache= (writeback, none, writethrough, directsync, unsafe)
  std::string aio;       // aio= (threads, native, io_uring)
  std::string discard;   // discard= (ignore, unmap)
  std::string detect_zeroes;  // detect-zeroes= (off, on, unmap)
};

// Opens the chain for a drive: the protocol node (file), the format node on
// it (raw or qcow2, probed when format is empty: qcow2 by its magic, else raw
// with a warning on stderr), qcow2's backing chain, and a temporary qcow2
// overlay on top with snapshot=on. Throws BlockError.
std::unique_ptr<BlockNode> open_drive(const DriveConfig& config);

// What open_drive() and the replay's opener (replay_overlay.h) share: opens
// config's image (read-only when `read_only`), lets `top` put a node of its
// own over it, and applies discard/detect-zeroes above that. Throws BlockError.
using DriveTop = std::function<std::unique_ptr<BlockNode>(std::unique_ptr<BlockNode>)>;
std::unique_ptr<BlockNode> open_drive_chain(const DriveConfig& config, bool read_only, const DriveTop& top);

}  // namespace rwd
