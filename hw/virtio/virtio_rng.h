// virtio-rng (virtio 1.x, 5.4: device ID 4, one request queue, no config
// space, no feature bits): the driver posts device-writable buffers and the
// device fills them with entropy.
//
// Every byte comes from the HostEntropy the board hands in, asked for while
// the guest's QueueNotify write is being handled, in request order: the
// bytes the guest sees are a pure function of that interface's answers,
// which is what lets record/replay log and replay them.
#pragma once
#include "hw/virtio/virtio_device.h"
#include "util/host_entropy.h"

namespace rwd {

class VirtioRng : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueSize = 8;  // as QEMU's virtio-rng
  // A request gets at most this much (the device may fill less than the
  // buffer, 5.4.6.1), so one huge buffer cannot stall the guest's write.
  static constexpr uint64_t kMaxRequestBytes = 64 * 1024;

  explicit VirtioRng(HostEntropy& entropy) : entropy_(entropy) {}

  std::string name() const override { return "virtio-rng-device"; }
  uint32_t device_id() const override { return virtio::kIdEntropy; }
  unsigned queue_count() const override { return 1; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  void notify(unsigned queue, VirtQueue& q) override;
  void save(ByteWriter& w) const override { w.section("virtio_rng"); }
  void load(ByteReader& r) override { r.expect_section("virtio_rng"); }

 private:
  HostEntropy& entropy_;
};

}  // namespace rwd
