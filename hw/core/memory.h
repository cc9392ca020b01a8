// The physical address space: RAM/ROM blocks backed by host memory and MMIO
// devices. All guest-physical accesses by the CPU slow path and by device DMA
// go through here and are bounds-checked.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/rom_device.h"

namespace rwd {

struct Unmapper {
  uint64_t size;
  void operator()(uint8_t* p) const;
};

struct RamBlock {
  using HostPtr = std::unique_ptr<uint8_t[], Unmapper>;
  std::string name;
  uint64_t base = 0;
  uint64_t size = 0;
  bool readonly = false;
  HostPtr host{nullptr, Unmapper{0}};
  // One byte per 4 KiB page: non-zero when translated code was made from it.
  std::vector<uint8_t> code_page;
  // Record/replay state hashing: one byte per page, non-zero when written
  // since the last hash. While tracking, the MMU installs TLB write entries
  // only for dirty pages, so every first store to a clean page is seen here.
  bool track_dirty = false;
  std::vector<uint8_t> dirty;
  // The pages whose flag went from clear to set, in that order: a hash visits
  // these instead of scanning every flag (recorded input hashes RAM at each
  // event: a received frame, a disk completion).
  std::vector<uint32_t> dirty_pages;

  bool contains(uint64_t pa, uint64_t len) const {
    return pa >= base && len <= size && pa - base <= size - len;
  }
  uint8_t* ptr(uint64_t pa) const { return host.get() + (pa - base); }
};

struct MmioRegion {
  uint64_t base = 0;
  uint64_t size = 0;
  MmioDevice* device = nullptr;
};

// An MMIO device the CPU executes in place (hw/core/rom_device.h), with
// the pages translated code was made from, as RamBlock has them.
struct RomRegion {
  uint64_t base = 0;
  uint64_t size = 0;
  RomDevice* device = nullptr;
  std::vector<uint8_t> code_page;
  uint64_t code_pages = 0;    // how many are set
  bool fetch_mapped = false;  // a TLB may hold a `direct` page of it
};

class AddressSpace {
 public:
  RamBlock& add_ram(const std::string& name, uint64_t base, uint64_t size, bool readonly = false);
  void add_mmio(uint64_t base, uint64_t size, MmioDevice* device);
  // An MMIO device that may also be executed in place.
  void add_rom_device(uint64_t base, uint64_t size, RomDevice* device);

  // Lookups return nullptr when nothing is mapped there.
  RamBlock* find_ram(uint64_t pa, uint64_t len = 1);
  const MmioRegion* find_mmio(uint64_t pa, uint64_t len = 1) const;

  // Physical access by size (1,2,4,8) for the CPU slow path. Returns false
  // when the address is unmapped (the caller raises an access fault).
  bool read(uint64_t pa, unsigned size, uint64_t& value);
  bool write(uint64_t pa, unsigned size, uint64_t value);

  // Bulk access for loaders and DMA: RAM only, all-or-nothing.
  bool read_bytes(uint64_t pa, void* buf, uint64_t len);
  bool write_bytes(uint64_t pa, const void* buf, uint64_t len);
  // Loaders may also write ROM.
  bool load_image(uint64_t pa, const void* buf, uint64_t len);

  // Instruction fetch from a ROM device: the host bytes at `pa` (to the end
  // of its page), or nullptr when no ROM device is there. `direct`: see
  // RomDevice::fetch_page; the caller then sets `fetch_mapped` through it.
  const uint8_t* rom_fetch_ptr(uint64_t pa, bool& direct);

  // Translated-code tracking: the engine marks pages it translated; any write
  // to such a page (CPU store slow path or DMA) calls `on_code_write`.
  void mark_code_page(RamBlock& rb, uint64_t pa);
  // The same for a ROM device's page (no-op elsewhere).
  void mark_rom_code_page(uint64_t pa);
  void notify_write(RamBlock& rb, uint64_t pa, uint64_t len);
  std::function<void(uint64_t pa_page)> on_code_write;
  // A ROM device's page that fetches were mapped to directly is no longer
  // what a fetch reads: the CPU drops its fetch mappings.
  std::function<void()> on_fetch_remap;

  const std::vector<std::unique_ptr<RamBlock>>& ram_blocks() const { return ram_; }
  const std::vector<MmioRegion>& mmio_regions() const { return mmio_; }

 private:
  std::vector<std::unique_ptr<RamBlock>> ram_;
  std::vector<MmioRegion> mmio_;
  std::vector<std::unique_ptr<RomRegion>> rom_;
  RomRegion* find_rom(uint64_t pa);
  void rom_view_changed(RomRegion& r, uint64_t offset, uint64_t len, bool remap);
};

}  // namespace rwd
