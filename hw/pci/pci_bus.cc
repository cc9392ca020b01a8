#include "hw/pci/pci_bus.h"

#include <stdexcept>

namespace rwd {

namespace {
unsigned intx_line(unsigned slot, uint8_t pin) { return (slot + pin - 1) % 4; }
}  // namespace

void PciBus::plug(unsigned slot, std::unique_ptr<PciDevice> dev) {
  if (slot >= kSlots || slots_[slot]) throw std::logic_error("PCI slot " + std::to_string(slot) + " is not free");
  uint8_t pin = dev->interrupt_pin();
  if (pin >= 1 && pin <= 4) {
    unsigned line = intx_line(slot, pin);
    dev->connect_intx([this, line](bool) { update_line(line); });
  }
  slots_[slot] = std::move(dev);
}

int PciBus::free_slot(unsigned from) const {
  for (unsigned s = from; s < kSlots; ++s)
    if (!slots_[s]) return static_cast<int>(s);
  return -1;
}

uint32_t PciBus::config_read(unsigned slot, unsigned fn, uint32_t offset, unsigned size) {
  PciDevice* d = fn == 0 ? device(slot) : nullptr;
  if (!d) return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  return d->config_read(offset, size);
}

void PciBus::config_write(unsigned slot, unsigned fn, uint32_t offset, unsigned size, uint32_t value) {
  PciDevice* d = fn == 0 ? device(slot) : nullptr;
  if (d) d->config_write(offset, size, value);
}

PciDevice* PciBus::decode(bool io, uint64_t addr, unsigned size, unsigned& bar, uint64_t& offset) const {
  for (const auto& d : slots_) {
    if (!d) continue;
    for (unsigned b = 0; b < pci::kBarCount; ++b) {
      uint64_t base, len;
      if (!d->bar_window(b, io, base, len)) continue;
      if (addr >= base && size <= len && addr - base <= len - size) {
        bar = b;
        offset = addr - base;
        return d.get();
      }
    }
  }
  return nullptr;
}

uint64_t PciBus::read(bool io, uint64_t addr, unsigned size) {
  unsigned bar;
  uint64_t offset;
  PciDevice* d = decode(io, addr, size, bar, offset);
  return d ? d->bar_read(bar, offset, size) : 0;
}

void PciBus::write(bool io, uint64_t addr, unsigned size, uint64_t value) {
  unsigned bar;
  uint64_t offset;
  if (PciDevice* d = decode(io, addr, size, bar, offset)) d->bar_write(bar, offset, size, value);
}

// A line is the OR of the devices whose swizzled pin is on it.
void PciBus::update_line(unsigned line) {
  bool level = false;
  for (unsigned s = 0; s < kSlots; ++s) {
    const PciDevice* d = slots_[s].get();
    if (!d) continue;
    uint8_t pin = d->interrupt_pin();
    if (pin >= 1 && pin <= 4 && intx_line(s, pin) == line && d->intx_asserted()) level = true;
  }
  if (intx_[line]) intx_[line]->set(level);
}

void PciBus::reset() {
  for (auto& d : slots_)
    if (d) d->reset();
  for (unsigned l = 0; l < 4; ++l) update_line(l);
}

void PciBus::save(ByteWriter& w) const {
  w.section("pci_bus");
  for (unsigned s = 0; s < kSlots; ++s) {
    w.u8(slots_[s] != nullptr);
    if (slots_[s]) slots_[s]->save(w);
  }
}

void PciBus::load(ByteReader& r) {
  r.expect_section("pci_bus");
  for (unsigned s = 0; s < kSlots; ++s) {
    if ((r.u8() != 0) != (slots_[s] != nullptr))
      throw DecodeError("pci: slot " + std::to_string(s) + " of the saved bus holds another device");
    if (slots_[s]) slots_[s]->load(r);
  }
  for (unsigned l = 0; l < 4; ++l) update_line(l);
}

}  // namespace rwd
