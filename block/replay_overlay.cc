// The replay's in-memory copy-on-write disk overlay: see replay_overlay.h.
#include "block/replay_overlay.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace rwd {

// Each cluster and chunk counts its own bytes while it lives, wherever it
// dies (a generation may be dropped on the emulation thread).
struct ReplayOverlayNode::Cluster {
  explicit Cluster(std::shared_ptr<Accounting> a) : acct(std::move(a)) { acct->bytes += sizeof(Cluster); }
  Cluster(const Cluster& o) : acct(o.acct) {
    std::memcpy(data, o.data, sizeof data);
    acct->bytes += sizeof(Cluster);
  }
  ~Cluster() { acct->bytes -= sizeof(Cluster); }
  std::shared_ptr<Accounting> acct;
  uint8_t data[kClusterBytes];
};

struct ReplayOverlayNode::Chunk {
  explicit Chunk(std::shared_ptr<Accounting> a) : acct(std::move(a)) { acct->bytes += sizeof(Chunk); }
  Chunk(const Chunk& o) : acct(o.acct), clusters(o.clusters) { acct->bytes += sizeof(Chunk); }
  ~Chunk() { acct->bytes -= sizeof(Chunk); }
  std::shared_ptr<Accounting> acct;
  std::array<std::shared_ptr<Cluster>, kClustersPerChunk> clusters;
};

class ReplayOverlayNode::Generation {
 public:
  explicit Generation(ChunkMap m) : chunks(std::move(m)) {}
  ChunkMap chunks;
};

ReplayOverlayNode::ReplayOverlayNode(std::unique_ptr<BlockNode> image)
    : image_(std::move(image)), size_(image_->size()) {}

ReplayOverlayNode::~ReplayOverlayNode() = default;

std::shared_ptr<const ReplayOverlayNode::Generation> ReplayOverlayNode::save() const {
  return std::make_shared<const Generation>(live_);
}

void ReplayOverlayNode::restore(const std::shared_ptr<const Generation>& g) { live_ = g->chunks; }

// The image past its end (a size that is not a multiple of a cluster) reads
// as zeros; so do the bytes of the last cluster beyond the disk.
int ReplayOverlayNode::read_image(uint64_t offset, uint8_t* buf, size_t len) {
  if (offset >= size_) {
    std::memset(buf, 0, len);
    return 0;
  }
  size_t in = static_cast<size_t>(std::min<uint64_t>(len, size_ - offset));
  if (in < len) std::memset(buf + in, 0, len - in);
  return image_->read(offset, buf, in);
}

const ReplayOverlayNode::Cluster* ReplayOverlayNode::find_cluster(uint64_t index) const {
  auto it = live_.find(index / kClustersPerChunk);
  return it == live_.end() ? nullptr : it->second->clusters[index % kClustersPerChunk].get();
}

ReplayOverlayNode::Cluster* ReplayOverlayNode::writable_cluster(uint64_t index, int* err) {
  std::shared_ptr<Chunk>& chunk = live_[index / kClustersPerChunk];
  if (!chunk) chunk = std::make_shared<Chunk>(accounting_);
  else if (chunk.use_count() > 1) chunk = std::make_shared<Chunk>(*chunk);  // a generation holds it
  std::shared_ptr<Cluster>& c = chunk->clusters[index % kClustersPerChunk];
  if (!c) {
    auto fresh = std::make_shared<Cluster>(accounting_);
    *err = read_image(index * kClusterBytes, fresh->data, kClusterBytes);
    if (*err < 0) return nullptr;
    c = std::move(fresh);
  } else if (c.use_count() > 1) {
    c = std::make_shared<Cluster>(*c);
  }
  *err = 0;
  return c.get();
}

int ReplayOverlayNode::read(uint64_t offset, void* buf, size_t len) {
  if (offset > size_ || len > size_ - offset) return -EIO;
  uint8_t* out = static_cast<uint8_t*>(buf);
  // Runs of clusters the overlay does not hold are read from the image in
  // one request each.
  uint64_t pos = offset, end = offset + len, image_from = offset;
  auto flush_image = [&](uint64_t upto) {
    if (upto <= image_from) return 0;
    return read_image(image_from, out + (image_from - offset), static_cast<size_t>(upto - image_from));
  };
  while (pos < end) {
    uint64_t index = pos / kClusterBytes;
    uint64_t next = std::min(end, (index + 1) * kClusterBytes);
    if (const Cluster* c = find_cluster(index)) {
      if (int r = flush_image(pos); r < 0) return r;
      std::memcpy(out + (pos - offset), c->data + (pos - index * kClusterBytes), static_cast<size_t>(next - pos));
      image_from = next;
    }
    pos = next;
  }
  return flush_image(end);
}

int ReplayOverlayNode::write(uint64_t offset, const void* buf, size_t len) {
  if (offset > size_ || len > size_ - offset) return -EIO;
  const uint8_t* in = static_cast<const uint8_t*>(buf);
  for (uint64_t pos = offset, end = offset + len; pos < end;) {
    uint64_t index = pos / kClusterBytes;
    uint64_t next = std::min(end, (index + 1) * kClusterBytes);
    int err = 0;
    Cluster* c = writable_cluster(index, &err);
    if (!c) return err;
    std::memcpy(c->data + (pos - index * kClusterBytes), in + (pos - offset), static_cast<size_t>(next - pos));
    pos = next;
  }
  return 0;
}

int ReplayOverlayNode::write_zeroes(uint64_t offset, uint64_t len, bool) {
  if (offset > size_ || len > size_ - offset) return -EIO;
  static const std::vector<uint8_t> zeros(kChunkBytes);
  for (uint64_t pos = offset, end = offset + len; pos < end;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(end - pos, kChunkBytes));
    if (int r = write(pos, zeros.data(), n); r < 0) return r;
    pos += n;
  }
  return 0;
}

// As the qcow2 overlay did: only whole 64 KiB clusters are dropped (and
// then read as zeros, not as the image below); partial ones stay as they are.
int ReplayOverlayNode::discard(uint64_t offset, uint64_t len) {
  if (offset > size_ || len > size_ - offset) return -EIO;
  uint64_t from = (offset + kDiscardGranule - 1) / kDiscardGranule * kDiscardGranule;
  uint64_t to = (offset + len) / kDiscardGranule * kDiscardGranule;
  return from < to ? write_zeroes(from, to - from, true) : 0;
}

uint64_t ReplayOverlayNode::block_status(uint64_t offset, uint64_t max, bool* zero) {
  *zero = false;
  if (offset >= size_) return 0;
  max = std::min(max, size_ - offset);
  uint64_t index = offset / kClusterBytes;
  uint64_t cluster_end = std::min(size_, (index + 1) * kClusterBytes);
  if (find_cluster(index)) return std::min(max, cluster_end - offset);
  // Not ours: the image says, up to the next chunk we hold part of.
  auto it = live_.lower_bound(index / kClustersPerChunk);
  uint64_t limit = it == live_.end() ? size_ : std::max(cluster_end, it->first * kChunkBytes);
  if (it != live_.end() && it->first == index / kClustersPerChunk) limit = cluster_end;
  return image_->block_status(offset, std::min(max, limit - offset), zero);
}

std::unique_ptr<BlockNode> open_drive_for_replay(const DriveConfig& c, ReplayOverlayNode** overlay) {
  *overlay = nullptr;
  return open_drive_chain(c, true, [&](std::unique_ptr<BlockNode> node) -> std::unique_ptr<BlockNode> {
    if (c.read_only) return node;
    auto top = std::make_unique<ReplayOverlayNode>(std::move(node));
    *overlay = top.get();
    return top;
  });
}

}  // namespace rwd
