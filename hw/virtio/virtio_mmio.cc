#include "hw/virtio/virtio_mmio.h"

namespace rwd {

namespace {

// Register offsets (virtio 1.x, 4.2.2).
enum : uint64_t {
  kMagicValue = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c,
  kDeviceFeatures = 0x010, kDeviceFeaturesSel = 0x014,
  kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024,
  kQueueSel = 0x030, kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044,
  kQueueNotify = 0x050, kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070,
  kQueueDescLow = 0x080, kQueueDescHigh = 0x084, kQueueDriverLow = 0x090, kQueueDriverHigh = 0x094,
  kQueueDeviceLow = 0x0a0, kQueueDeviceHigh = 0x0a4,
  kShmSel = 0x0ac, kShmLenLow = 0x0b0, kShmLenHigh = 0x0b4, kShmBaseLow = 0x0b8, kShmBaseHigh = 0x0bc,
  kConfigGeneration = 0x0fc, kConfig = 0x100,
};
constexpr uint32_t kIntUsedBuffer = 1, kIntConfigChange = 2;

void set_low(uint64_t& v, uint32_t x) { v = (v & ~0xffffffffull) | x; }
void set_high(uint64_t& v, uint32_t x) { v = (v & 0xffffffffull) | (uint64_t{x} << 32); }

}  // namespace

VirtioMmio::VirtioMmio(AddressSpace& as, IrqLine* irq, std::unique_ptr<VirtioDevice> device, bool legacy_when_empty)
    : irq_(irq), device_(std::move(device)), legacy_when_empty_(legacy_when_empty) {
  if (!device_) return;
  for (unsigned q = 0; q < device_->queue_count(); ++q) queues_.emplace_back(as, device_->queue_max_size(q));
  device_->attach(this);
}

std::string VirtioMmio::name() const { return device_ ? "virtio_mmio:" + device_->name() : "virtio_mmio"; }

uint64_t VirtioMmio::offered_features() const {
  return device_->features() | virtio::kFVersion1 | virtio::kFRingIndirectDesc;
}

// Registers take 32-bit aligned accesses only (4.2.2.2); QEMU reads 0 for
// any other access and ignores such writes, and so do we. The
// configuration space takes 8-, 16-, 32- (and 64-) bit accesses.
uint64_t VirtioMmio::read(uint64_t offset, unsigned size) {
  if (offset >= kSize || size > kSize - offset) return 0;
  if (offset < kConfig) return size == 4 && offset % 4 == 0 ? read_register(offset) : 0;
  if (!device_) return 0;
  uint64_t v = 0;
  uint32_t off = static_cast<uint32_t>(offset - kConfig);
  for (unsigned i = 0; i < size && i < 8; ++i)
    if (off + i < device_->config_size()) v |= uint64_t{device_->config_read(off + i)} << (8 * i);
  return v;
}

void VirtioMmio::write(uint64_t offset, unsigned size, uint64_t value) {
  if (!device_ || offset >= kSize || size > kSize - offset) return;
  if (offset < kConfig) {
    if (size == 4 && offset % 4 == 0) write_register(offset, static_cast<uint32_t>(value));
    return;
  }
  uint32_t off = static_cast<uint32_t>(offset - kConfig);
  for (unsigned i = 0; i < size && i < 8; ++i)
    if (off + i < device_->config_size()) device_->config_write(off + i, static_cast<uint8_t>(value >> (8 * i)));
}

VirtQueue* VirtioMmio::selected() { return queue_sel_ < queues_.size() ? &queues_[queue_sel_] : nullptr; }

// The driver sets a queue up before enabling it (4.2.3.2); later writes
// to its layout are ignored rather than let the ring move under the device.
VirtQueue* VirtioMmio::configurable() {
  VirtQueue* q = selected();
  return q && !q->ready ? q : nullptr;
}

uint32_t VirtioMmio::read_register(uint64_t offset) {
  if (!device_) {
    switch (offset) {
      case kMagicValue: return kMagic;
      case kVersion: return legacy_when_empty_ ? 1 : 2;
      case kVendorId: return kVendor;
      default: return 0;  // DeviceID 0: no device
    }
  }
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return 2;
    case kDeviceId: return device_->device_id();
    case kVendorId: return kVendor;
    case kDeviceFeatures:
      return device_features_sel_ > 1 ? 0 : static_cast<uint32_t>(offered_features() >> (32 * device_features_sel_));
    case kQueueNumMax: return selected() ? selected()->max_size() : 0;
    case kQueueReady: return selected() ? selected()->ready : 0;
    case kInterruptStatus: return interrupt_status_;
    case kStatus: return status_;
    // No shared memory regions: a region that does not exist has length -1 (4.2.2).
    case kShmLenLow: case kShmLenHigh: case kShmBaseLow: case kShmBaseHigh: return 0xffffffff;
    case kConfigGeneration: return config_generation_;
    default: return 0;  // write-only and reserved registers
  }
}

void VirtioMmio::write_register(uint64_t offset, uint32_t value) {
  switch (offset) {
    case kDeviceFeaturesSel: device_features_sel_ = value; break;
    case kDriverFeaturesSel: driver_features_sel_ = value; break;
    case kDriverFeatures:
      // Fixed once FEATURES_OK is set (3.1.1).
      if (status_ & virtio::kFeaturesOk) break;
      if (driver_features_sel_ == 0) set_low(driver_features_, value);
      if (driver_features_sel_ == 1) set_high(driver_features_, value);
      break;
    case kQueueSel: queue_sel_ = value; break;
    case kQueueNum:
      if (VirtQueue* q = configurable()) q->set_num(value);  // out of range: ignored
      break;
    case kQueueReady:
      if (VirtQueue* q = selected()) q->ready = value & 1;
      break;
    case kQueueNotify: notify(value); break;
    case kInterruptAck:
      interrupt_status_ &= ~value;
      update_irq();
      break;
    case kStatus: write_status(value); break;
    case kQueueDescLow: if (VirtQueue* q = configurable()) set_low(q->desc_addr, value); break;
    case kQueueDescHigh: if (VirtQueue* q = configurable()) set_high(q->desc_addr, value); break;
    case kQueueDriverLow: if (VirtQueue* q = configurable()) set_low(q->avail_addr, value); break;
    case kQueueDriverHigh: if (VirtQueue* q = configurable()) set_high(q->avail_addr, value); break;
    case kQueueDeviceLow: if (VirtQueue* q = configurable()) set_low(q->used_addr, value); break;
    case kQueueDeviceHigh: if (VirtQueue* q = configurable()) set_high(q->used_addr, value); break;
    default: break;  // read-only and reserved registers
  }
}

// Writing 0 resets the device (4.2.3.1). Setting FEATURES_OK is where the
// device accepts or refuses the driver's features (3.1.1): it refuses bits
// it never offered and drivers without VERSION_1 (legacy drivers need
// Version 1 registers), by leaving FEATURES_OK clear. DEVICE_NEEDS_RESET is
// the device's to set: a driver write neither sets nor clears it.
void VirtioMmio::write_status(uint32_t value) {
  if (value == 0) {
    reset();
    return;
  }
  value &= 0xff;
  if ((value & virtio::kFeaturesOk) && !(status_ & virtio::kFeaturesOk)) {
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

// The device serves the queue synchronously, inside the guest's write: its
// results (and any host input it takes, e.g. entropy) land at an exact
// instruction count.
void VirtioMmio::notify(uint32_t queue) {
  constexpr uint32_t kLive = virtio::kFeaturesOk | virtio::kDriverOk;
  if (queue >= queues_.size() || (status_ & kLive) != kLive || (status_ & virtio::kDeviceNeedsReset)) return;
  VirtQueue& q = queues_[queue];
  if (!q.ready) return;
  device_->notify(queue, q);
  after_push(q);
}

void VirtioMmio::after_push(VirtQueue& q) {
  if (q.take_interrupt()) {
    interrupt_status_ |= kIntUsedBuffer;
    update_irq();
  }
  if (q.broken()) needs_reset();
}

uint64_t VirtioMmio::copy_to_guest(unsigned queue, const VirtqElement& e, uint64_t offset, const void* data,
                                   uint64_t len) {
  return queue < queues_.size() ? queues_[queue].copy_to_guest(e, offset, data, len) : 0;
}

// A request the device took earlier finishes. The device drops what it holds
// on reset, so a request completed here belongs to the current driver.
void VirtioMmio::complete(unsigned queue, const VirtqElement& e, uint64_t written) {
  constexpr uint32_t kLive = virtio::kFeaturesOk | virtio::kDriverOk;
  if (queue >= queues_.size() || (status_ & kLive) != kLive || (status_ & virtio::kDeviceNeedsReset)) return;
  VirtQueue& q = queues_[queue];
  q.push(e, written);
  after_push(q);
}

VirtQueue* VirtioMmio::live_queue(unsigned queue) {
  constexpr uint32_t kLive = virtio::kFeaturesOk | virtio::kDriverOk;
  if (queue >= queues_.size() || (status_ & kLive) != kLive || (status_ & virtio::kDeviceNeedsReset)) return nullptr;
  return queues_[queue].ready ? &queues_[queue] : nullptr;
}

// A driver error the device cannot recover from (2.1.2): stop, and tell a
// running driver with a configuration-change interrupt.
void VirtioMmio::needs_reset() {
  if (status_ & virtio::kDeviceNeedsReset) return;
  status_ |= virtio::kDeviceNeedsReset;
  if (status_ & virtio::kDriverOk) {
    interrupt_status_ |= kIntConfigChange;
    update_irq();
  }
}

void VirtioMmio::update_irq() {
  if (irq_) irq_->set(interrupt_status_ != 0);
}

void VirtioMmio::reset() {
  status_ = 0;
  device_features_sel_ = driver_features_sel_ = 0;
  driver_features_ = 0;
  queue_sel_ = 0;
  interrupt_status_ = 0;
  for (VirtQueue& q : queues_) q.reset();
  if (device_) device_->reset();
  update_irq();
}

void VirtioMmio::save(ByteWriter& w) const {
  w.section("virtio_mmio");
  w.u8(device_ != nullptr);
  if (!device_) return;
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

void VirtioMmio::load(ByteReader& r) {
  r.expect_section("virtio_mmio");
  bool has_device = r.u8() != 0;
  if (has_device != (device_ != nullptr)) throw DecodeError("virtio_mmio: the saved slot has a different device");
  if (!device_) return;
  if (r.u32() != device_->device_id()) throw DecodeError("virtio_mmio: the saved slot has a different device");
  status_ = r.u32();
  device_features_sel_ = r.u32();
  driver_features_sel_ = r.u32();
  driver_features_ = r.u64();
  queue_sel_ = r.u32();
  interrupt_status_ = r.u32();
  config_generation_ = r.u32();
  if (r.u32() != queues_.size()) throw DecodeError("virtio_mmio: wrong number of queues");
  for (VirtQueue& q : queues_) q.load(r);
  device_->load(r);
  update_irq();
}

}  // namespace rwd
