#include "hw/core/memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace rwd {

void Unmapper::operator()(uint8_t* p) const { munmap(p, size); }

namespace {
constexpr uint64_t kPageShift = 12;
constexpr uint64_t kPageSize = 1ull << kPageShift;
}  // namespace

RamBlock& AddressSpace::add_ram(const std::string& name, uint64_t base, uint64_t size,
                                bool readonly) {
  auto rb = std::make_unique<RamBlock>();
  rb->name = name;
  rb->base = base;
  rb->size = size;
  rb->readonly = readonly;
  // Anonymous mappings are zero-filled lazily by the host kernel: a large
  // guest RAM costs nothing until the guest touches it.
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  rb->host = RamBlock::HostPtr(static_cast<uint8_t*>(mem), Unmapper{size});
  rb->code_page.assign((size + kPageSize - 1) >> kPageShift, 0);
  ram_.push_back(std::move(rb));
  return *ram_.back();
}

void AddressSpace::add_mmio(uint64_t base, uint64_t size, MmioDevice* device) {
  mmio_.push_back({base, size, device});
}

void AddressSpace::add_rom_device(uint64_t base, uint64_t size, RomDevice* device) {
  add_mmio(base, size, device);
  auto r = std::make_unique<RomRegion>();
  r->base = base;
  r->size = size;
  r->device = device;
  r->code_page.assign((size + kPageSize - 1) >> kPageShift, 0);
  RomRegion* region = r.get();
  rom_.push_back(std::move(r));
  device->set_code_listener(
      [this, region](uint64_t offset, uint64_t len, bool remap) { rom_view_changed(*region, offset, len, remap); });
}

RomRegion* AddressSpace::find_rom(uint64_t pa) {
  for (auto& r : rom_) {
    if (pa >= r->base && pa - r->base < r->size) return r.get();
  }
  return nullptr;
}

const uint8_t* AddressSpace::rom_fetch_ptr(uint64_t pa, bool& direct) {
  RomRegion* r = find_rom(pa);
  direct = false;
  if (!r) return nullptr;
  uint64_t offset = pa - r->base;
  const uint8_t* page = r->device->fetch_page(offset & ~(kPageSize - 1), direct);
  if (!page) return nullptr;
  if (direct) r->fetch_mapped = true;
  return page + (offset & (kPageSize - 1));
}

void AddressSpace::mark_rom_code_page(uint64_t pa) {
  RomRegion* r = find_rom(pa);
  if (!r) return;
  uint8_t& mark = r->code_page[(pa - r->base) >> kPageShift];
  if (!mark) ++r->code_pages;
  mark = 1;
}

// The device changed what fetches read in [offset, offset + len): its
// translated pages there are dropped (the running block ends after the
// access, as for a store to code in RAM), and a mode change unmaps it from
// the CPU's fetch TLB. Costs nothing while no code was made from the device.
void AddressSpace::rom_view_changed(RomRegion& r, uint64_t offset, uint64_t len, bool remap) {
  if (remap && r.fetch_mapped) {
    r.fetch_mapped = false;
    if (on_fetch_remap) on_fetch_remap();
  }
  if (r.code_pages == 0 || len == 0 || offset >= r.size) return;
  uint64_t last = std::min(offset + len - 1, r.size - 1) >> kPageShift;
  for (uint64_t p = offset >> kPageShift; p <= last && r.code_pages; ++p) {
    if (!r.code_page[p]) continue;
    r.code_page[p] = 0;
    --r.code_pages;
    if (on_code_write) on_code_write(r.base + (p << kPageShift));
  }
}

RamBlock* AddressSpace::find_ram(uint64_t pa, uint64_t len) {
  for (auto& rb : ram_) {
    if (rb->contains(pa, len)) return rb.get();
  }
  return nullptr;
}

const MmioRegion* AddressSpace::find_mmio(uint64_t pa, uint64_t len) const {
  for (const auto& r : mmio_) {
    if (pa >= r.base && len <= r.size && pa - r.base <= r.size - len) return &r;
  }
  return nullptr;
}

bool AddressSpace::read(uint64_t pa, unsigned size, uint64_t& value) {
  if (RamBlock* rb = find_ram(pa, size)) {
    value = 0;
    std::memcpy(&value, rb->ptr(pa), size);
    return true;
  }
  if (const MmioRegion* r = find_mmio(pa, size)) {
    value = r->device->read(pa - r->base, size);
    if (size < 8) value &= (1ull << (size * 8)) - 1;
    return true;
  }
  return false;
}

bool AddressSpace::write(uint64_t pa, unsigned size, uint64_t value) {
  if (RamBlock* rb = find_ram(pa, size)) {
    if (rb->readonly) return true;  // ROM: writes are ignored, as on real boards
    notify_write(*rb, pa, size);
    std::memcpy(rb->ptr(pa), &value, size);
    return true;
  }
  if (const MmioRegion* r = find_mmio(pa, size)) {
    r->device->write(pa - r->base, size, value);
    return true;
  }
  return false;
}

bool AddressSpace::read_bytes(uint64_t pa, void* buf, uint64_t len) {
  RamBlock* rb = find_ram(pa, len);
  if (!rb) return false;
  std::memcpy(buf, rb->ptr(pa), len);
  return true;
}

bool AddressSpace::write_bytes(uint64_t pa, const void* buf, uint64_t len) {
  RamBlock* rb = find_ram(pa, len);
  if (!rb || rb->readonly) return false;
  notify_write(*rb, pa, len);
  std::memcpy(rb->ptr(pa), buf, len);
  return true;
}

bool AddressSpace::load_image(uint64_t pa, const void* buf, uint64_t len) {
  RamBlock* rb = find_ram(pa, len);
  if (!rb) return false;
  notify_write(*rb, pa, len);
  std::memcpy(rb->ptr(pa), buf, len);
  return true;
}

void AddressSpace::mark_code_page(RamBlock& rb, uint64_t pa) {
  rb.code_page[(pa - rb.base) >> kPageShift] = 1;
}

void AddressSpace::notify_write(RamBlock& rb, uint64_t pa, uint64_t len) {
  if (len == 0) return;
  uint64_t first = (pa - rb.base) >> kPageShift;
  uint64_t last = (pa - rb.base + len - 1) >> kPageShift;
  for (uint64_t p = first; p <= last; ++p) {
    if (rb.track_dirty && !rb.dirty[p]) {
      rb.dirty[p] = 1;
      rb.dirty_pages.push_back(static_cast<uint32_t>(p));
    }
    if (rb.code_page[p]) {
      rb.code_page[p] = 0;
      if (on_code_write) on_code_write(rb.base + (p << kPageShift));
    }
  }
}

}  // namespace rwd
