#include "hw/virtio/virtio_transport.h"

namespace rwd {

VirtioTransport::VirtioTransport(AddressSpace& as, std::unique_ptr<VirtioDevice> device) : device_(std::move(device)) {
  if (!device_) return;
  for (unsigned q = 0; q < device_->queue_count(); ++q) queues_.emplace_back(as, device_->queue_max_size(q));
  device_->attach(this);
}

uint64_t VirtioTransport::offered_features() const {
  return device_->features() | virtio::kFVersion1 | virtio::kFRingIndirectDesc;
}

uint32_t VirtioTransport::device_features_word() const {
  return device_features_sel_ > 1 ? 0 : static_cast<uint32_t>(offered_features() >> (32 * device_features_sel_));
}

// Fixed once FEATURES_OK is set (3.1.1).
void VirtioTransport::write_driver_features_word(uint32_t value) {
  if (status_ & virtio::kFeaturesOk) return;
  if (driver_features_sel_ == 0) virtio::set_low(driver_features_, value);
  if (driver_features_sel_ == 1) virtio::set_high(driver_features_, value);
}

void VirtioTransport::write_legacy_features(uint32_t value) {
  if (status_ & virtio::kDriverOk) return;
  legacy_ = true;
  driver_features_ = value & offered_features() & ~virtio::kFVersion1;
  for (VirtQueue& q : queues_) q.indirect_allowed = driver_features_ & virtio::kFRingIndirectDesc;
  device_->set_features(driver_features_);
}

VirtQueue* VirtioTransport::selected() { return queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr; }

// The driver sets a queue up before enabling it (4.1.4.3.2, 4.2.3.2); later
// writes to its layout are ignored rather than let the ring move under the
// device.
VirtQueue* VirtioTransport::configurable() {
  VirtQueue* q = selected();
  return q && !q->ready ? q : nullptr;
}

// Writing 0 resets the device. Setting FEATURES_OK is where the device
// accepts or refuses the driver's features (3.1.1): it refuses bits it never
// offered and drivers without VERSION_1 (legacy drivers need the legacy
// interface), by leaving FEATURES_OK clear. DEVICE_NEEDS_RESET is the
// device's to set: a driver write neither sets nor clears it.
void VirtioTransport::write_status(uint32_t value) {
  if (value == 0) {
    reset_transport();
    return;
  }
  value &= 0xff;
  if (!legacy_ && (value & virtio::kFeaturesOk) && !(status_ & virtio::kFeaturesOk)) {
    bool acceptable = (driver_features_ & ~offered_features()) == 0 && (driver_features_ & virtio::kFVersion1);
    if (acceptable) {
      for (VirtQueue& q : queues_) q.indirect_allowed = driver_features_ & virtio::kFRingIndirectDesc;
      device_->set_features(driver_features_);
    } else {
      value &= ~virtio::kFeaturesOk;
    }
  }
  status_ = (value & ~virtio::kDeviceNeedsReset) | (status_ & virtio::kDeviceNeedsReset);
}

bool VirtioTransport::live() const {
  const uint32_t live = legacy_ ? virtio::kDriverOk : virtio::kFeaturesOk | virtio::kDriverOk;
  return (status_ & live) == live && !(status_ & virtio::kDeviceNeedsReset);
}

// The device serves the queue synchronously, inside the guest's write: its
// results (and any host input it takes, e.g. entropy) land at an exact
// instruction count.
void VirtioTransport::notify(uint32_t queue) {
  if (queue >= queues_.size() || !live()) return;
  VirtQueue& q = queues_[queue];
  if (!q.ready) return;
  device_->notify(queue, q);
  after_push(q);
}

void VirtioTransport::acknowledge(uint32_t bits) {
  interrupt_status_ &= ~bits;
  update_irq();
}

void VirtioTransport::after_push(VirtQueue& q) {
  if (q.take_interrupt()) {
    interrupt_status_ |= kIntUsedBuffer;
    update_irq();
  }
  if (q.broken()) needs_reset();
}

uint64_t VirtioTransport::copy_to_guest(unsigned queue, const VirtqElement& e, uint64_t offset, const void* data,
                                        uint64_t len) {
  return queue < queues_.size() ? queues_[queue].copy_to_guest(e, offset, data, len) : 0;
}

// A request the device took earlier finishes. The device drops what it holds
// on reset, so a request completed here belongs to the current driver.
void VirtioTransport::complete(unsigned queue, const VirtqElement& e, uint64_t written) {
  if (queue >= queues_.size() || !live()) return;
  VirtQueue& q = queues_[queue];
  q.push(e, written);
  after_push(q);
}

// A queue the device may take buffers from outside notify() (a network
// card's receive queue): only while the driver has the device live.
VirtQueue* VirtioTransport::live_queue(unsigned queue) {
  if (queue >= queues_.size() || !live()) return nullptr;
  return queues_[queue].ready ? &queues_[queue] : nullptr;
}

// A driver error the device cannot recover from (2.1.2): stop, and tell a
// running driver with a configuration-change interrupt.
void VirtioTransport::needs_reset() {
  if (status_ & virtio::kDeviceNeedsReset) return;
  status_ |= virtio::kDeviceNeedsReset;
  if (status_ & virtio::kDriverOk) {
    interrupt_status_ |= kIntConfigChange;
    update_irq();
  }
}

void VirtioTransport::reset_transport() {
  status_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  interrupt_status_ = 0;
  legacy_ = false;
  for (VirtQueue& q : queues_) q.reset();
  if (device_) device_->reset();
  update_irq();
}

void VirtioTransport::save_core(ByteWriter& w) const {
  w.u32(device_->device_id());
  w.u32(status_);
  w.u32(device_features_sel_);
  w.u32(driver_features_sel_);
  w.u64(driver_features_);
  w.u32(queue_sel_);
  w.u32(interrupt_status_);
  w.u32(config_generation_);
  w.u32(static_cast<uint32_t>(queues_.size()));
  for (const VirtQueue& q : queues_) q.save(w);
  device_->save(w);
}

void VirtioTransport::load_core(ByteReader& r, const char* what) {
  if (r.u32() != device_->device_id()) throw DecodeError(std::string(what) + ": the saved slot has a different device");
  status_ = r.u32();
  device_features_sel_ = r.u32();
  driver_features_sel_ = r.u32();
  driver_features_ = r.u64();
  queue_sel_ = r.u32();
  interrupt_status_ = r.u32();
  config_generation_ = r.u32();
  if (r.u32() != queues_.size()) throw DecodeError(std::string(what) + ": wrong number of queues");
  for (VirtQueue& q : queues_) q.load(r);
  // What the device was told at FEATURES_OK (or by a legacy driver's write).
  device_->set_features(legacy_ || (status_ & virtio::kFeaturesOk) ? driver_features_ : 0);
  device_->load(r);
  update_irq();
}

}  // namespace rwd
