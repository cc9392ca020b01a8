#include "hw/block/pflash_cfi01.h"

#include <algorithm>
#include <sys/mman.h>

#include <cstring>
#include <new>
#include <stdexcept>

namespace rwd {

namespace {

constexpr unsigned kDevices = PflashCfi01::kBankWidth / PflashCfi01::kDeviceWidth;
// Per device: half the bank's bytes, its sectors half as long, 128 of them.
constexpr uint64_t kDeviceSize = PflashCfi01::kSize / kDevices;
constexpr uint64_t kDeviceSector = PflashCfi01::kSectorSize / kDevices;
constexpr uint64_t kBlocks = PflashCfi01::kSize / PflashCfi01::kSectorSize;
constexpr unsigned kWriteBufferLog2 = 11;  // 2 KiB per device

constexpr unsigned log2u(uint64_t v) {
  unsigned n = 0;
  while (v > 1) v >>= 1, ++n;
  return n;
}

// The CFI query table, by device word index (JEDEC JESD68.01: "QRY", the
// command set, voltages, timeouts as powers of two, geometry; then the
// Intel primary extended table "PRI" 1.0 at 0x31). Values as QEMU 7.2's
// virt flash answers them.
uint16_t cfi_entry(uint64_t i) {
  switch (i) {
    case 0x10: return 'Q';
    case 0x11: return 'R';
    case 0x12: return 'Y';
    case 0x13: return 0x01;  // primary command set: Intel/Sharp extended
    case 0x15: return 0x31;  // where its extended table starts
    case 0x1b: return 0x45;  // Vcc min 4.5 V
    case 0x1c: return 0x55;  // Vcc max 5.5 V
    case 0x1f: return 0x07;  // typical word program: 2^7 us
    case 0x20: return 0x07;  // typical buffer program: 2^7 us
    case 0x21: return 0x0a;  // typical block erase: 2^10 ms
    case 0x23: return 0x04;  // maxima: 2^4 times the typical
    case 0x24: return 0x04;
    case 0x25: return 0x04;
    case 0x27: return log2u(kDeviceSize);
    case 0x28: return 0x02;  // x8/x16 interface
    case 0x2a: return kWriteBufferLog2;
    case 0x2c: return 0x01;  // one erase block region...
    case 0x2d: return (kBlocks - 1) & 0xff;  // ...of this many blocks - 1
    case 0x2e: return (kBlocks - 1) >> 8;
    case 0x2f: return (kDeviceSector / 256) & 0xff;  // of this size / 256
    case 0x30: return (kDeviceSector / 256) >> 8;
    case 0x31: return 'P';
    case 0x32: return 'R';
    case 0x33: return 'I';
    case 0x34: return '1';
    case 0x35: return '0';
    case 0x3f: return 0x01;
    default: return 0;
  }
}

}  // namespace

PflashCfi01::PflashCfi01(std::string name, bool read_only, Persist persist)
    : name_(std::move(name)), read_only_(read_only), persist_(std::move(persist)) {
  void* mem = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) throw std::bad_alloc();
  mem_ = RamBlock::HostPtr(static_cast<uint8_t*>(mem), Unmapper{kSize});
  page_kind_.assign(kSize / 4096, 0);  // all zeros
}

void PflashCfi01::forget_pages(uint64_t offset, uint64_t len) {
  if (len == 0) return;
  for (uint64_t p = offset / 4096; p <= (offset + len - 1) / 4096 && p < page_kind_.size(); ++p) page_kind_[p] = kUnknown;
}

uint64_t PflashCfi01::lanes(uint16_t answer, unsigned size) {
  uint64_t v = answer;
  for (unsigned shift = kDeviceWidth * 8; shift + kDeviceWidth * 8 <= size * 8; shift += kDeviceWidth * 8)
    v |= static_cast<uint64_t>(answer) << shift;
  return v;
}

uint16_t PflashCfi01::query(uint64_t index) const { return cfi_entry(index); }

uint64_t PflashCfi01::read(uint64_t offset, unsigned size) {
  if (offset >= kSize || size > kSize - offset) return 0;
  // The device word index: each bus word holds one word of each device.
  uint64_t index = offset / kBankWidth;
  switch (cmd_) {
    case 0x00: {
      uint64_t v = 0;
      std::memcpy(&v, mem_.get() + offset, size);
      return v;
    }
    case 0x90:
      // The identifier repeats every 256 device words (QEMU 7.2 masks the
      // index so: the other words would be lock status, not emulated).
      index &= 0xff;
      return lanes(index == 0 ? kManufacturer : index == 1 ? kDevice : 0, size);
    case 0x98:
      return lanes(query(index), size);
    default:  // every other command reads the status register
      return lanes(status_, size);
  }
}

void PflashCfi01::read_array_mode() {
  cmd_ = 0;
  wcycle_ = 0;
}

void PflashCfi01::store(uint64_t offset, unsigned size, uint64_t value) {
  if (read_only_) {
    status_ |= kStatusProgramError;
    return;
  }
  std::memcpy(mem_.get() + offset, &value, size);
  forget_pages(offset, size);
  fetch_view_changed(offset, size, false);
  dirty_lo_ = std::min(dirty_lo_, offset);
  dirty_hi_ = std::max(dirty_hi_, offset + size);
}

void PflashCfi01::flush_written() {
  if (dirty_lo_ < dirty_hi_ && persist_) persist_(dirty_lo_, mem_.get() + dirty_lo_, dirty_hi_ - dirty_lo_);
  dirty_lo_ = UINT64_MAX;
  dirty_hi_ = 0;
}

// A write, and what it changes for instruction fetches: the bank leaving or
// entering read-array mode, or a new answer (mode or status) outside it.
// Contents changes are reported where they happen.
void PflashCfi01::write(uint64_t offset, unsigned size, uint64_t value) {
  const uint8_t cmd = cmd_, status = status_;
  command(offset, size, value);
  if (cmd_ == cmd && (cmd_ == 0 || status_ == status)) return;
  fetch_view_changed(0, kSize, cmd == 0);
}

// The page as fetches see it: the contents in read-array mode, else what
// 16-bit loads read there (instructions are fetched in 16-bit parcels).
const uint8_t* PflashCfi01::fetch_page(uint64_t page_offset, bool& direct) {
  if (page_offset >= kSize) return nullptr;
  direct = cmd_ == 0;
  if (direct) return mem_.get() + page_offset;
  uint8_t* page = answer_pages_[next_answer_page_];
  next_answer_page_ ^= 1;
  for (uint64_t i = 0; i < sizeof answer_pages_[0]; i += 2) {
    auto parcel = static_cast<uint16_t>(read(page_offset + i, 2));
    std::memcpy(page + i, &parcel, 2);
  }
  return page;
}

void PflashCfi01::command(uint64_t offset, unsigned size, uint64_t value) {
  if (offset >= kSize || size > kSize - offset) return;
  const uint8_t cmd = static_cast<uint8_t>(value);
  switch (wcycle_) {
    case 0:
      switch (cmd) {
        case 0x00: case 0xf0: case 0xff:
          read_array_mode();
          return;
        case 0x20:
          // Block erase. QEMU 7.2 erases the sector on this setup write
          // already (the confirm only completes the command), and firmware
          // tested on it may rely on that: so does rewind.
          if (read_only_) {
            status_ |= kStatusEraseError;
          } else {
            uint64_t base = offset & ~(kSectorSize - 1);
            std::memset(mem_.get() + base, 0xff, kSectorSize);
            std::fill(page_kind_.begin() + static_cast<long>(base / 4096),
                      page_kind_.begin() + static_cast<long>((base + kSectorSize) / 4096), int16_t{0xff});
            dirty_lo_ = base;
            dirty_hi_ = base + kSectorSize;
            flush_written();
            fetch_view_changed(base, kSectorSize, false);
          }
          status_ |= kStatusReady;
          cmd_ = cmd;
          wcycle_ = 1;
          return;
        case 0x10: case 0x40:  // word program: the data comes next
        case 0x60:             // block lock: lock/unlock comes next
        case 0x98:             // CFI query until 0xff
          cmd_ = cmd;
          wcycle_ = 1;
          return;
        case 0x50:
          status_ = 0;
          read_array_mode();
          return;
        case 0x70: case 0x90:
          cmd_ = cmd;
          return;
        case 0xe8:  // write to buffer: the buffer is free at once
          status_ |= kStatusReady;
          cmd_ = cmd;
          wcycle_ = 1;
          return;
        default:
          read_array_mode();
          return;
      }
    case 1:
      switch (cmd_) {
        case 0x10: case 0x40:
          store(offset, size, value);
          flush_written();
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x20:  // the erase confirm (the sector is already erased)
          if (cmd != 0xd0) return read_array_mode();
          status_ |= kStatusReady;
          wcycle_ = 0;
          return;
        case 0x60:
          if (cmd == 0x01 || cmd == 0xd0) {
            status_ |= kStatusReady;
            wcycle_ = 0;
          } else {
            read_array_mode();
          }
          return;
        case 0x98:
          if (cmd == 0xff) read_array_mode();
          return;  // anything else: still in query mode
        case 0xe8:
          // The count of one device's lane: that many bus writes, minus one.
          counter_ = static_cast<uint32_t>(value & ((1u << (kDeviceWidth * 8)) - 1));
          wcycle_ = 2;
          return;
        default:
          read_array_mode();
          return;
      }
    case 2:  // buffered program data
      if (read_only_) {
        // QEMU 7.2 gives up the whole buffered program here: the error bit,
        // then read array (the rest of the sequence reads as commands).
        status_ |= kStatusProgramError;
        return read_array_mode();
      }
      store(offset, size, value);
      status_ |= kStatusReady;
      if (counter_ == 0)
        wcycle_ = 3;
      else
        --counter_;
      return;
    case 3:  // buffered program confirm
      flush_written();
      if (cmd == 0xd0) {
        status_ |= kStatusReady;
        wcycle_ = 0;
      } else {
        read_array_mode();
      }
      return;
    default:
      read_array_mode();
      return;
  }
}

void PflashCfi01::reset() {
  flush_written();
  bool was_array = cmd_ == 0;
  read_array_mode();
  status_ = kStatusReady;
  counter_ = 0;
  fetch_view_changed(0, kSize, !was_array);
}

// The contents page by page (4 KiB): a page of one repeated byte (erased
// 0xff, absent 0x00) is two bytes, so a mostly empty bank saves and hashes
// cheaply.
void PflashCfi01::save(ByteWriter& w) const {
  w.u8(cmd_);
  w.u8(wcycle_);
  w.u8(status_);
  w.u32(counter_);
  constexpr size_t kPage = 4096;
  for (size_t at = 0; at < kSize; at += kPage) {
    const uint8_t* p = mem_.get() + at;
    int16_t& kind = page_kind_[at / kPage];
    if (kind == kUnknown) kind = std::memcmp(p, p + 1, kPage - 1) == 0 ? p[0] : kMixed;
    bool uniform = kind != kMixed;
    w.u8(uniform ? 1 : 0);
    if (uniform)
      w.u8(static_cast<uint8_t>(kind));
    else
      w.bytes(p, kPage);
  }
}

void PflashCfi01::load(ByteReader& r) {
  uint8_t cmd = r.u8(), wcycle = r.u8(), status = r.u8();
  uint32_t counter = r.u32();
  if (wcycle > 3) throw DecodeError(name_ + ": bad write cycle in saved state");
  constexpr size_t kPage = 4096;
  // Checked whole before anything changes, then applied.
  ByteReader check = r;
  std::vector<uint8_t> scratch(kPage);
  for (size_t at = 0; at < kSize; at += kPage) {
    uint8_t tag = check.u8();
    if (tag == 1)
      check.u8();
    else if (tag == 0)
      check.bytes(scratch.data(), kPage);
    else
      throw DecodeError(name_ + ": bad page tag in saved state");
  }
  // Only pages that differ are written: a replay's navigation loads this
  // state at every step back, and rewriting (first: faulting in) all 32 MiB
  // each time cost more than the rest of the restore.
  for (size_t at = 0; at < kSize; at += kPage) {
    uint8_t* p = mem_.get() + at;
    int16_t& kind = page_kind_[at / kPage];
    if (r.u8() == 1) {
      uint8_t v = r.u8();
      if (kind != v) std::memset(p, v, kPage);
      kind = v;
    } else {
      r.bytes(scratch.data(), kPage);
      if (kind != kMixed || std::memcmp(p, scratch.data(), kPage) != 0) std::memcpy(p, scratch.data(), kPage);
      kind = kMixed;
    }
  }
  cmd_ = cmd;
  wcycle_ = wcycle;
  status_ = status;
  counter_ = counter;
  dirty_lo_ = UINT64_MAX;
  dirty_hi_ = 0;
  // Other contents, maybe another mode: nothing translated from it stands.
  fetch_view_changed(0, kSize, true);
}

}  // namespace rwd
