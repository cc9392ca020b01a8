// virtio-net (virtio 1.x, 5.1: device ID 1): one receive queue, one
// transmit queue, a MAC address, link status and MTU in the configuration
// space. Offloads: transmit checksums and TCP segmentation are done on the
// host (net_offload.h); received frames are marked as checksum-checked.
// Mergeable receive buffers (VIRTIO_NET_F_MRG_RXBUF, as QEMU offers by
// default): a frame may span several posted buffers, num_buffers in its
// header says how many; it is taken only when the posted buffers hold it.
//
// Frames reach it through its netdev (net/netdev.h) only when
// can_take_frame() says a receive buffer is posted; when the guest posts
// none, frames wait on the host side (bounded). Frames the guest sends go to
// the netdev at once, from the guest's QueueNotify write. Everything it
// reads from descriptors is untrusted: a buffer too small for the header is
// returned empty, a too short frame is dropped, nothing is read past a
// request's buffers.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "hw/virtio/virtio_device.h"
#include "net/netdev.h"

namespace rwd {

class VirtioNet : public VirtioDevice, public NetFrontend {
 public:
  static constexpr uint16_t kQueueSize = 256;
  static constexpr uint16_t kMtu = 1500;
  static constexpr size_t kHeader = 12;  // struct virtio_net_hdr with num_buffers (VERSION_1)
  using Mac = std::array<uint8_t, 6>;

  // `link` may be null (no netdev: the NIC sees no frames, its sends vanish).
  VirtioNet(Netdev* link, Mac mac);
  ~VirtioNet() override;

  // VirtioDevice
  std::string name() const override { return "virtio-net-device"; }
  uint32_t device_id() const override { return 1; }
  uint64_t features() const override;
  unsigned queue_count() const override { return 2; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 12; }
  uint8_t config_read(uint32_t offset) override;
  void notify(unsigned queue, VirtQueue& q) override;
  void set_features(uint64_t accepted) override { features_ = accepted; }
  void reset() override { features_ = 0; }
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // NetFrontend
  bool can_take_frame() override;
  void take_frame(const uint8_t* data, size_t len) override;
  std::string info() const override;

  // "52:54:00:12:34:56" -> bytes; false if malformed or multicast.
  static bool parse_mac(const std::string& text, Mac& out);

 private:
  void transmit(VirtQueue& q);
  // Takes receive buffers until they hold `need` bytes or the ring runs
  // dry; returns the bytes they hold.
  uint64_t pop_rx(VirtQueue& q, uint64_t need, std::vector<VirtqElement>& bufs);
  void take_merged(VirtQueue& q, const uint8_t* data, size_t len);
  // A received frame's header into its first buffer.
  void write_rx_header(const VirtqElement& first, uint16_t num_buffers);
  void send(uint8_t* buf, size_t total);

  Netdev* link_;
  Mac mac_;
  uint64_t rx_dropped_ = 0;
  uint64_t features_ = 0;  // accepted by the driver (the transport restores it on load)
};

}  // namespace rwd
