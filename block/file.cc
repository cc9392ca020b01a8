// The file protocol: see file.h.
#include "block/file.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace rwd {

namespace {

// O_DIRECT wants buffers, offsets and lengths aligned to the device's
// logical block; 4 KiB satisfies every device and filesystem in use.
constexpr uint64_t kDirectAlign = 4096;
constexpr uint64_t kDirectPiece = 1 << 20;  // bounce buffer size

struct AlignedBuffer {
  explicit AlignedBuffer(size_t n) {
    if (posix_memalign(&p, kDirectAlign, n) != 0) p = nullptr;
  }
  ~AlignedBuffer() { std::free(p); }
  void* p = nullptr;
};

int pread_full(int fd, void* buf, size_t len, uint64_t offset, size_t* got) {
  auto* p = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    ssize_t k = ::pread(fd, p + done, len - done, static_cast<off_t>(offset + done));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return -errno;
    if (k == 0) break;  // end of file
    done += static_cast<size_t>(k);
  }
  *got = done;
  return 0;
}

int pwrite_full(int fd, const void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<const uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    ssize_t k = ::pwrite(fd, p + done, len - done, static_cast<off_t>(offset + done));
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return -errno;
    if (k == 0) return -EIO;
    done += static_cast<size_t>(k);
  }
  return 0;
}

}  // namespace

FileCachePolicy parse_cache_options(const std::string& path, const std::string& cache, const std::string& aio) {
  FileCachePolicy p;
  if (cache.empty() || cache == "writeback") {
  } else if (cache == "none") {
    p.direct = true;
  } else if (cache == "writethrough") {
    p.writethrough = true;
  } else if (cache == "directsync") {
    p.direct = p.writethrough = true;
  } else if (cache == "unsafe") {
    p.ignore_flush = true;
  } else {
    throw BlockError("'" + path + "': invalid cache mode '" + cache +
                     "' (writeback, none, writethrough, directsync, unsafe)");
  }
  if (!aio.empty() && aio != "threads" && aio != "native" && aio != "io_uring")
    throw BlockError("'" + path + "': invalid aio mode '" + aio + "' (threads, native, io_uring)");
  if (aio == "native" && !p.direct)
    throw BlockError("'" + path + "': aio=native requires cache=none or cache=directsync (as in QEMU)");
  return p;
}

std::unique_ptr<FileNode> FileNode::open(const std::string& path, bool read_only, const FileCachePolicy& policy) {
  // Checked before opening: opening a FIFO read-only would wait for a writer.
  struct stat pre;
  if (stat(path.c_str(), &pre) == 0 && !S_ISREG(pre.st_mode) && !S_ISBLK(pre.st_mode))
    throw BlockError("'" + path + "' is not a regular file or a block device");
  int flags = (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags | (policy.direct ? O_DIRECT : 0));
  bool direct = policy.direct;
  if (fd < 0 && policy.direct && errno == EINVAL) {
    // tmpfs and some FUSE filesystems refuse O_DIRECT: QEMU would fail;
    // rewind keeps going on the page cache, which changes durability only.
    fd = ::open(path.c_str(), flags);
    if (fd >= 0)
      std::fprintf(stderr, "rewind: '%s': the filesystem does not support O_DIRECT (cache=none); using the page cache\n",
                   path.c_str());
    direct = false;
  }
  if (fd < 0) throw BlockError("could not open '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
    ::close(fd);
    throw BlockError("'" + path + "' is not a regular file or a block device");
  }
  off_t end = lseek(fd, 0, SEEK_END);  // works for block devices too
  if (end < 0) {
    int e = errno;
    ::close(fd);
    throw BlockError("'" + path + "': cannot find its size: " + std::strerror(e));
  }
  std::unique_ptr<FileNode> node(new FileNode(fd, path, read_only, static_cast<uint64_t>(end)));
  node->policy_ = policy;
  node->policy_.direct = direct;
  node->block_device_ = S_ISBLK(st.st_mode);
  return node;
}

std::unique_ptr<FileNode> FileNode::adopt(int fd, const std::string& name, bool read_only,
                                          const FileCachePolicy& policy) {
  off_t end = lseek(fd, 0, SEEK_END);
  if (end < 0) {
    int e = errno;
    ::close(fd);
    throw BlockError("'" + name + "': cannot find its size: " + std::strerror(e));
  }
  std::unique_ptr<FileNode> node(new FileNode(fd, name, read_only, static_cast<uint64_t>(end)));
  node->policy_ = policy;
  node->policy_.direct = false;  // the descriptor was opened without O_DIRECT
  return node;
}

FileNode::FileNode(int fd, std::string name, bool read_only, uint64_t size)
    : fd_(fd), name_(std::move(name)), read_only_(read_only), size_(size) {}

FileNode::~FileNode() { ::close(fd_); }

int FileNode::read(uint64_t offset, void* buf, size_t len) {
  if (policy_.direct) return read_direct(offset, buf, len);
  size_t got = 0;
  int r = pread_full(fd_, buf, len, offset, &got);
  if (r < 0) return r;
  std::memset(static_cast<uint8_t*>(buf) + got, 0, len - got);
  return 0;
}

int FileNode::write(uint64_t offset, const void* buf, size_t len) {
  if (read_only_) return -EROFS;
  if (len == 0) return 0;
  int r = policy_.direct ? write_direct(offset, buf, len) : write_buffered(offset, buf, len);
  if (r < 0) return r;
  if (offset + len > size_) size_ = offset + len;
  return policy_.writethrough ? flush() : 0;
}

int FileNode::write_buffered(uint64_t offset, const void* buf, size_t len) {
  return pwrite_full(fd_, buf, len, offset);
}

// O_DIRECT through an aligned bounce buffer, a piece at a time: the guest's
// buffers and offsets need not be aligned.
int FileNode::read_direct(uint64_t offset, void* buf, size_t len) {
  AlignedBuffer bounce(kDirectPiece);
  if (!bounce.p) return -ENOMEM;
  auto* out = static_cast<uint8_t*>(buf);
  while (len > 0) {
    uint64_t start = offset & ~(kDirectAlign - 1);
    uint64_t skip = offset - start;
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, kDirectPiece - skip));
    size_t span = static_cast<size_t>((skip + n + kDirectAlign - 1) & ~(kDirectAlign - 1));
    size_t got = 0;
    int r = pread_full(fd_, bounce.p, span, start, &got);
    if (r < 0) return r;
    if (got < span) std::memset(static_cast<uint8_t*>(bounce.p) + got, 0, span - got);
    std::memcpy(out, static_cast<uint8_t*>(bounce.p) + skip, n);
    out += n;
    offset += n;
    len -= n;
  }
  return 0;
}

int FileNode::write_direct(uint64_t offset, const void* buf, size_t len) {
  AlignedBuffer bounce(kDirectPiece);
  if (!bounce.p) return -ENOMEM;
  const uint64_t end = offset + len;
  auto* in = static_cast<const uint8_t*>(buf);
  while (len > 0) {
    uint64_t start = offset & ~(kDirectAlign - 1);
    uint64_t skip = offset - start;
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, kDirectPiece - skip));
    size_t span = static_cast<size_t>((skip + n + kDirectAlign - 1) & ~(kDirectAlign - 1));
    auto* b = static_cast<uint8_t*>(bounce.p);
    if (skip != 0 || n != span) {  // partial blocks at either edge: read, modify, write
      size_t got = 0;
      int r = pread_full(fd_, b, span, start, &got);
      if (r < 0) return r;
      std::memset(b + got, 0, span - got);
    }
    std::memcpy(b + skip, in, n);
    int r = pwrite_full(fd_, b, span, start);
    if (r < 0) return r;
    in += n;
    offset += n;
    len -= n;
  }
  // Whole blocks may have grown the file past what was asked: cut it back,
  // or a raw image's size would change under the guest.
  uint64_t want = std::max(size_, end);
  if (!block_device_ && (want & (kDirectAlign - 1)) != 0 && ftruncate(fd_, static_cast<off_t>(want)) != 0)
    return -errno;
  return 0;
}

int FileNode::flush() {
  if (read_only_ || policy_.ignore_flush) return 0;
  return fdatasync(fd_) == 0 ? 0 : -errno;
}

int FileNode::discard(uint64_t offset, uint64_t len) {
  if (read_only_) return -EROFS;
  if (len == 0 || offset >= size_) return 0;
  len = std::min(len, size_ - offset);
  if (fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                static_cast<off_t>(len)) == 0)
    return 0;
  // Discard is a hint: a filesystem without hole punching just keeps the data.
  return (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) ? 0 : -errno;
}

int FileNode::write_zeroes(uint64_t offset, uint64_t len, bool may_unmap) {
  if (read_only_) return -EROFS;
  if (len == 0) return 0;
  if (offset + len <= size_ && !block_device_) {
    int mode = may_unmap ? (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) : FALLOC_FL_ZERO_RANGE;
    if (fallocate(fd_, mode, static_cast<off_t>(offset), static_cast<off_t>(len)) == 0)
      return policy_.writethrough ? flush() : 0;
  }
  // No fallocate mode for it (or growing the file): write zeros.
  std::vector<uint8_t> zeros(static_cast<size_t>(std::min<uint64_t>(len, kDirectPiece)));
  while (len > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(len, zeros.size()));
    int r = write(offset, zeros.data(), n);
    if (r < 0) return r;
    offset += n;
    len -= n;
  }
  return 0;
}

uint64_t FileNode::block_status(uint64_t offset, uint64_t max, bool* zero) {
  *zero = false;
  if (offset >= size_) return 0;
  max = std::min(max, size_ - offset);
  if (block_device_) return max;
  off_t data = lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (data < 0) {
    if (errno == ENXIO) {  // no data from here to the end: one hole
      *zero = true;
      return max;
    }
    return max;  // SEEK_DATA unsupported: say "may hold data"
  }
  if (static_cast<uint64_t>(data) > offset) {
    *zero = true;
    return std::min<uint64_t>(max, static_cast<uint64_t>(data) - offset);
  }
  off_t hole = lseek(fd_, static_cast<off_t>(offset), SEEK_HOLE);
  if (hole < 0 || static_cast<uint64_t>(hole) <= offset) return max;
  return std::min<uint64_t>(max, static_cast<uint64_t>(hole) - offset);
}

}  // namespace rwd
