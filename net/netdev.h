// One network connection of the machine (a -netdev): the host-side backend
// (user networking, a socket, nothing on replay), the filters the user put on
// it (-object filter-*,netdev=ID), in command-line order, and the NIC that
// uses it (-device virtio-net-device,netdev=ID).
//
// Frames towards the guest run the filters first to last, then reach the
// NIC; frames from the guest run them last to first, then reach the backend
// (QEMU's order). A frame goes towards the guest only when the NIC can take
// it now (the guest has posted a receive buffer): until then it waits in a
// bounded host-side queue, which drops new frames when full (the guest's TCP
// retransmits). The queue is not guest state: whatever reaches the guest was
// taken by the NIC at one instruction count, which is what filter-replay
// (net/filter_replay.h) pins in a recording.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace rwd {

class HostLoop;
class Netdev;

using Frame = std::vector<uint8_t>;

// The largest frame either side passes on (an Ethernet frame with a 64 KiB
// payload); larger ones are dropped.
inline constexpr size_t kMaxFrame = 65536 + 14;

// The host side of a netdev.
class NetBackend {
 public:
  virtual ~NetBackend() = default;
  virtual std::string type() const = 0;
  // A frame the guest sent.
  virtual void receive(const uint8_t* data, size_t len) = 0;
  // `info network`'s description ("user,net=10.0.2.0,...").
  virtual std::string info() const = 0;
  // The guest made room: backends holding frames back may send them now.
  virtual void guest_ready() {}

  void set_link(Netdev* link) { link_ = link; }

 protected:
  // Hands a frame to the guest side (through the filters and the queue).
  void to_guest(const uint8_t* data, size_t len);
  Netdev* link() const { return link_; }

 private:
  Netdev* link_ = nullptr;
};

// The guest side: a NIC.
class NetFrontend {
 public:
  virtual ~NetFrontend() = default;
  // Whether the guest can take one whole frame now.
  virtual bool can_take_frame() = 0;
  // A frame for the guest; called only right after can_take_frame() said yes
  // (a replay's recorded frame may still find no room: it is dropped).
  virtual void take_frame(const uint8_t* data, size_t len) = 0;
  virtual std::string info() const = 0;
};

enum class NetDirection { kToGuest, kFromGuest };

// A filter: sees frames passing, may consume them. `queue=` says which
// directions it sees (QEMU's rx: towards the netdev, i.e. from the guest;
// tx: sent by the netdev, i.e. towards the guest).
class NetFilter {
 public:
  enum class Queue { kAll, kRx, kTx };
  virtual ~NetFilter() = default;
  virtual std::string type() const = 0;
  // True: pass the frame on. False: the filter took it (and may pass it on
  // later itself through Netdev::pass_on).
  virtual bool filter(NetDirection dir, const uint8_t* data, size_t len, size_t position) = 0;
  virtual std::string info() const { return ""; }

  std::string id;
  Queue queue = Queue::kAll;
  bool enabled = true;  // status=on|off
  bool sees(NetDirection d) const {
    if (!enabled) return false;
    if (queue == Queue::kAll) return true;
    return (queue == Queue::kTx) == (d == NetDirection::kToGuest);
  }
};

class Netdev {
 public:
  // Frames waiting for the guest to post buffers, at most.
  static constexpr size_t kQueueFrames = 1024;

  Netdev(std::string id, HostLoop& loop) : id_(std::move(id)), loop_(loop) {}
  const std::string& id() const { return id_; }

  void set_backend(std::unique_ptr<NetBackend> b);
  NetBackend* backend() const { return backend_.get(); }
  // Filters in command-line order; `at_head` for an implicit filter-replay.
  void add_filter(std::unique_ptr<NetFilter> f, bool at_head = false);
  const std::vector<std::unique_ptr<NetFilter>>& filters() const { return filters_; }
  void set_frontend(NetFrontend* nic) { nic_ = nic; }
  NetFrontend* frontend() const { return nic_; }

  // From the backend: queue, or pass towards the guest now.
  void from_backend(const uint8_t* data, size_t len);
  // From the NIC: through the filters (last to first) to the backend.
  void from_guest(const uint8_t* data, size_t len);
  // Continues a frame towards the guest from filter `position` on (a filter
  // that took a frame and hands it on, as filter-replay does).
  void pass_on(const uint8_t* data, size_t len, size_t position);
  // Whether the NIC can take a frame now.
  bool guest_ready() const { return nic_ && nic_->can_take_frame(); }
  // The NIC has room again: send queued frames from the host loop soon.
  void kick();

  size_t queued() const { return queue_.size(); }
  uint64_t dropped() const { return dropped_; }
  std::string info() const;

 private:
  void flush();

  std::string id_;
  HostLoop& loop_;
  std::unique_ptr<NetBackend> backend_;
  std::vector<std::unique_ptr<NetFilter>> filters_;
  NetFrontend* nic_ = nullptr;
  std::deque<Frame> queue_;
  uint64_t dropped_ = 0;
  bool flush_pending_ = false;
  bool in_guest_send_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rwd
