// What a virtio device type (rng, and later blk, net, input) provides to the
// virtio-mmio transport. The transport owns the registers, feature
// negotiation, the virtqueues and the interrupt; the device only says what it
// is and serves the requests it finds in its queues.
#pragma once
#include <cstdint>
#include <string>

#include "hw/virtio/virtqueue.h"
#include "util/byte_codec.h"

namespace rwd {

namespace virtio {
// Device status bits (2.1).
inline constexpr uint32_t kAcknowledge = 1, kDriver = 2, kDriverOk = 4, kFeaturesOk = 8,
                          kDeviceNeedsReset = 0x40, kFailed = 0x80;
// Transport feature bits (6).
inline constexpr uint64_t kFRingIndirectDesc = 1ull << 28;
inline constexpr uint64_t kFVersion1 = 1ull << 32;
// Device IDs (5).
inline constexpr uint32_t kIdEntropy = 4;
}  // namespace virtio

// What the transport lets a device do outside notify(): finish a request it
// took earlier (an asynchronous device, see hw/core/async_requests.h).
class VirtioQueueHost {
 public:
  virtual ~VirtioQueueHost() = default;
  // Copies into the request's device-writable buffers (returns the count).
  virtual uint64_t copy_to_guest(unsigned queue, const VirtqElement& e, uint64_t offset, const void* data,
                                 uint64_t len) = 0;
  // Returns the request to the driver with `written` bytes and raises the
  // interrupt if the driver wants one. Ignored when the device was reset
  // since (the driver forgot the request).
  virtual void complete(unsigned queue, const VirtqElement& e, uint64_t written) = 0;
  // The queue, if the driver has it running (DRIVER_OK, queue ready, no
  // reset pending): a device that receives from the host (virtio-net) takes
  // buffers from it outside notify(), then returns them with complete().
  virtual VirtQueue* live_queue(unsigned queue) = 0;
};

class VirtioDevice {
 public:
  virtual ~VirtioDevice() = default;
  // The transport, set once when the device is plugged in.
  void attach(VirtioQueueHost* host) { queue_host_ = host; }
  virtual std::string name() const = 0;
  virtual uint32_t device_id() const = 0;
  // Device-type feature bits; the transport adds the ones it implements
  // (VERSION_1, RING_INDIRECT_DESC).
  virtual uint64_t features() const { return 0; }
  // The driver's accepted subset, when it sets FEATURES_OK.
  virtual void set_features(uint64_t) {}
  virtual unsigned queue_count() const = 0;
  virtual uint16_t queue_max_size(unsigned queue) const = 0;
  // Device-specific configuration space, byte by byte (offset < config_size()).
  virtual uint32_t config_size() const { return 0; }
  virtual uint8_t config_read(uint32_t) { return 0; }
  virtual void config_write(uint32_t, uint8_t) {}
  // The driver notified `queue` (ready, after DRIVER_OK): take requests and
  // complete them now (push them), or keep them and complete them later
  // through queue_host(). The transport then raises the interrupt for what
  // was pushed, or asks for a reset if the queue turned out broken.
  virtual void notify(unsigned queue, VirtQueue& q) = 0;
  // Device reset: requests taken and not completed are dropped.
  virtual void reset() {}
  virtual void save(ByteWriter& w) const = 0;
  virtual void load(ByteReader& r) = 0;

 protected:
  VirtioQueueHost* queue_host() const { return queue_host_; }

 private:
  VirtioQueueHost* queue_host_ = nullptr;
};

}  // namespace rwd
