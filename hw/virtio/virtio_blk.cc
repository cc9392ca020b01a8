#include "hw/virtio/virtio_blk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "block/read_embedder.h"

namespace rwd {

namespace {

// Feature bits (5.2.3).
constexpr uint64_t kFSizeMax = 1ull << 1, kFSegMax = 1ull << 2, kFRo = 1ull << 5, kFBlkSize = 1ull << 6,
                   kFFlush = 1ull << 9, kFDiscard = 1ull << 13, kFWriteZeroes = 1ull << 14;
// Request types and status (5.2.6).
enum : uint32_t { kIn = 0, kOut = 1, kFlush = 4, kGetId = 8, kDiscard = 11, kWriteZeroes = 13 };
enum : uint8_t { kStatusOk = 0, kStatusIoErr = 1, kStatusUnsupp = 2 };
constexpr uint64_t kSector = 512;
constexpr size_t kHeader = 16;  // le32 type, le32 reserved, le64 sector
constexpr size_t kIdBytes = 20;

struct Range {  // one discard/write-zeroes segment (5.2.6.2)
  uint64_t sector;
  uint32_t num_sectors, flags;
};

}  // namespace

VirtioBlk::VirtioBlk(Drive& drive, InputPath& input, uint8_t source, std::string serial, ReadEmbedder* embed)
    : drive_(drive), serial_(std::move(serial)), requests_(drive.io(), input, source, embed) {
  drive_.requests_in_flight = [this] { return requests_.in_flight(); };
}

VirtioBlk::~VirtioBlk() { drive_.requests_in_flight = nullptr; }

uint64_t VirtioBlk::features() const {
  uint64_t f = kFSizeMax | kFSegMax | kFBlkSize | kFFlush | kFDiscard | kFWriteZeroes;
  return drive_.read_only() ? f | kFRo : f;
}

// The configuration space (5.2.4), little-endian, as far as the features
// above use it.
uint8_t VirtioBlk::config_read(uint32_t offset) {
  uint8_t c[60] = {};
  auto put = [&c](uint32_t at, uint64_t v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) c[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put(0, drive_.size() / kSector, 8);   // capacity
  put(8, kSizeMax, 4);                  // size_max
  put(12, kSegMax, 4);                  // seg_max
  put(20, kSector, 4);                  // blk_size
  put(36, kMaxDiscardSectors, 4);       // max_discard_sectors
  put(40, kMaxDiscardSegments, 4);      // max_discard_seg
  put(44, 1, 4);                        // discard_sector_alignment
  put(48, kMaxDiscardSectors, 4);       // max_write_zeroes_sectors
  put(52, kMaxDiscardSegments, 4);      // max_write_zeroes_seg
  put(56, 1, 1);                        // write_zeroes_may_unmap
  return offset < sizeof c ? c[offset] : 0;
}

void VirtioBlk::notify(unsigned, VirtQueue& q) {
  VirtqElement e;
  while (q.pop(e) == VirtQueue::Pop::kElement) take(q, e);
}

// Returns the request with its status byte (the last byte of its writable
// buffers) and, for reads, the data before it.
void VirtioBlk::finish(const VirtqElement& e, uint8_t status, uint64_t data_written, const std::vector<uint8_t>* data) {
  uint64_t in = e.in_bytes();
  if (data && status == kStatusOk) data_written = queue_host()->copy_to_guest(0, e, 0, data->data(), data_written);
  queue_host()->copy_to_guest(0, e, in - 1, &status, 1);
  queue_host()->complete(0, e, data_written + 1);
}

void VirtioBlk::take(VirtQueue& q, const VirtqElement& e) {
  // A request has a readable header and a writable status byte at least.
  uint8_t header[kHeader];
  if (e.out_bytes() < kHeader || e.in_bytes() < 1 || q.copy_from_guest(e, 0, header, kHeader) != kHeader) {
    // Nowhere to put a status: the request goes back with nothing written.
    q.push(e, 0);
    return;
  }
  uint32_t type;
  uint64_t sector;
  std::memcpy(&type, header, 4);
  std::memcpy(&sector, header + 8, 8);
  const uint64_t disk = drive_.size();
  auto error_now = [&](uint8_t status) {
    uint8_t s = status;
    q.copy_to_guest(e, e.in_bytes() - 1, &s, 1);
    q.push(e, 1);
  };
  auto in_disk = [disk](uint64_t sector, uint64_t bytes) {
    return sector <= disk / kSector && bytes <= disk - sector * kSector;
  };
  BlockNode* node = &drive_.node();
  switch (type) {
    case kIn: {
      // A read larger than one completion's payload (U-Boot reads whole
      // files in one request) is several requests to the drive, in order;
      // each copies its part in, the last one returns the element.
      uint64_t len = e.in_bytes() - 1;
      if (len % kSector || len > kMaxReadBytes || !in_disk(sector, len)) return error_now(kStatusIoErr);
      struct Parts {
        uint64_t left;
        bool ok = true;
      };
      auto parts = std::make_shared<Parts>(Parts{(len + kMaxRequestBytes - 1) / kMaxRequestBytes});
      if (len == 0) parts->left = 1;
      for (uint64_t off = 0; off < len || off == 0; off += kMaxRequestBytes) {
        uint64_t n = std::min(kMaxRequestBytes, len - off);
        requests_.start(
            [node, sector, off, n] {
              AsyncResult data(n);
              if (n && node->read(sector * kSector + off, data.data(), n) != 0) data.clear();  // empty: failed
              return data;
            },
            [this, e, off, n, len, parts](const AsyncResult& data) {
              if (data.size() != n)
                parts->ok = false;
              else if (n)
                queue_host()->copy_to_guest(0, e, off, data.data(), n);
              if (--parts->left == 0) finish(e, parts->ok ? kStatusOk : kStatusIoErr, parts->ok ? len : 0, nullptr);
            });
        if (len == 0) break;
      }
      return;
    }
    case kOut: {
      uint64_t len = e.out_bytes() - kHeader;
      if (drive_.read_only()) return error_now(kStatusIoErr);
      if (len % kSector || len > kMaxRequestBytes || !in_disk(sector, len)) return error_now(kStatusIoErr);
      auto data = std::make_shared<std::vector<uint8_t>>(len);
      q.copy_from_guest(e, kHeader, data->data(), len);
      requests_.start([node, sector, data] { return AsyncResult{node->write(sector * kSector, data->data(), data->size()) == 0}; },
                      [this, e](const AsyncResult& ok) { finish(e, !ok.empty() && ok[0] ? kStatusOk : kStatusIoErr, 0, nullptr); });
      return;
    }
    case kFlush:
      requests_.start([node] { return AsyncResult{node->flush() == 0}; },
                      [this, e](const AsyncResult& ok) { finish(e, !ok.empty() && ok[0] ? kStatusOk : kStatusIoErr, 0, nullptr); });
      return;
    case kGetId: {
      // The serial, NUL-padded to 20 bytes (no NUL when it fills them).
      char id[kIdBytes] = {};
      std::memcpy(id, serial_.data(), std::min(serial_.size(), kIdBytes));
      uint64_t n = q.copy_to_guest(e, 0, id, std::min<uint64_t>(kIdBytes, e.in_bytes() - 1));
      uint8_t ok = kStatusOk;
      q.copy_to_guest(e, e.in_bytes() - 1, &ok, 1);
      q.push(e, n + 1);
      return;
    }
    case kDiscard:
    case kWriteZeroes: {
      uint64_t bytes = e.out_bytes() - kHeader;
      if (bytes == 0 || bytes % sizeof(Range) || bytes / sizeof(Range) > kMaxDiscardSegments) return error_now(kStatusIoErr);
      if (drive_.read_only()) return error_now(kStatusIoErr);
      auto ranges = std::make_shared<std::vector<Range>>(bytes / sizeof(Range));
      q.copy_from_guest(e, kHeader, ranges->data(), bytes);
      for (const Range& r : *ranges) {
        bool unmap_flag_ok = type == kWriteZeroes ? (r.flags & ~1u) == 0 : r.flags == 0;
        if (!unmap_flag_ok) return error_now(kStatusUnsupp);
        if (r.num_sectors > kMaxDiscardSectors || !in_disk(r.sector, uint64_t{r.num_sectors} * kSector))
          return error_now(kStatusIoErr);
      }
      bool zeroes = type == kWriteZeroes;
      requests_.start(
          [node, ranges, zeroes] {
            for (const Range& r : *ranges) {
              int rc = zeroes ? node->write_zeroes(r.sector * kSector, uint64_t{r.num_sectors} * kSector, r.flags & 1)
                              : node->discard(r.sector * kSector, uint64_t{r.num_sectors} * kSector);
              if (rc != 0 && !(rc == -ENOTSUP && !zeroes)) return AsyncResult{0};  // a discard may do nothing
            }
            return AsyncResult{1};
          },
          [this, e](const AsyncResult& ok) { finish(e, !ok.empty() && ok[0] ? kStatusOk : kStatusIoErr, 0, nullptr); });
      return;
    }
    default:
      return error_now(kStatusUnsupp);
  }
}

void VirtioBlk::reset() { requests_.cancel_all(); }

void VirtioBlk::save(ByteWriter& w) const {
  w.section("virtio_blk");
  requests_.save(w);
}

void VirtioBlk::load(ByteReader& r) {
  r.expect_section("virtio_blk");
  requests_.load(r);
}

}  // namespace rwd
