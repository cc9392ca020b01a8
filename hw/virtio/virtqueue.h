// A split virtqueue (virtio 1.x, 2.7): the driver's descriptor table, its
// available ring and the device's used ring, all in guest RAM. Everything
// read from there is untrusted: the queue touches guest memory only through
// AddressSpace::read_bytes/write_bytes, validates every buffer against guest
// RAM before handing it to a device, and caps every walk, so that a hostile
// or buggy driver can at worst break its own queue (the device then asks for
// a reset), never crash the emulator or reach host memory outside guest RAM.
#pragma once
#include <cstdint>
#include <vector>

#include "hw/core/memory.h"
#include "util/byte_codec.h"

namespace rwd {

namespace virtq {
inline constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
inline constexpr uint16_t kAvailNoInterrupt = 1;
inline constexpr uint32_t kMaxSize = 32768;       // the largest split queue (2.7.10)
inline constexpr uint32_t kMaxIndirect = 32768;   // entries in one indirect table
}  // namespace virtq

// One guest buffer of a request; validated to lie in one RAM block (and, if
// device-writable, in writable RAM).
struct VirtqSegment {
  uint64_t addr = 0;
  uint32_t len = 0;
};

// A request taken from the available ring: its device-readable buffers, then
// its device-writable ones, in the driver's order.
struct VirtqElement {
  uint16_t head = 0;
  std::vector<VirtqSegment> out;  // driver -> device
  std::vector<VirtqSegment> in;   // device -> driver
  uint64_t out_bytes() const;
  uint64_t in_bytes() const;
};

class VirtQueue {
 public:
  VirtQueue(AddressSpace& as, uint16_t max_size) : as_(as), max_size_(max_size) { reset(); }

  // What the driver programs through the transport (while the queue is not ready).
  uint16_t max_size() const { return max_size_; }
  uint32_t num() const { return num_; }
  bool set_num(uint32_t n);  // false (and unchanged) unless 1 <= n <= max_size
  bool ready = false;
  uint64_t desc_addr = 0, avail_addr = 0, used_addr = 0;
  bool indirect_allowed = false;  // VIRTIO_RING_F_INDIRECT_DESC was negotiated

  enum class Pop { kEmpty, kElement, kBroken };
  // Takes the next available request. kBroken marks the queue broken: it
  // then stays empty until reset.
  Pop pop(VirtqElement& e);
  // Whether pop() would find a request (without taking it).
  bool has_available();
  // Gives back the last `n` requests pop() took and nothing has pushed yet
  // (a device that needs several buffers at once and found too few).
  void unpop(uint16_t n) { last_avail_ = static_cast<uint16_t>(last_avail_ - n); }
  // Returns a request to the driver with `written` bytes written to its
  // device-writable buffers (clamped to their size).
  void push(const VirtqElement& e, uint64_t written);
  // Copies between a request's buffers and the host, starting `offset`
  // bytes into the writable (to_guest) or readable (from_guest) buffers.
  // Returns the number of bytes copied (short at the end of the buffers).
  uint64_t copy_to_guest(const VirtqElement& e, uint64_t offset, const void* data, uint64_t len);
  uint64_t copy_from_guest(const VirtqElement& e, uint64_t offset, void* data, uint64_t len);

  bool broken() const { return broken_; }
  // True once after push() if the driver wants an interrupt for the new
  // used entries (no VIRTQ_AVAIL_F_NO_INTERRUPT; event-idx is not offered).
  bool take_interrupt();

  void reset();
  void save(ByteWriter& w) const;
  void load(ByteReader& r);

 private:
  bool read16(uint64_t pa, uint16_t& v) { return as_.read_bytes(pa, &v, 2); }
  bool walk(uint16_t head, VirtqElement& e);
  bool add_segment(VirtqElement& e, uint64_t addr, uint32_t len, bool writable);
  Pop fail() {
    broken_ = true;
    return Pop::kBroken;
  }

  AddressSpace& as_;
  uint16_t max_size_;
  uint32_t num_ = 0;
  uint16_t last_avail_ = 0;  // next available-ring entry to take
  uint16_t used_idx_ = 0;    // the device's copy of used->idx
  bool broken_ = false;
  bool used_pending_ = false;  // used entries added since the last take_interrupt()
};

}  // namespace rwd
