#include "hw/virtio/virtio_net.h"

#include <cstdio>
#include <cstring>

#include "hw/virtio/net_offload.h"

namespace rwd {

namespace {

// Feature bits (5.1.3).
constexpr uint64_t kFCsum = 1ull << 0, kFGuestCsum = 1ull << 1, kFMtu = 1ull << 3, kFMac = 1ull << 5,
                   kFHostTso4 = 1ull << 11, kFHostTso6 = 1ull << 12, kFMrgRxbuf = 1ull << 15,
                   kFStatus = 1ull << 16;
constexpr uint16_t kStatusLinkUp = 1;
constexpr unsigned kRx = 0, kTx = 1;
constexpr size_t kMinFrame = 14;  // an Ethernet header
constexpr size_t kMaxTsoFrame = 14 + 4 + 65535;  // Ethernet (+ 802.1Q) and the largest IP packet
constexpr size_t kMtuFrame = 14 + 4 + VirtioNet::kMtu;  // Ethernet (+ 802.1Q) and an MTU-sized packet

}  // namespace

VirtioNet::VirtioNet(Netdev* link, Mac mac) : link_(link), mac_(mac) {
  if (link_) link_->set_frontend(this);
}

VirtioNet::~VirtioNet() {
  if (link_) link_->set_frontend(nullptr);
}

// Transmit offloads (partial checksums, TCP segmentation) and "checksums
// already checked" on receive: the guest leaves that work to the host, which
// does it natively (net_offload.h). No receive segmentation offloads: the
// backends hand over MTU-sized frames.
uint64_t VirtioNet::features() const {
  return kFCsum | kFGuestCsum | kFHostTso4 | kFHostTso6 | kFMrgRxbuf | kFMtu | kFMac | kFStatus;
}

uint8_t VirtioNet::config_read(uint32_t offset) {
  uint8_t c[12] = {};
  std::memcpy(c, mac_.data(), 6);
  c[6] = kStatusLinkUp;  // status, le16
  c[8] = 1;              // max_virtqueue_pairs, le16
  c[10] = kMtu & 0xff;   // mtu, le16
  c[11] = kMtu >> 8;
  return offset < sizeof c ? c[offset] : 0;
}

void VirtioNet::notify(unsigned queue, VirtQueue& q) {
  if (queue == kTx) transmit(q);
  else if (queue == kRx && link_) link_->kick();  // buffers posted: waiting frames may come in
}

void VirtioNet::transmit(VirtQueue& q) {
  VirtqElement e;
  Frame buf;
  const bool tso = features_ & (kFHostTso4 | kFHostTso6);
  const uint64_t max_total = kHeader + (tso ? kMaxTsoFrame : kMaxFrame);
  while (q.pop(e) == VirtQueue::Pop::kElement) {
    uint64_t total = e.out_bytes();
    if (total >= kHeader + kMinFrame && total <= max_total) {
      buf.resize(total);
      uint64_t got = q.copy_from_guest(e, 0, buf.data(), total);
      if (got == total && link_) send(buf.data(), total);
    }
    q.push(e, 0);
  }
}

// One request: the header, then the frame (or a TSO super-frame).
void VirtioNet::send(uint8_t* buf, size_t total) {
  using namespace net_offload;
  const TxHeader h = parse_tx_header(buf);
  uint8_t* frame = buf + kHeader;
  const size_t len = total - kHeader;
  const uint8_t gso = h.gso_type & ~kGsoEcn;
  if (gso != kGsoNone) {
    const bool allowed = (gso == kGsoTcpV4 && (features_ & kFHostTso4)) || (gso == kGsoTcpV6 && (features_ & kFHostTso6));
    if (allowed) segment_tcp(frame, len, h.gso_size, [this](const uint8_t* f, size_t n) { link_->from_guest(f, n); });
    return;  // a segmentation the guest was not offered, or a frame that does not parse: dropped
  }
  if (len > kMaxFrame) return;
  if ((h.flags & kNeedsCsum) && (features_ & kFCsum) && !finish_checksum(frame, len, h.csum_start, h.csum_offset))
    return;
  link_->from_guest(frame, len);
}

bool VirtioNet::can_take_frame() {
  VirtQueue* q = queue_host() ? queue_host()->live_queue(kRx) : nullptr;
  if (!q) return false;
  if (!(features_ & kFMrgRxbuf)) return q->has_available();
  // Room for a full-size frame of the MTU the device advertises (a look:
  // the buffers stay posted). A larger one (a socket peer's) that finds too
  // little room is dropped by take_merged.
  std::vector<VirtqElement> bufs;
  bool room = pop_rx(*q, kHeader + kMtuFrame, bufs) >= kHeader + kMtuFrame;
  q->unpop(static_cast<uint16_t>(bufs.size()));
  return room;
}

uint64_t VirtioNet::pop_rx(VirtQueue& q, uint64_t need, std::vector<VirtqElement>& bufs) {
  uint64_t room = 0;
  VirtqElement e;
  while (room < need && q.pop(e) == VirtQueue::Pop::kElement) {
    room += e.in_bytes();
    bufs.push_back(std::move(e));
  }
  return room;
}

void VirtioNet::write_rx_header(const VirtqElement& first, uint16_t num_buffers) {
  uint8_t hdr[kHeader] = {};
  if (features_ & kFGuestCsum) hdr[0] = net_offload::kDataValid;  // backends deliver correct checksums
  hdr[10] = static_cast<uint8_t>(num_buffers);  // le16
  hdr[11] = static_cast<uint8_t>(num_buffers >> 8);
  queue_host()->copy_to_guest(kRx, first, 0, hdr, kHeader);
}

void VirtioNet::take_merged(VirtQueue& q, const uint8_t* data, size_t len) {
  std::vector<VirtqElement> bufs;
  if (pop_rx(q, kHeader + len, bufs) < kHeader + len || bufs[0].in_bytes() < kHeader) {
    // Too little posted (a replayed frame the guest had no room for) or a
    // first buffer without room for the header: dropped, the buffers stay.
    q.unpop(static_cast<uint16_t>(bufs.size()));
    ++rx_dropped_;
    return;
  }
  write_rx_header(bufs[0], static_cast<uint16_t>(bufs.size()));  // at most the ring's 256
  uint64_t at = 0;  // bytes of the frame placed
  for (size_t i = 0; i < bufs.size(); ++i) {
    uint64_t skip = i == 0 ? kHeader : 0;
    uint64_t n = queue_host()->copy_to_guest(kRx, bufs[i], skip, data + at, len - at);
    at += n;
    // Every buffer is published before the guest runs again (it only runs
    // between service steps), so the driver finds all num_buffers of them.
    queue_host()->complete(kRx, bufs[i], skip + n);
  }
  if (at < len) ++rx_dropped_;  // a buffer refused writes (outside RAM): the frame is cut
}

void VirtioNet::take_frame(const uint8_t* data, size_t len) {
  VirtQueue* q = queue_host() ? queue_host()->live_queue(kRx) : nullptr;
  if (q && (features_ & kFMrgRxbuf)) return take_merged(*q, data, len);
  VirtqElement e;
  if (!q || q->pop(e) != VirtQueue::Pop::kElement) {
    ++rx_dropped_;
    return;
  }
  if (e.in_bytes() < kHeader) {  // no room for the header: the buffer goes back empty
    ++rx_dropped_;
    queue_host()->complete(kRx, e, 0);
    return;
  }
  write_rx_header(e, 1);
  uint64_t n = queue_host()->copy_to_guest(kRx, e, kHeader, data, len);  // truncated if the buffer is short
  if (n < len) ++rx_dropped_;
  queue_host()->complete(kRx, e, kHeader + n);
}

std::string VirtioNet::info() const {
  char mac[32];
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", mac_[0], mac_[1], mac_[2], mac_[3], mac_[4], mac_[5]);
  return std::string("virtio-net-device: model=virtio-net-device,macaddr=") + mac;
}

void VirtioNet::save(ByteWriter& w) const {
  w.section("virtio_net");
  w.bytes(mac_.data(), mac_.size());
}

void VirtioNet::load(ByteReader& r) {
  r.expect_section("virtio_net");
  Mac m;
  r.bytes(m.data(), m.size());
  if (m != mac_) throw DecodeError("virtio-net: saved with another MAC address");
}

bool VirtioNet::parse_mac(const std::string& text, Mac& out) {
  unsigned b[6];
  int n = 0;
  if (std::sscanf(text.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%n", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &n) != 6 ||
      static_cast<size_t>(n) != text.size() || text.size() != 17)
    return false;
  for (int i = 0; i < 6; ++i) out[i] = static_cast<uint8_t>(b[i]);
  return !(out[0] & 1);
}

}  // namespace rwd
