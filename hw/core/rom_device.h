// A device whose memory the CPU can execute in place, as QEMU's ROM devices
// (the CFI flash banks): an instruction fetch reads what a load of the same
// place reads at that moment, whether the device shows its contents
// (read-array mode) or answers commands (status, identifier, query).
//
// The address space keeps translated code of such a device up to date: the
// device reports every change of what a fetch would read (contents
// programmed or erased, a mode change, a saved state loaded), and the
// translations of the affected pages are dropped, as for a write to RAM.
#pragma once
#include <cstdint>
#include <functional>

#include "hw/core/device.h"

namespace rwd {

class RomDevice : public MmioDevice {
 public:
  // Called by the address space with what to do on changes.
  // `offset`/`len`: the bytes whose fetch view changed; `remap`: a page
  // given earlier as `direct` may no longer be.
  using CodeListener = std::function<void(uint64_t offset, uint64_t len, bool remap)>;
  void set_code_listener(CodeListener l) { code_listener_ = std::move(l); }

  // What fetches from the 4 KiB page at `page_offset` read: host bytes valid
  // until the device next reports a change. `direct` is set when they are
  // the device's storage itself, which the CPU may then map for fetches
  // until a change with `remap` (the device's contents change in place:
  // those are reported too, without `remap`).
  virtual const uint8_t* fetch_page(uint64_t page_offset, bool& direct) = 0;

 protected:
  void fetch_view_changed(uint64_t offset, uint64_t len, bool remap) {
    if (code_listener_) code_listener_(offset, len, remap);
  }

 private:
  CodeListener code_listener_;
};

}  // namespace rwd
