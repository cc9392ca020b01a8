// The host side of a character device (serial console, monitor): bytes out
// to the host, bytes in from the host. Frontends (the UART, the monitor) talk
// only to this interface.
//
// Input reaches the frontend only through on_input, and only from the host
// loop (HostLoop::iterate or pump(), both called by the machine between CPU
// slices): never from another thread, never in the middle of guest code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace rwd {

// A backend that cannot be created: a one-line message for the user.
struct ChardevError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// kOpened/kClosed: a peer came or went (a socket client). kFocusIn/kFocusOut:
// a mux gave its input to this frontend or took it away (C-a c).
enum class CharEvent { kOpened, kClosed, kFocusIn, kFocusOut };

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
  // Hands input that the frontend refused earlier (flow control) to it again.
  virtual void pump() {}
  // True while a peer is there to talk to (a socket client, the mux focus).
  virtual bool is_open() const { return true; }

  // Set by the frontend. Host input is delivered through on_input, at most
  // can_accept() bytes at a time (0 holds input back).
  std::function<void(const uint8_t* data, size_t len)> on_input;
  std::function<size_t()> can_accept;
  // A peer connected or went away.
  std::function<void(CharEvent)> on_event;

 protected:
  // Gives the frontend as much of [data, data+len) as it accepts; returns the count taken.
  size_t deliver(const uint8_t* data, size_t len) {
    size_t done = 0;
    while (done < len && on_input) {
      size_t room = can_accept ? can_accept() : len - done;
      if (room == 0) break;
      size_t n = room < len - done ? room : len - done;
      on_input(data + done, n);
      done += n;
    }
    return done;
  }
  void notify(CharEvent e) {
    if (on_event) on_event(e);
  }
};

// -chardev null: output vanishes, no input.
class NullChardev : public CharBackend {
 public:
  void write(const uint8_t*, size_t) override {}
};

}  // namespace rwd
