// virtio-blk (virtio 1.x, 5.2: device ID 2): one request queue; read,
// write, flush, get-id, discard and write-zeroes on a drive (block/drive.h).
//
// Requests are taken in notify(), checked (a chain the spec does not allow,
// a range past the disk, an unknown type: an error status, never a host
// fault), and handed to the drive's I/O thread in the guest's order. Guest
// memory is touched only on the emulation thread: write data is copied out
// when the request is taken, read data copied in when it completes. The
// completion point is the input path's (hw/core/async_requests.h): a
// recording pins it, a replay completes the request at the same instruction.
// With embedded reads (rrdisk=embed) the data of every read goes into the
// recording and a replay needs no image at all.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "block/drive.h"
#include "hw/core/async_requests.h"
#include "hw/virtio/virtio_device.h"

namespace rwd {

class ReadEmbedder;

class VirtioBlk : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueSize = 256;
  // A request carries at most kSegMax segments of at most kSizeMax bytes:
  // 1016 KiB, so a read's data fits one recording event (rrdisk=embed; an
  // rrfile block holds 1 MiB). Linux splits larger transfers itself.
  static constexpr uint32_t kSegMax = 254;
  static constexpr uint32_t kSizeMax = 4096;
  static constexpr uint64_t kMaxRequestBytes = uint64_t{kSegMax} * kSizeMax;  // larger writes: an I/O error
  // Reads beyond kMaxRequestBytes (from drivers that ignore seg_max and
  // size_max, like U-Boot's) are served in kMaxRequestBytes parts, up to:
  static constexpr uint64_t kMaxReadBytes = 256ull << 20;
  static constexpr uint32_t kMaxDiscardSectors = 1u << 22;  // 2 GiB per discard/write-zeroes range
  static constexpr uint32_t kMaxDiscardSegments = 256;

  // `source`: this device's number among completion sources (its slot).
  // `serial`: what GET_ID answers (up to 20 bytes).
  VirtioBlk(Drive& drive, InputPath& input, uint8_t source, std::string serial, ReadEmbedder* embed = nullptr);
  ~VirtioBlk() override;

  std::string name() const override { return "virtio-blk-device"; }
  uint32_t device_id() const override { return 2; }
  uint64_t features() const override;
  unsigned queue_count() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 60; }
  uint8_t config_read(uint32_t offset) override;
  void notify(unsigned queue, VirtQueue& q) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

 private:
  struct Request;
  void take(VirtQueue& q, const VirtqElement& e);
  void finish(const VirtqElement& e, uint8_t status, uint64_t data_written, const std::vector<uint8_t>* data);

  Drive& drive_;
  std::string serial_;
  AsyncRequests requests_;
};

}  // namespace rwd
