// A CFI parallel flash bank with the Intel/Sharp extended command set, as
// QEMU's virt board has two of (its "cfi.pflash01" with a 32-bit bus made of
// two 16-bit devices side by side, 256 KiB sectors, ids 0x89/0x18):
//
//   read array (0xff, 0xf0, 0x00), read status (0x70), clear status (0x50),
//   read identifier (0x90), CFI query (0x98, left with 0xff only), word
//   program (0x10/0x40 + data), block erase (0x20 + 0xd0; as on QEMU 7.2
//   the sector is erased by the 0x20 write already), block lock and
//   unlock (0x60 + 0x01/0xd0, accepted and ignored), buffered program
//   (0xe8, count - 1, that many bus writes, 0xd0).
//
// Commands are the low byte of a write; identifier, query and status
// answers are repeated in each 16-bit device lane of a read, so a 32-bit
// read of the status gives 0x00800080. Writes and erases change the bank at
// once (the guest never waits) and hand the changed bytes to `persist`,
// which writes them to the backing file behind the guest's back; a
// read-only bank refuses them with the status error bits (0x10 program,
// 0x20 erase). Everything is a pure function of the guest's accesses.
//
// The CPU executes a bank in place (a RomDevice): in read-array mode a
// fetch reads the contents, mapped like RAM; in any other mode it reads
// what a load reads there (the status, identifier or query answer), as on
// QEMU 7.2 and on a real board. Every change of that view is reported, so
// translated code of the bank is dropped when it no longer matches.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/memory.h"
#include "hw/core/rom_device.h"

namespace rwd {

class PflashCfi01 : public RomDevice {
 public:
  static constexpr uint64_t kSize = 32ull << 20;
  static constexpr uint64_t kSectorSize = 256ull << 10;
  static constexpr unsigned kBankWidth = 4, kDeviceWidth = 2;
  static constexpr uint8_t kManufacturer = 0x89, kDevice = 0x18;
  static constexpr uint8_t kStatusReady = 0x80, kStatusEraseError = 0x20, kStatusProgramError = 0x10;
  using Persist = std::function<void(uint64_t offset, const uint8_t* data, size_t len)>;

  // Starts all zeros (an absent drive, as QEMU's): the bank's memory is
  // mapped lazily, so an unused bank costs nothing. The board fills it
  // through data() before the machine runs.
  PflashCfi01(std::string name, bool read_only, Persist persist);

  // MmioDevice.
  std::string name() const override { return name_; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;
  // RomDevice.
  const uint8_t* fetch_page(uint64_t page_offset, bool& direct) override;

  uint8_t* data() {
    forget_pages(0, kSize);
    return mem_.get();
  }
  const uint8_t* contents() const { return mem_.get(); }

 private:
  // A one-lane answer repeated in every device lane of an access.
  static uint64_t lanes(uint16_t answer, unsigned size);
  uint16_t query(uint64_t index) const;
  void read_array_mode();
  void store(uint64_t offset, unsigned size, uint64_t value);
  void flush_written();
  void forget_pages(uint64_t offset, uint64_t len);
  void command(uint64_t offset, unsigned size, uint64_t value);

  std::string name_;
  RamBlock::HostPtr mem_;  // kSize bytes
  bool read_only_;
  Persist persist_;
  // Guest-visible state.
  uint8_t cmd_ = 0;     // the command in progress (0: read array)
  uint8_t wcycle_ = 0;  // which write of the command comes next
  uint8_t status_ = kStatusReady;
  uint32_t counter_ = 0;  // buffered program: bus writes still to come, minus one
  // What save() knows of each 4 KiB page without reading it: 0..255, one
  // repeated byte; kMixed; kUnknown (changed since). Checkpoints save every
  // part often, and most of a bank never changes.
  static constexpr int16_t kMixed = -1, kUnknown = -2;
  mutable std::vector<int16_t> page_kind_;
  // The bytes changed since the last persist call: [lo, hi).
  uint64_t dirty_lo_ = UINT64_MAX, dirty_hi_ = 0;
  // What fetches read from a page outside read-array mode (2: an
  // instruction may straddle two pages, both translated at once).
  uint8_t answer_pages_[2][4096] = {};
  unsigned next_answer_page_ = 0;
};

}  // namespace rwd
