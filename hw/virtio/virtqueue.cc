#include "hw/virtio/virtqueue.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace rwd {

// Rings and descriptors are little-endian in guest memory (virtio 1.x); they
// are copied as-is into host integers.
static_assert(std::endian::native == std::endian::little, "virtqueue.cc assumes a little-endian host");

namespace {

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
static_assert(sizeof(Desc) == 16);

constexpr uint64_t kRingHeader = 4;  // flags, idx
constexpr uint64_t kUsedElemSize = 8;

}  // namespace

uint64_t VirtqElement::out_bytes() const {
  uint64_t n = 0;
  for (auto& s : out) n += s.len;
  return n;
}

uint64_t VirtqElement::in_bytes() const {
  uint64_t n = 0;
  for (auto& s : in) n += s.len;
  return n;
}

bool VirtQueue::set_num(uint32_t n) {
  if (n == 0 || n > max_size_) return false;
  num_ = n;
  return true;
}

// Each buffer must lie inside one RAM block, so that later copies cannot
// fail half-way; writable buffers must not be in ROM.
bool VirtQueue::add_segment(VirtqElement& e, uint64_t addr, uint32_t len, bool writable) {
  if (len == 0) return true;  // carries nothing: its address does not matter
  RamBlock* rb = as_.find_ram(addr, len);
  if (!rb || (writable && rb->readonly)) return false;
  // The driver places all readable buffers before the writable ones (2.7.4.2).
  if (!writable && !e.in.empty()) return false;
  (writable ? e.in : e.out).push_back({addr, len});
  return true;
}

// Follows a descriptor chain from `head`, into at most one indirect table.
// Each walk is capped by the size of the table it runs in, so a chain that
// loops ends as a broken queue instead of a hang.
bool VirtQueue::walk(uint16_t head, VirtqElement& e) {
  uint64_t table = desc_addr;
  uint32_t table_size = num_;
  uint32_t idx = head, steps = 0;
  bool indirect = false;
  for (;;) {
    if (idx >= table_size || ++steps > table_size) return false;
    Desc d;
    if (!as_.read_bytes(table + uint64_t{idx} * sizeof(Desc), &d, sizeof d)) return false;
    if (d.flags & virtq::kDescIndirect) {
      // Only from the main table, not chained on (2.7.5.3.1), a whole number
      // of descriptors, and only if negotiated.
      if (indirect || !indirect_allowed || (d.flags & virtq::kDescNext)) return false;
      if (d.len == 0 || d.len % sizeof(Desc) != 0 || d.len / sizeof(Desc) > virtq::kMaxIndirect) return false;
      table = d.addr;
      table_size = d.len / sizeof(Desc);
      idx = 0;
      steps = 0;
      indirect = true;
      continue;
    }
    if (!add_segment(e, d.addr, d.len, d.flags & virtq::kDescWrite)) return false;
    if (!(d.flags & virtq::kDescNext)) return true;
    idx = d.next;
  }
}

VirtQueue::Pop VirtQueue::pop(VirtqElement& e) {
  e = VirtqElement{};
  if (!ready || broken_ || num_ == 0) return Pop::kEmpty;
  uint16_t avail_idx;
  if (!read16(avail_addr + 2, avail_idx)) return fail();
  uint16_t pending = static_cast<uint16_t>(avail_idx - last_avail_);
  if (pending == 0) return Pop::kEmpty;
  if (pending > num_) return fail();  // the driver cannot have more requests out than entries
  uint16_t head;
  if (!read16(avail_addr + kRingHeader + 2ull * (last_avail_ % num_), head)) return fail();
  if (!walk(head, e)) return fail();
  e.head = head;
  ++last_avail_;
  return Pop::kElement;
}

bool VirtQueue::has_available() {
  uint16_t avail_idx;
  if (!ready || broken_ || num_ == 0 || !read16(avail_addr + 2, avail_idx)) return false;
  return avail_idx != last_avail_;
}

void VirtQueue::push(const VirtqElement& e, uint64_t written) {
  if (broken_ || num_ == 0) return;
  struct {
    uint32_t id, len;
  } elem{e.head, static_cast<uint32_t>(std::min<uint64_t>(written, std::min<uint64_t>(e.in_bytes(), UINT32_MAX)))};
  // The entry first, then the index that publishes it.
  uint64_t slot = used_addr + kRingHeader + kUsedElemSize * (used_idx_ % num_);
  uint16_t next = static_cast<uint16_t>(used_idx_ + 1);
  if (!as_.write_bytes(slot, &elem, sizeof elem) || !as_.write_bytes(used_addr + 2, &next, 2)) {
    broken_ = true;
    return;
  }
  used_idx_ = next;
  used_pending_ = true;
}

namespace {

// Walks the buffer made of `segs` from byte `offset` for up to `len` bytes,
// calling copy(guest_address, position_in_data, n) for each piece; stops at
// the first piece that fails. Returns the bytes copied.
template <typename Copy>
uint64_t walk_segments(const std::vector<VirtqSegment>& segs, uint64_t offset, uint64_t len, Copy copy) {
  uint64_t done = 0;
  for (const VirtqSegment& s : segs) {
    if (done == len) break;
    if (offset >= s.len) {
      offset -= s.len;
      continue;
    }
    uint64_t n = std::min<uint64_t>(s.len - offset, len - done);
    if (!copy(s.addr + offset, done, n)) break;  // validated at pop: cannot happen
    done += n;
    offset = 0;
  }
  return done;
}

}  // namespace

uint64_t VirtQueue::copy_to_guest(const VirtqElement& e, uint64_t offset, const void* data, uint64_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  return walk_segments(e.in, offset, len,
                       [&](uint64_t addr, uint64_t at, uint64_t n) { return as_.write_bytes(addr, p + at, n); });
}

uint64_t VirtQueue::copy_from_guest(const VirtqElement& e, uint64_t offset, void* data, uint64_t len) {
  auto* p = static_cast<uint8_t*>(data);
  return walk_segments(e.out, offset, len,
                       [&](uint64_t addr, uint64_t at, uint64_t n) { return as_.read_bytes(addr, p + at, n); });
}

bool VirtQueue::take_interrupt() {
  if (!used_pending_) return false;
  used_pending_ = false;
  uint16_t flags = 0;
  // An unreadable ring cannot ask for silence: interrupt.
  return !read16(avail_addr, flags) || !(flags & virtq::kAvailNoInterrupt);
}

void VirtQueue::reset() {
  num_ = max_size_;
  ready = false;
  desc_addr = avail_addr = used_addr = 0;
  indirect_allowed = false;
  last_avail_ = used_idx_ = 0;
  broken_ = used_pending_ = false;
}

void VirtQueue::save(ByteWriter& w) const {
  w.u32(num_);
  w.u8(ready);
  w.u64(desc_addr);
  w.u64(avail_addr);
  w.u64(used_addr);
  w.u8(indirect_allowed);
  w.u32(last_avail_);
  w.u32(used_idx_);
  w.u8(broken_);
  w.u8(used_pending_);
}

void VirtQueue::load(ByteReader& r) {
  uint32_t num = r.u32();
  if (num == 0 || num > max_size_) throw DecodeError("virtqueue: bad queue size");
  num_ = num;
  ready = r.u8() != 0;
  desc_addr = r.u64();
  avail_addr = r.u64();
  used_addr = r.u64();
  indirect_allowed = r.u8() != 0;
  last_avail_ = static_cast<uint16_t>(r.u32());
  used_idx_ = static_cast<uint16_t>(r.u32());
  broken_ = r.u8() != 0;
  used_pending_ = r.u8() != 0;
}

}  // namespace rwd
