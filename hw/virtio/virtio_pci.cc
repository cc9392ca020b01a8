#include "hw/virtio/virtio_pci.h"

#include <cstring>

namespace rwd {

namespace {

// Common configuration structure (4.1.4.3).
enum : uint64_t {
  kDeviceFeatureSelect = 0x00, kDeviceFeature = 0x04, kDriverFeatureSelect = 0x08, kDriverFeature = 0x0c,
  kConfigMsixVector = 0x10, kNumQueues = 0x12, kDeviceStatus = 0x14, kConfigGeneration = 0x15,
  kQueueSelect = 0x16, kQueueSize = 0x18, kQueueMsixVector = 0x1a, kQueueEnable = 0x1c, kQueueNotifyOff = 0x1e,
  kQueueDesc = 0x20, kQueueDriver = 0x28, kQueueDevice = 0x30, kCommonSize = 0x38,
};
// Capability cfg_type values (4.1.4).
enum : uint8_t { kCapCommon = 1, kCapNotify = 2, kCapIsr = 3, kCapDevice = 4, kCapPciCfg = 5 };
// Offsets in a virtio_pci_cap from its first byte, and in the PCI_CFG one.
constexpr uint32_t kCapBar = 4, kCapOffset = 8, kCapLength = 12, kCfgData = 16;
// MSI-X: the table at 0 of BAR1, the pending bits at 0x800.
constexpr uint64_t kPbaOffset = 0x800;
constexpr uint16_t kMsixEnable = 0x8000, kMsixMask = 0x4000;

constexpr uint16_t kVendor = 0x1af4;

// The legacy register block in BAR0 (4.1.4.8); the device configuration
// follows at 0x14, or at 0x18 while MSI-X is enabled (two vector registers
// come first then).
enum : uint64_t {
  kLegacyHostFeatures = 0x00, kLegacyGuestFeatures = 0x04, kLegacyQueueAddress = 0x08, kLegacyQueueSize = 0x0c,
  kLegacyQueueSelect = 0x0e, kLegacyQueueNotify = 0x10, kLegacyStatus = 0x12, kLegacyIsr = 0x13,
  kLegacyConfigVector = 0x14, kLegacyQueueVector = 0x16,
};
constexpr uint64_t kLegacyAlign = 4096;  // the legacy ring layout's used-ring alignment and page size

struct PciIdentity {
  uint32_t virtio_id;
  uint16_t legacy_device;  // transitional device id
  uint32_t class_code;
};
// The device types rewind has or will have, by virtio id (5.x).
constexpr PciIdentity kIdentities[] = {
    {1, 0x1000, 0x020000},   // network: Ethernet controller
    {2, 0x1001, 0x010000},   // block: SCSI storage controller, as QEMU
    {4, 0x1005, 0x00ff00},   // entropy: "other"
    {18, 0, 0x098000},       // input: other input controller (no transitional form)
    {16, 0, 0x038000},       // GPU: other display controller
};

const PciIdentity* identity(uint32_t id) {
  for (const PciIdentity& p : kIdentities)
    if (p.virtio_id == id) return &p;
  return nullptr;
}

void le(uint8_t* p, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t from_le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

uint64_t pow2ceil(uint64_t v) {
  uint64_t p = 1;
  while (p < v) p <<= 1;
  return p;
}

}  // namespace

VirtioPci::VirtioPci(AddressSpace& as, std::unique_ptr<VirtioDevice> device, bool transitional)
    : VirtioTransport(as, std::move(device)), transitional_(transitional) {
  queue_vectors_.assign(queues_.size(), kNoVector);
  describe();
}

std::string VirtioPci::name() const { return "virtio-pci:" + device_->name(); }

void VirtioPci::describe() {
  const uint32_t id = device_->device_id();
  const PciIdentity* ident = identity(id);
  const bool transitional = transitional_ && ident && ident->legacy_device;
  transitional_ = transitional;
  const uint32_t class_code = ident ? ident->class_code : 0xff0000;
  if (transitional)
    set_ids(kVendor, ident->legacy_device, 0, class_code, kVendor, static_cast<uint16_t>(id));
  else
    set_ids(kVendor, static_cast<uint16_t>(0x1040 + id), 1, class_code, kVendor, 0x1100);
  set_interrupt_pin(1);
  if (transitional) define_bar(kLegacyBar, PciBarKind::kIo, pow2ceil(24 + device_->config_size()));
  define_bar(kMsixBar, PciBarKind::kMem32, 0x1000);
  define_bar(kModernBar, PciBarKind::kMem64, kModernBarSize, true);

  // The virtio structures (cap_len, cfg_type, bar, id, padding, offset, length).
  auto vendor_cap = [this](uint8_t type, uint64_t offset, uint32_t length, unsigned extra, const uint8_t* wmask) {
    uint8_t body[18] = {};
    body[0] = static_cast<uint8_t>(2 + 14 + extra);  // cap_len, counting id and next
    body[1] = type;
    body[2] = kModernBar;
    le(&body[6], offset, 4);
    le(&body[10], length, 4);
    if (type == kCapNotify) le(&body[14], kNotifyMultiplier, 4);
    return add_capability(pci::kCapVendor, body, 14 + extra, wmask);
  };
  vendor_cap(kCapCommon, kCommonOffset, kRegionSize, 0, nullptr);
  vendor_cap(kCapIsr, kIsrOffset, kRegionSize, 0, nullptr);
  vendor_cap(kCapDevice, kDeviceOffset, kRegionSize, 0, nullptr);
  vendor_cap(kCapNotify, kNotifyOffset, kRegionSize, 4, nullptr);
  // PCI_CFG: bar, offset, length and the data bytes are the driver's.
  uint8_t cfg_wmask[18] = {};
  cfg_wmask[2] = 0xff;
  for (int i = 6; i < 18; ++i) cfg_wmask[i] = 0xff;
  cfg_cap_ = vendor_cap(kCapPciCfg, 0, 0, 4, cfg_wmask);
  // MSI-X: message control (table size - 1; enable and mask writable),
  // table and PBA offsets with their BAR.
  uint8_t msix[10] = {};
  le(&msix[0], kMsixVectors - 1, 2);
  le(&msix[2], 0 | kMsixBar, 4);
  le(&msix[6], kPbaOffset | kMsixBar, 4);
  uint8_t msix_wmask[10] = {0, 0xc0};
  msix_cap_ = add_capability(pci::kCapMsix, msix, sizeof msix, msix_wmask);
  finish_config();
}

bool VirtioPci::msix_enabled() const {
  return from_le(config() + msix_cap_ + 2, 2) & kMsixEnable;
}

// ---- BARs -------------------------------------------------------------

uint64_t VirtioPci::bar_read(unsigned bar, uint64_t offset, unsigned size) {
  if (bar == kMsixBar) return msix_read(offset, size);
  if (bar == kLegacyBar && transitional_) return legacy_read(offset, size);
  if (bar != kModernBar) return 0;
  if (offset < kCommonOffset + kRegionSize) return common_read(offset - kCommonOffset, size);
  if (offset < kIsrOffset + kRegionSize) return offset == kIsrOffset ? read_isr() : 0;
  if (offset < kDeviceOffset + kRegionSize) return device_config_read(offset - kDeviceOffset, size);
  return 0;  // notifications are write-only
}

// Reading the ISR status acknowledges it (4.1.4.5).
uint32_t VirtioPci::read_isr() {
  uint32_t isr = interrupt_status_;
  acknowledge(isr);
  return isr;
}

uint64_t VirtioPci::device_config_read(uint64_t off, unsigned size) {
  uint64_t v = 0;
  for (unsigned i = 0; i < size; ++i)
    if (off + i < device_->config_size()) v |= uint64_t{device_->config_read(static_cast<uint32_t>(off + i))} << (8 * i);
  return v;
}

void VirtioPci::device_config_write(uint64_t off, unsigned size, uint64_t value) {
  for (unsigned i = 0; i < size; ++i)
    if (off + i < device_->config_size())
      device_->config_write(static_cast<uint32_t>(off + i), static_cast<uint8_t>(value >> (8 * i)));
}

// ---- the legacy interface (transitional devices) ----------------------

uint64_t VirtioPci::legacy_config_offset() const { return msix_enabled() ? 0x18 : 0x14; }

uint64_t VirtioPci::legacy_read(uint64_t offset, unsigned size) {
  const uint64_t config = legacy_config_offset();
  if (offset >= config) return device_config_read(offset - config, size);
  VirtQueue* q = selected();
  switch (offset) {
    case kLegacyHostFeatures: return size == 4 ? static_cast<uint32_t>(offered_features() & ~virtio::kFVersion1) : 0;
    case kLegacyGuestFeatures: return size == 4 ? static_cast<uint32_t>(driver_features_) : 0;
    case kLegacyQueueAddress: return size == 4 && q ? static_cast<uint32_t>(q->desc_addr / kLegacyAlign) : 0;
    case kLegacyQueueSize: return size == 2 && q ? q->max_size() : 0;
    case kLegacyQueueSelect: return size == 2 ? queue_sel_ : 0;
    case kLegacyStatus: return size == 1 ? status_ & 0xff : 0;
    case kLegacyIsr: return size == 1 ? read_isr() : 0;
    case kLegacyConfigVector: return size == 2 ? config_vector_ : 0;
    case kLegacyQueueVector: return size == 2 && q ? queue_vectors_[queue_sel_] : 0;
    default: return 0;
  }
}

// A queue address (a page number) places the whole ring: the descriptor
// table there, the available ring after it, the used ring at the next
// 4 KiB boundary; 0 takes the queue down. The size is always the maximum.
void VirtioPci::legacy_write(uint64_t offset, unsigned size, uint64_t value) {
  const uint64_t config = legacy_config_offset();
  if (offset >= config) return device_config_write(offset - config, size, value);
  const uint32_t v = static_cast<uint32_t>(value);
  switch (offset) {
    case kLegacyGuestFeatures:
      if (size == 4) write_legacy_features(v);
      return;
    case kLegacyQueueAddress: {
      VirtQueue* q = selected();
      if (size != 4 || !q) return;
      if (v == 0) {
        q->reset();
        return;
      }
      if (q->ready) return;
      legacy_ = true;
      const uint64_t n = q->max_size();
      q->set_num(static_cast<uint32_t>(n));
      q->desc_addr = uint64_t{v} * kLegacyAlign;
      q->avail_addr = q->desc_addr + 16 * n;
      q->used_addr = (q->avail_addr + 6 + 2 * n + kLegacyAlign - 1) / kLegacyAlign * kLegacyAlign;
      q->ready = true;
      return;
    }
    case kLegacyQueueSelect:
      if (size == 2) queue_sel_ = v & 0xffff;
      return;
    case kLegacyQueueNotify:
      if (size == 2) notify(v & 0xffff);
      return;
    case kLegacyStatus:
      if (size != 1) return;
      if ((v & 0xff) != 0) legacy_ = true;
      write_status(v & 0xff);
      return;
    case kLegacyConfigVector:
      if (size == 2) config_vector_ = valid_vector(static_cast<uint16_t>(v));
      return;
    case kLegacyQueueVector:
      if (size == 2 && selected()) queue_vectors_[queue_sel_] = valid_vector(static_cast<uint16_t>(v));
      return;
    default: return;
  }
}

void VirtioPci::bar_write(unsigned bar, uint64_t offset, unsigned size, uint64_t value) {
  if (bar == kMsixBar) return msix_write(offset, size, value);
  if (bar == kLegacyBar && transitional_) return legacy_write(offset, size, value);
  if (bar != kModernBar) return;
  if (offset < kCommonOffset + kRegionSize) return common_write(offset - kCommonOffset, size, value);
  if (offset < kIsrOffset + kRegionSize) return;  // read-only
  if (offset < kDeviceOffset + kRegionSize) return device_config_write(offset - kDeviceOffset, size, value);
  // Queue n's notification address is n * multiplier.
  uint64_t off = offset - kNotifyOffset;
  if (off % kNotifyMultiplier == 0) notify(static_cast<uint32_t>(off / kNotifyMultiplier));
}

// The common configuration reads as a little-endian structure: any access
// inside it returns the bytes it covers.
uint64_t VirtioPci::common_read(uint64_t offset, unsigned size) {
  if (offset >= kCommonSize || size > kCommonSize - offset) return 0;
  uint8_t s[kCommonSize] = {};
  le(&s[kDeviceFeatureSelect], device_features_sel_, 4);
  le(&s[kDeviceFeature], device_features_word(), 4);
  le(&s[kDriverFeatureSelect], driver_features_sel_, 4);
  le(&s[kDriverFeature], driver_features_sel_ > 1 ? 0 : driver_features_ >> (32 * driver_features_sel_), 4);
  le(&s[kConfigMsixVector], config_vector_, 2);
  le(&s[kNumQueues], queues_.size(), 2);
  s[kDeviceStatus] = static_cast<uint8_t>(status_);
  s[kConfigGeneration] = static_cast<uint8_t>(config_generation_);
  le(&s[kQueueSelect], queue_sel_, 2);
  if (VirtQueue* q = selected()) {
    le(&s[kQueueSize], q->num(), 2);
    le(&s[kQueueMsixVector], queue_vectors_[queue_sel_], 2);
    le(&s[kQueueEnable], q->ready, 2);
    le(&s[kQueueNotifyOff], queue_sel_, 2);
    le(&s[kQueueDesc], q->desc_addr, 8);
    le(&s[kQueueDriver], q->avail_addr, 8);
    le(&s[kQueueDevice], q->used_addr, 8);
  }
  return from_le(&s[offset], size);
}

// Writes take the field they start at (a 64-bit address also in 32-bit
// halves); other writes are ignored.
void VirtioPci::common_write(uint64_t offset, unsigned size, uint64_t value) {
  const uint32_t v32 = static_cast<uint32_t>(value);
  auto address = [&](uint64_t field, uint64_t VirtQueue::*addr) {
    VirtQueue* q = configurable();
    if (!q) return;
    if (offset == field && size == 8) q->*addr = value;
    if (offset == field && size == 4) virtio::set_low(q->*addr, v32);
    if (offset == field + 4 && size == 4) virtio::set_high(q->*addr, v32);
  };
  switch (offset) {
    case kDeviceFeatureSelect: if (size == 4) device_features_sel_ = v32; return;
    case kDriverFeatureSelect: if (size == 4) driver_features_sel_ = v32; return;
    case kDriverFeature: if (size == 4) write_driver_features_word(v32); return;
    case kConfigMsixVector: if (size == 2) config_vector_ = valid_vector(static_cast<uint16_t>(value)); return;
    case kDeviceStatus: if (size == 1) write_status(v32 & 0xff); return;
    case kQueueSelect: if (size == 2) queue_sel_ = v32 & 0xffff; return;
    case kQueueSize:
      if (VirtQueue* q = configurable(); q && size == 2) q->set_num(v32 & 0xffff);  // out of range: ignored
      return;
    case kQueueMsixVector:
      if (selected() && size == 2) queue_vectors_[queue_sel_] = valid_vector(static_cast<uint16_t>(value));
      return;
    case kQueueEnable:
      // Only 1 may be written (4.1.4.3.2); disabling is a reset.
      if (VirtQueue* q = selected(); q && size == 2 && (v32 & 0xffff) == 1) q->ready = true;
      return;
    default: break;
  }
  if (offset >= kQueueDesc && offset < kQueueDriver) address(kQueueDesc, &VirtQueue::desc_addr);
  if (offset >= kQueueDriver && offset < kQueueDevice) address(kQueueDriver, &VirtQueue::avail_addr);
  if (offset >= kQueueDevice && offset < kCommonSize) address(kQueueDevice, &VirtQueue::used_addr);
}

uint64_t VirtioPci::msix_read(uint64_t offset, unsigned size) {
  if (offset < msix_table_.size() && size <= msix_table_.size() - offset) return from_le(&msix_table_[offset], size);
  return 0;  // PBA: nothing is ever pending (no message is ever held back)
}

void VirtioPci::msix_write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset < msix_table_.size() && size <= msix_table_.size() - offset) le(&msix_table_[offset], value, size);
}

// ---- configuration space ---------------------------------------------

// The PCI_CFG capability: a driver picks bar/offset/length, then reads or
// writes pci_cfg_data, which reaches that BAR (4.1.4.9). Lengths other than
// 1, 2, 4, an offset not aligned to it, or a BAR other than the modern one
// do nothing.
void VirtioPci::cfg_window(bool write) {
  uint8_t* cap = config() + cfg_cap_;
  uint8_t bar = cap[kCapBar];
  uint32_t offset = static_cast<uint32_t>(from_le(cap + kCapOffset, 4));
  uint32_t length = static_cast<uint32_t>(from_le(cap + kCapLength, 4));
  if (bar != kModernBar || !(length == 1 || length == 2 || length == 4) || offset % length ||
      offset > kModernBarSize - length)
    return;
  if (write)
    bar_write(bar, offset, length, from_le(cap + kCfgData, length));
  else
    le(cap + kCfgData, bar_read(bar, offset, length), length);
}

void VirtioPci::config_before_read(uint32_t offset, unsigned size) {
  if (offset < cfg_cap_ + kCfgData + 4u && offset + size > cfg_cap_ + kCfgData) cfg_window(false);
}

void VirtioPci::config_written(uint32_t offset, unsigned size) {
  if (offset < cfg_cap_ + kCfgData + 4u && offset + size > cfg_cap_ + kCfgData) cfg_window(true);
  if (offset < msix_cap_ + 4u && offset + size > msix_cap_ + 2u) update_irq();  // MSI-X enable changed
}

// ---- interrupts, reset, state -----------------------------------------

void VirtioPci::update_irq() { set_intx(!msix_enabled() && interrupt_status_ != 0); }

void VirtioPci::reset_device() {
  reset_transport();
  msix_table_.fill(0);
  config_vector_ = kNoVector;
  queue_vectors_.assign(queues_.size(), kNoVector);
}

void VirtioPci::save_device(ByteWriter& w) const {
  w.section("virtio_pci");
  w.u8(transitional_);
  w.u8(legacy_);
  save_core(w);
  w.bytes(msix_table_.data(), msix_table_.size());
  w.u32(config_vector_);
  for (uint16_t v : queue_vectors_) w.u32(v);
}

void VirtioPci::load_device(ByteReader& r) {
  r.expect_section("virtio_pci");
  if ((r.u8() != 0) != transitional_) throw DecodeError("virtio_pci: the saved function is another device");
  legacy_ = r.u8() != 0;
  load_core(r, "virtio_pci");
  r.bytes(msix_table_.data(), msix_table_.size());
  config_vector_ = valid_vector(static_cast<uint16_t>(r.u32()));
  for (uint16_t& v : queue_vectors_) v = valid_vector(static_cast<uint16_t>(r.u32()));
}

}  // namespace rwd
