// The `file` protocol driver: a host file or block device read and written
// with pread/pwrite, flushed with fdatasync, holes punched with fallocate.
//
// cache= (QEMU's meanings): writeback (default: the host page cache, flush
// on the guest's flush), none (O_DIRECT, where the filesystem allows it;
// tmpfs does not, and then the page cache is used with a note on stderr),
// writethrough (each write is followed by a flush), directsync (O_DIRECT and
// writethrough), unsafe (flush does nothing).
// aio= (threads, native, io_uring) is accepted for command-line
// compatibility and changes nothing: all I/O of a drive runs synchronously
// on the drive's thread, one request after the other, which is what keeps
// the image a pure function of the guest's requests. As in QEMU, aio=native
// needs cache.direct (cache=none or directsync).
#pragma once
#include <memory>
#include <string>

#include "block/block_node.h"

namespace rwd {

struct FileCachePolicy {
  bool direct = false;        // O_DIRECT (cache=none, directsync)
  bool writethrough = false;  // flush after each write (writethrough, directsync)
  bool ignore_flush = false;  // unsafe
};

// Parses cache= and checks aio= against it; throws BlockError naming `path`.
FileCachePolicy parse_cache_options(const std::string& path, const std::string& cache, const std::string& aio);

class FileNode : public BlockNode {
 public:
  // Opens a regular file or a block device (anything else is refused).
  static std::unique_ptr<FileNode> open(const std::string& path, bool read_only, const FileCachePolicy& policy);
  // Takes ownership of an open descriptor (temporary overlays, tests, the
  // fuzzer's memfd); `name` is what messages call it.
  static std::unique_ptr<FileNode> adopt(int fd, const std::string& name, bool read_only,
                                         const FileCachePolicy& policy = {});
  ~FileNode() override;

  std::string driver() const override { return "file"; }
  std::string describe() const override { return name_; }
  // The file's current length: writes past it grow the file.
  uint64_t size() const override { return size_; }
  bool read_only() const override { return read_only_; }

  // Reads past the end of the file return zeros (as QEMU's file driver).
  int read(uint64_t offset, void* buf, size_t len) override;
  int write(uint64_t offset, const void* buf, size_t len) override;
  int flush() override;
  int discard(uint64_t offset, uint64_t len) override;
  int write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) override;
  // Holes found with SEEK_DATA/SEEK_HOLE (cost: two lseek calls a run).
  uint64_t block_status(uint64_t offset, uint64_t max, bool* zero) override;

  const std::string& name() const { return name_; }
  bool is_block_device() const { return block_device_; }

 private:
  FileNode(int fd, std::string name, bool read_only, uint64_t size);
  int read_direct(uint64_t offset, void* buf, size_t len);
  int write_direct(uint64_t offset, const void* buf, size_t len);
  int write_buffered(uint64_t offset, const void* buf, size_t len);

  int fd_;
  std::string name_;
  bool read_only_;
  uint64_t size_;
  FileCachePolicy policy_;
  bool block_device_ = false;
};

}  // namespace rwd
