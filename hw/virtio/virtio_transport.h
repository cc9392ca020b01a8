// What every virtio transport does the same way, whatever its registers look
// like (virtio-mmio, virtio-pci): the device behind it, its virtqueues, the
// device status and its rules (3.1.1: feature negotiation, reset, the
// device's own DEVICE_NEEDS_RESET), notifications, asynchronous completions
// and the interrupt status bits (used buffer, configuration change).
//
// A transport derives from it, decodes its registers into these calls and
// says how the interrupt status reaches the guest (update_irq()).
#pragma once
#include <memory>
#include <vector>

#include "hw/virtio/virtio_device.h"

namespace rwd {

namespace virtio {
// A 64-bit register written as two 32-bit halves.
inline void set_low(uint64_t& v, uint32_t x) { v = (v & ~0xffffffffull) | x; }
inline void set_high(uint64_t& v, uint32_t x) { v = (v & 0xffffffffull) | (uint64_t{x} << 32); }
}  // namespace virtio

class VirtioTransport : private VirtioQueueHost {
 public:
  static constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;

  VirtioTransport(AddressSpace& as, std::unique_ptr<VirtioDevice> device);
  ~VirtioTransport() override = default;

  VirtioDevice* device() const { return device_.get(); }
  uint32_t status() const { return status_; }
  uint32_t interrupt_status() const { return interrupt_status_; }

 protected:
  // The features offered: the device's plus VERSION_1 and RING_INDIRECT_DESC.
  uint64_t offered_features() const;
  // 32 bits of the offered features (by *_features_sel_), and the driver's
  // half-writes (ignored once FEATURES_OK is set).
  uint32_t device_features_word() const;
  void write_driver_features_word(uint32_t value);
  // A legacy driver's feature write: bits 0..31, no VERSION_1, taken as
  // they are (bits the device never offered are dropped).
  void write_legacy_features(uint32_t value);
  VirtQueue* selected();      // nullptr when queue_sel_ names no queue
  VirtQueue* configurable();  // ... or when the selected queue is live
  void write_status(uint32_t value);
  void notify(uint32_t queue);
  void acknowledge(uint32_t bits);  // clears interrupt status bits
  // The transport's reset (status 0 or a bus reset): registers, queues, device.
  void reset_transport();
  // The shared state, as virtio-mmio always saved it (after its section tag).
  void save_core(ByteWriter& w) const;
  void load_core(ByteReader& r, const char* what);
  // Drives the transport's interrupt from interrupt_status_.
  virtual void update_irq() = 0;

  std::unique_ptr<VirtioDevice> device_;
  std::vector<VirtQueue> queues_;
  uint32_t status_ = 0;
  uint32_t device_features_sel_ = 0, driver_features_sel_ = 0;
  uint64_t driver_features_ = 0;
  uint32_t queue_sel_ = 0;
  uint32_t interrupt_status_ = 0;
  uint32_t config_generation_ = 0;
  // A legacy driver (virtio-pci's legacy interface, 4.1.4.8) drives the
  // device: no FEATURES_OK step, features accepted as written, the queue is
  // live once DRIVER_OK is set. Cleared by a reset.
  bool legacy_ = false;

 private:
  // VirtioQueueHost: asynchronous completions.
  uint64_t copy_to_guest(unsigned queue, const VirtqElement& e, uint64_t offset, const void* data,
                         uint64_t len) override;
  void complete(unsigned queue, const VirtqElement& e, uint64_t written) override;
  VirtQueue* live_queue(unsigned queue) override;
  bool live() const;
  void after_push(VirtQueue& q);
  void needs_reset();
};

}  // namespace rwd
