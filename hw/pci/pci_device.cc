#include "hw/pci/pci_device.h"

#include <stdexcept>

namespace rwd {

namespace {

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint32_t get32(const uint8_t* p) {
  return p[0] | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

}  // namespace

// What the guest may write in every function's header: the command
// register's I/O, memory, bus master, parity, SERR and INTx Disable bits,
// cache line size, latency timer and interrupt line; the status register's
// error bits are write-1-to-clear. BARs get their masks in define_bar().
PciDevice::PciDevice() {
  put16(&wmask_[pci::kCommand], pci::kCmdIo | pci::kCmdMemory | pci::kCmdMaster | pci::kCmdParity | pci::kCmdSerr |
                                    pci::kCmdIntxDisable);
  put16(&w1c_[pci::kStatus], 0xf900);  // parity, target/master aborts, SERR, parity error
  wmask_[pci::kCacheLine] = 0xff;
  wmask_[pci::kLatency] = 0xff;
  wmask_[pci::kInterruptLine] = 0xff;
}

void PciDevice::set_ids(uint16_t vendor, uint16_t device, uint8_t revision, uint32_t class_code,
                        uint16_t subsystem_vendor, uint16_t subsystem) {
  put16(&cfg_[pci::kVendorId], vendor);
  put16(&cfg_[pci::kDeviceId], device);
  cfg_[pci::kRevision] = revision;
  cfg_[pci::kClassProg] = static_cast<uint8_t>(class_code);
  cfg_[pci::kClassProg + 1] = static_cast<uint8_t>(class_code >> 8);
  cfg_[pci::kClassProg + 2] = static_cast<uint8_t>(class_code >> 16);
  put16(&cfg_[pci::kSubsystemVendorId], subsystem_vendor);
  put16(&cfg_[pci::kSubsystemId], subsystem);
}

void PciDevice::set_interrupt_pin(uint8_t pin) { cfg_[pci::kInterruptPin] = pin; }

void PciDevice::define_bar(unsigned bar, PciBarKind kind, uint64_t size, bool prefetchable) {
  unsigned slots = kind == PciBarKind::kMem64 ? 2 : 1;
  if (bar + slots > pci::kBarCount || size == 0 || (size & (size - 1)) || size < (kind == PciBarKind::kIo ? 4 : 16) ||
      (kind != PciBarKind::kMem64 && size > 0x80000000ull))
    throw std::logic_error("PCI BAR " + std::to_string(bar) + " of " + name() + ": bad definition");
  bars_[bar] = {kind, size};
  uint32_t type = kind == PciBarKind::kIo ? 1 : (kind == PciBarKind::kMem64 ? 4 : 0) | (prefetchable ? 8 : 0);
  uint8_t* reg = &cfg_[pci::kBar0 + 4 * bar];
  put32(reg, type);
  uint64_t mask = ~(size - 1) & ~uint64_t{kind == PciBarKind::kIo ? 3u : 15u};
  put32(&wmask_[pci::kBar0 + 4 * bar], static_cast<uint32_t>(mask));
  if (kind == PciBarKind::kMem64) put32(&wmask_[pci::kBar0 + 4 * (bar + 1)], static_cast<uint32_t>(mask >> 32));
}

uint8_t PciDevice::add_capability(uint8_t id, const uint8_t* body, unsigned len, const uint8_t* wmask) {
  unsigned total = (2 + len + 3) & ~3u;
  if (next_cap_ + total > pci::kConfigSize) throw std::logic_error("PCI capabilities of " + name() + " overflow");
  uint8_t at = next_cap_;
  next_cap_ = static_cast<uint8_t>(next_cap_ + total);
  cfg_[at] = id;
  cfg_[at + 1] = cfg_[pci::kCapabilities];
  for (unsigned i = 0; i < len; ++i) {
    cfg_[at + 2 + i] = body[i];
    if (wmask) wmask_[at + 2 + i] = wmask[i];
  }
  cfg_[pci::kCapabilities] = at;
  cfg_[pci::kStatus] |= pci::kStatusCapList;
  return at;
}

void PciDevice::finish_config() { initial_ = cfg_; }

uint32_t PciDevice::config_read(uint32_t offset, unsigned size) {
  if (offset < pci::kConfigSize) config_before_read(offset, size);
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; ++i) {
    uint64_t at = uint64_t{offset} + i;
    v |= uint32_t{at < pci::kConfigSize ? cfg_[at] : uint8_t{0xff}} << (8 * i);
  }
  return v;
}

void PciDevice::config_write(uint32_t offset, unsigned size, uint32_t value) {
  if (offset >= pci::kConfigSize) return;
  if (size > 4) size = 4;
  if (size > pci::kConfigSize - offset) size = pci::kConfigSize - offset;
  for (unsigned i = 0; i < size; ++i) {
    uint8_t b = static_cast<uint8_t>(value >> (8 * i));
    uint32_t at = offset + i;
    cfg_[at] = static_cast<uint8_t>((cfg_[at] & ~wmask_[at]) | (b & wmask_[at]));
    cfg_[at] &= static_cast<uint8_t>(~(b & w1c_[at]));
  }
  if (offset <= pci::kCommand + 1 && offset + size > pci::kCommand) update_intx();
  config_written(offset, size);
}

uint64_t PciDevice::bar_address(unsigned bar) const {
  uint64_t v = get32(&cfg_[pci::kBar0 + 4 * bar]);
  switch (bars_[bar].kind) {
    case PciBarKind::kIo: return v & ~uint64_t{3};
    case PciBarKind::kMem32: return v & ~uint64_t{15};
    case PciBarKind::kMem64: return (v & ~uint64_t{15}) | uint64_t{get32(&cfg_[pci::kBar0 + 4 * (bar + 1)])} << 32;
    case PciBarKind::kNone: break;
  }
  return 0;
}

bool PciDevice::bar_window(unsigned bar, bool io, uint64_t& base, uint64_t& size) const {
  if (bar >= pci::kBarCount) return false;
  const Bar& b = bars_[bar];
  if (b.kind == PciBarKind::kNone || (b.kind == PciBarKind::kIo) != io) return false;
  uint16_t cmd = command();
  if (!(cmd & (io ? pci::kCmdIo : pci::kCmdMemory))) return false;
  base = bar_address(bar);
  size = b.size;
  // A BAR with every address bit set is being sized, not placed; a BAR at 0
  // is unassigned (QEMU decodes neither).
  uint64_t width = b.kind == PciBarKind::kMem64 ? ~uint64_t{0} : 0xffffffffull;
  uint64_t all = ~(size - 1) & width & ~uint64_t{b.kind == PciBarKind::kIo ? 3u : 15u};
  if (base == all || base == 0) return false;
  return base + size > base;  // not wrapping around the end of the space
}

void PciDevice::set_intx(bool level) {
  intx_level_ = level;
  update_intx();
}

bool PciDevice::intx_asserted() const {
  return intx_level_ && !(command() & pci::kCmdIntxDisable);
}

// The status register shows the device's own level; the line carries it
// unless the driver disabled INTx.
void PciDevice::update_intx() {
  if (intx_level_)
    cfg_[pci::kStatus] |= pci::kStatusInterrupt;
  else
    cfg_[pci::kStatus] &= static_cast<uint8_t>(~pci::kStatusInterrupt);
  if (intx_out_) intx_out_(intx_asserted());
}

void PciDevice::reset() {
  cfg_ = initial_;
  intx_level_ = false;
  reset_device();
  update_intx();
}

void PciDevice::save(ByteWriter& w) const {
  w.section("pci_function");
  w.bytes(cfg_.data(), cfg_.size());
  w.u8(intx_level_);
  save_device(w);
}

// The saved header must be this function's: the read-only bytes (ids, BAR
// types, capabilities) equal the image this device was built with.
void PciDevice::load(ByteReader& r) {
  r.expect_section("pci_function");
  std::array<uint8_t, pci::kConfigSize> saved;
  r.bytes(saved.data(), saved.size());
  for (uint32_t i = 0; i < pci::kConfigSize; ++i) {
    uint8_t fixed = static_cast<uint8_t>(~(wmask_[i] | w1c_[i]));
    if (i == pci::kStatus) fixed &= static_cast<uint8_t>(~pci::kStatusInterrupt);
    if ((saved[i] & fixed) != (initial_[i] & fixed))
      throw DecodeError("PCI function " + name() + ": the saved configuration space is another device's");
  }
  cfg_ = saved;
  intx_level_ = r.u8() != 0;
  load_device(r);
  update_intx();
}

}  // namespace rwd
