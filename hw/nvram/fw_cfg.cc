#include "hw/nvram/fw_cfg.h"

#include <algorithm>
#include <cstring>

namespace rwd {

namespace {

using namespace fw_cfg;

std::vector<uint8_t> le16(uint16_t v) { return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8)}; }
std::vector<uint8_t> le32(uint32_t v) {
  return {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 24)};
}
void put_be(std::vector<uint8_t>& out, uint64_t v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0;) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t get_be(const uint8_t* p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}
// The key an item is stored under: the write-channel bit selects nothing.
uint16_t item_key(uint16_t key) { return key & (kArchLocal | kEntryMask); }

}  // namespace

FwCfg::FwCfg(AddressSpace& as, bool nographic) : as_(as) {
  add_item(kSignature, {'Q', 'E', 'M', 'U'});
  add_item(kId, le32(kIdTraditional | kIdDma));
  add_item(kUuid, std::vector<uint8_t>(16, 0));  // no -uuid: QEMU's default is all zeros
  add_item(kNoGraphic, le16(nographic ? 1 : 0));
  add_item(kBootMenu, le16(0));
  std::string err;
  // What QEMU 7.2 always lists on virt: two empty files the BIOS world
  // knows, and the reboot timeout (-1: no reboot after a failed boot).
  add_file("bios-geometry", {}, err);
  add_file("bootorder", {}, err);
  add_file("etc/boot-fail-wait", le32(0xffffffffu), err);
}

void FwCfg::add_item(uint16_t key, std::vector<uint8_t> data) { items_[item_key(key)] = std::move(data); }

bool FwCfg::add_file(const std::string& name, std::vector<uint8_t> data, std::string& err) {
  if (name.empty() || name.size() >= kMaxFileName) {
    err = "fw_cfg file name '" + name + "' must be 1 to " + std::to_string(kMaxFileName - 1) + " characters";
    return false;
  }
  if (files_.count(name)) {
    err = "duplicate fw_cfg file name: " + name;
    return false;
  }
  files_[name] = std::move(data);
  return true;
}

// The directory: a big-endian count, then per file {be32 size, be16 select,
// be16 reserved, char name[56]}. Files are sorted by name and numbered from
// 0x20 in that order (files_ is a sorted map).
void FwCfg::finish() {
  std::vector<uint8_t> dir;
  put_be(dir, files_.size(), 4);
  uint16_t key = kFileFirst;
  for (auto& [name, data] : files_) {
    put_be(dir, data.size(), 4);
    put_be(dir, key, 2);
    put_be(dir, 0, 2);
    size_t at = dir.size();
    dir.resize(at + kMaxFileName, 0);
    std::memcpy(dir.data() + at, name.data(), name.size());
    items_[key++] = data;
  }
  items_[kFileDir] = std::move(dir);
}

const std::vector<uint8_t>* FwCfg::item(uint16_t key) const {
  auto it = items_.find(item_key(key));
  return it == items_.end() ? nullptr : &it->second;
}

void FwCfg::select(uint16_t key) {
  selector_ = key;
  offset_ = 0;
}

uint64_t FwCfg::read(uint64_t offset, unsigned size) {
  if (offset == 0) {
    // The next `size` bytes, the first at the lowest address.
    const std::vector<uint8_t>* data = item(selector_);
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      if (data && offset_ < data->size()) v |= static_cast<uint64_t>((*data)[offset_]) << (8 * i);
      if (data && offset_ < data->size()) ++offset_;
    }
    return v;
  }
  if (offset >= 0x10 && offset + size <= 0x18) {
    // "QEMU CFG", big-endian: the byte at +0x10 is 'Q'.
    uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) v |= ((kDmaSignature >> (8 * (7 - (offset - 0x10 + i)))) & 0xff) << (8 * i);
    return v;
  }
  return 0;  // the selector is write-only; QEMU faults other accesses, rewind reads 0
}

static uint64_t byteswap(uint64_t v, unsigned size) {
  uint64_t r = 0;
  for (unsigned i = 0; i < size; ++i) r = r << 8 | ((v >> (8 * i)) & 0xff);
  return r;
}

void FwCfg::write(uint64_t offset, unsigned size, uint64_t value) {
  if (offset == 0x08 && size == 2) {
    select(static_cast<uint16_t>(byteswap(value, 2)));
  } else if (offset == 0x10 && size == 8) {
    run_dma(byteswap(value, 8));
  } else if (offset == 0x10 && size == 4) {
    dma_high_ = static_cast<uint32_t>(byteswap(value, 4));
  } else if (offset == 0x14 && size == 4) {
    run_dma(static_cast<uint64_t>(dma_high_) << 32 | byteswap(value, 4));
  }
  // Data writes are ignored (as QEMU since 2.4); other accesses too.
}

// One descriptor: read it, do it, write back its control word (0, or the
// error bit). A descriptor outside RAM gets the error written if its
// control word is in RAM, else nothing.
void FwCfg::run_dma(uint64_t descriptor) {
  uint8_t d[16];
  uint32_t result;
  if (!as_.read_bytes(descriptor, d, sizeof d)) {
    result = kDmaError;
  } else {
    uint32_t control = static_cast<uint32_t>(get_be(d, 4));
    result = dma_transfer(control, static_cast<uint32_t>(get_be(d + 4, 4)), get_be(d + 8, 8));
  }
  uint8_t be[4] = {static_cast<uint8_t>(result >> 24), static_cast<uint8_t>(result >> 16),
                   static_cast<uint8_t>(result >> 8), static_cast<uint8_t>(result)};
  as_.write_bytes(descriptor, be, sizeof be);
}

// select, then one of read, write, skip (in that priority); returns the
// control word to write back.
uint32_t FwCfg::dma_transfer(uint32_t control, uint32_t length, uint64_t address) {
  if (control & kDmaSelect) select(static_cast<uint16_t>(control >> 16));
  const std::vector<uint8_t>* data = item(selector_);
  uint64_t avail = data && offset_ < data->size() ? data->size() - offset_ : 0;
  uint64_t n = std::min<uint64_t>(length, avail);
  if (control & kDmaRead) {
    // The whole buffer must be RAM, checked before anything is written.
    if (length && !as_.find_ram(address, length)) return kDmaError;
    if (n && !as_.write_bytes(address, data->data() + offset_, n)) return kDmaError;
    static const uint8_t kZeros[4096] = {};
    for (uint64_t done = n; done < length;) {
      uint64_t chunk = std::min<uint64_t>(sizeof kZeros, length - done);
      if (!as_.write_bytes(address + done, kZeros, chunk)) return kDmaError;
      done += chunk;
    }
    offset_ += static_cast<uint32_t>(n);
    return 0;
  }
  if (control & kDmaWrite) {
    // No item on virt takes writes.
    return length ? kDmaError : 0;
  }
  if (control & kDmaSkip) offset_ += static_cast<uint32_t>(n);
  return 0;
}

void FwCfg::reset() {
  select(0);
  dma_high_ = 0;
}

void FwCfg::save(ByteWriter& w) const {
  w.u32(selector_);
  w.u32(offset_);
  w.u32(dma_high_);
}

void FwCfg::load(ByteReader& r) {
  uint32_t sel = r.u32();
  if (sel > 0xffff) throw DecodeError("fw-cfg: bad selector in saved state");
  selector_ = static_cast<uint16_t>(sel);
  offset_ = r.u32();
  dma_high_ = r.u32();
}

}  // namespace rwd
