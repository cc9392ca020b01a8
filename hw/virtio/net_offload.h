// The transmit offloads virtio-net offers (virtio 1.x, 5.1.6.2): the guest
// hands over a frame whose TCP/UDP checksum it left partial
// (VIRTIO_NET_F_CSUM), or a TCP "super-frame" of up to 64 KiB that the
// device cuts into MSS-sized segments (VIRTIO_NET_F_HOST_TSO4/6). Doing this
// on the host costs a fraction of what the emulated guest pays per byte and
// per packet; what leaves the NIC is the same frames a guest without
// offloads would have sent, so backends and filters never see the header.
//
// Pure functions of the guest's bytes: recording and replay need nothing.
// Everything is bounds-checked; a frame that does not parse is dropped (a
// real NIC would send garbage; nothing sensible can be sent).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace rwd::net_offload {

// struct virtio_net_hdr (5.1.6), without num_buffers.
inline constexpr uint8_t kNeedsCsum = 1, kDataValid = 2;
inline constexpr uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoUdp = 3, kGsoTcpV6 = 4, kGsoEcn = 0x80;

struct TxHeader {
  uint8_t flags = 0;
  uint8_t gso_type = kGsoNone;
  uint16_t hdr_len = 0, gso_size = 0, csum_start = 0, csum_offset = 0;
};
TxHeader parse_tx_header(const uint8_t* p);  // 10 bytes, little-endian

// The ones' complement sum of `len` bytes folded to 16 bits (not inverted),
// added to `sum`.
uint32_t sum16(const uint8_t* p, size_t len, uint32_t sum = 0);

// NEEDS_CSUM: the 16 bits at start + offset hold the pseudo-header sum; the
// checksum covers everything from `start` to the end of the frame. False
// when the offsets fall outside the frame.
bool finish_checksum(uint8_t* frame, size_t len, uint16_t start, uint16_t offset);

// A TSO frame (Ethernet, IPv4 or IPv6 without extension headers, TCP): one
// frame per `mss` bytes of payload, each with its own lengths, IPv4 id and
// checksum, sequence number and TCP checksum; FIN and PSH stay on the last
// segment only, CWR on the first only. False (nothing emitted) if the frame
// does not parse or `mss` is 0.
using EmitFrame = std::function<void(const uint8_t* frame, size_t len)>;
bool segment_tcp(const uint8_t* frame, size_t len, uint16_t mss, const EmitFrame& emit);

}  // namespace rwd::net_offload
