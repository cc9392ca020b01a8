// mux=on: one backend shared by several frontends (the serial console and
// the monitor), with QEMU's Ctrl-A keys: C-a c switches the input focus to
// the next frontend, C-a x quits, C-a h prints help, C-a C-a sends a C-a.
// Every frontend's output goes to the backend; input goes to the focus.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chardev/char_backend.h"

namespace rwd {

// The mux is the frontend of the backend it shares (the end of that
// backend's input chain); each of its frontends gets a port, a backend with
// an input chain of its own.
class MuxChardev : private CharReceiver {
 public:
  static constexpr uint8_t kEscape = 0x01;  // C-a
  static constexpr size_t kQueueLimit = 4096;

  explicit MuxChardev(CharBackend& backend);
  ~MuxChardev();
  // A new frontend port. The first one has the focus.
  CharBackend* add_frontend();
  size_t frontends() const { return ports_.size(); }
  size_t focus() const { return focus_; }
  void set_focus(size_t index);
  // C-a x.
  std::function<void()> on_quit;

  // Host input, as the backend delivers it (public for tests).
  void input(const uint8_t* data, size_t len) { receive(data, len); }
  size_t can_accept() const;

 private:
  size_t can_receive() override { return can_accept(); }
  void receive(const uint8_t* data, size_t len) override;
  void char_event(CharEvent e) override;
  class Port;
  void handle_escape(uint8_t c);
  void say(const std::string& text) { backend_.write(text); }

  CharBackend& backend_;
  std::vector<std::unique_ptr<Port>> ports_;
  size_t focus_ = 0;
  bool escape_ = false;
};

}  // namespace rwd
