// The host side of a character device (serial console, monitor): bytes out
// to the host, bytes in from the host. Frontends (the UART, the monitor) talk
// only to this interface.
//
// Input runs down an explicit chain: the backend, then its filters ordered by
// stage (the replay tap), then the frontend. Frontend and filters may join in
// any order; the chain is always the same. A mux (char_mux.h) is the frontend
// of the backend it shares and hands each of its frontends a backend of its
// own, with a chain of its own.
//
// Input reaches the chain only from the host loop (HostLoop::iterate or
// pump(), both called by the run loop between CPU slices): never from another
// thread, never in the middle of guest code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rwd {

// A backend that cannot be created: a one-line message for the user.
struct ChardevError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// kOpened/kClosed: a peer came or went (a socket client). kFocusIn/kFocusOut:
// a mux gave its input to this frontend or took it away (C-a c).
enum class CharEvent { kOpened, kClosed, kFocusIn, kFocusOut };

// A stage of an input chain that takes bytes: a filter or the frontend.
class CharReceiver {
 public:
  virtual ~CharReceiver() = default;
  // How many bytes it takes now (0 holds input back in the backend).
  virtual size_t can_receive() = 0;
  virtual void receive(const uint8_t* data, size_t len) = 0;
  virtual void char_event(CharEvent) {}
};

// A stage between a backend and its frontend.
class CharFilter : public CharReceiver {
 public:
  // Lower stages sit nearer the backend.
  enum Stage : int { kReplayTap = 100 };
  explicit CharFilter(int stage) : stage_(stage) {}
  int stage() const { return stage_; }

  size_t can_receive() override { return next_ ? next_->can_receive() : 0; }
  void receive(const uint8_t* data, size_t len) override {
    if (next_) next_->receive(data, len);
  }
  void char_event(CharEvent e) override {
    if (next_) next_->char_event(e);
  }

 protected:
  CharReceiver* next() const { return next_; }

 private:
  friend class CharBackend;
  int stage_;
  CharReceiver* next_ = nullptr;
};

class CharBackend {
 public:
  virtual ~CharBackend() = default;
  // Queues output; never blocks on a slow reader unless QEMU would (stdio,
  // file and pipe block once the bounded buffer is full; sockets and ptys
  // drop output nobody reads).
  virtual void write(const uint8_t* data, size_t len) = 0;
  void write(const std::string& s) { write(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  // Pushes queued output as far as the host takes it without blocking.
  virtual void flush() {}
  // Hands input that the chain refused earlier (flow control) to it again.
  // Returns true when some input moved.
  virtual bool pump() { return false; }
  // True while a peer is there to talk to (a socket client, the mux focus).
  virtual bool is_open() const { return true; }

  // The input chain. One frontend (nullptr detaches it); any number of filters.
  void set_frontend(CharReceiver* frontend);
  void add_filter(CharFilter* filter);
  void remove_filter(CharFilter* filter);

  // The frontend made room (the guest read a byte): input held back should
  // move at the next point between CPU slices, not at the next host poll.
  void frontend_ready() {
    if (input_pending() && on_service_request) on_service_request();
  }
  // Asks the run loop for a host service step soon (set by the registry).
  std::function<void()> on_service_request;
  // Replay navigation: true while the guest's output was shown already
  // (re-executed after a seek back); frontends drop it then. Unset: never.
  std::function<bool()> output_replayed;
  bool output_wanted() const { return !output_replayed || !output_replayed(); }

 protected:
  // Gives the chain as much of [data, data+len) as it accepts; returns the count taken.
  size_t deliver(const uint8_t* data, size_t len);
  void notify(CharEvent e) {
    if (CharReceiver* head = chain_head()) head->char_event(e);
  }
  // Input read from the host that the chain has not taken yet.
  virtual bool input_pending() const { return false; }

 private:
  CharReceiver* chain_head() const;
  void relink();
  CharReceiver* frontend_ = nullptr;
  std::vector<CharFilter*> filters_;  // by stage
};

// -chardev null: output vanishes, no input.
class NullChardev : public CharBackend {
 public:
  void write(const uint8_t*, size_t) override {}
};

}  // namespace rwd
