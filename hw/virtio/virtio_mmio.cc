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


}  // namespace

VirtioMmio::VirtioMmio(AddressSpace& as, IrqLine* irq, std::unique_ptr<VirtioDevice> device, bool legacy_when_empty)
    : VirtioTransport(as, std::move(device)), irq_(irq), legacy_when_empty_(legacy_when_empty) {}

std::string VirtioMmio::name() const { return device_ ? "virtio_mmio:" + device_->name() : "virtio_mmio"; }

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
    case kDeviceFeatures: return device_features_word();
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
    case kDriverFeatures: write_driver_features_word(value); break;
    case kQueueSel: queue_sel_ = value; break;
    case kQueueNum:
      if (VirtQueue* q = configurable()) q->set_num(value);  // out of range: ignored
      break;
    case kQueueReady:
      if (VirtQueue* q = selected()) q->ready = value & 1;
      break;
    case kQueueNotify: notify(value); break;
    case kInterruptAck: acknowledge(value); break;
    case kStatus: write_status(value); break;
    case kQueueDescLow: if (VirtQueue* q = configurable()) virtio::set_low(q->desc_addr, value); break;
    case kQueueDescHigh: if (VirtQueue* q = configurable()) virtio::set_high(q->desc_addr, value); break;
    case kQueueDriverLow: if (VirtQueue* q = configurable()) virtio::set_low(q->avail_addr, value); break;
    case kQueueDriverHigh: if (VirtQueue* q = configurable()) virtio::set_high(q->avail_addr, value); break;
    case kQueueDeviceLow: if (VirtQueue* q = configurable()) virtio::set_low(q->used_addr, value); break;
    case kQueueDeviceHigh: if (VirtQueue* q = configurable()) virtio::set_high(q->used_addr, value); break;
    default: break;  // read-only and reserved registers
  }
}

void VirtioMmio::update_irq() {
  if (irq_) irq_->set(interrupt_status_ != 0);
}

void VirtioMmio::reset() { reset_transport(); }

void VirtioMmio::save(ByteWriter& w) const {
  w.section("virtio_mmio");
  w.u8(device_ != nullptr);
  if (!device_) return;
  save_core(w);
}

void VirtioMmio::load(ByteReader& r) {
  r.expect_section("virtio_mmio");
  bool has_device = r.u8() != 0;
  if (has_device != (device_ != nullptr)) throw DecodeError("virtio_mmio: the saved slot has a different device");
  if (!device_) return;
  load_core(r, "virtio_mmio");
}

}  // namespace rwd
