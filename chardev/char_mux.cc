#include "chardev/char_mux.h"

namespace rwd {

class MuxChardev::Port : public CharBackend {
 public:
  explicit Port(MuxChardev& mux) : mux_(mux) {}
  void write(const uint8_t* data, size_t len) override { mux_.backend_.write(data, len); }
  void flush() override { mux_.backend_.flush(); }
  bool pump() override {
    bool moved = mux_.backend_.pump();
    return deliver_queued() || moved;
  }
  bool is_open() const override { return mux_.ports_[mux_.focus_].get() == this && mux_.backend_.is_open(); }
  bool deliver_queued() {
    size_t n = deliver(reinterpret_cast<const uint8_t*>(queue_.data()), queue_.size());
    queue_.erase(0, n);
    return n > 0;
  }
  void event(CharEvent e) { notify(e); }
  bool input_pending() const override { return !queue_.empty(); }

  MuxChardev& mux_;
  std::string queue_;  // input taken from the backend, not yet by the frontend
};

MuxChardev::MuxChardev(CharBackend& backend) : backend_(backend) { backend_.set_frontend(this); }

MuxChardev::~MuxChardev() { backend_.set_frontend(nullptr); }

void MuxChardev::char_event(CharEvent e) {
  if (!ports_.empty()) ports_[focus_]->event(e);
}

CharBackend* MuxChardev::add_frontend() {
  ports_.push_back(std::make_unique<Port>(*this));
  ports_.back()->on_service_request = [this] {
    if (backend_.on_service_request) backend_.on_service_request();
  };
  return ports_.back().get();
}

void MuxChardev::set_focus(size_t index) {
  if (index >= ports_.size() || index == focus_) return;
  ports_[focus_]->event(CharEvent::kFocusOut);
  focus_ = index;
  if (backend_.is_open()) ports_[focus_]->event(CharEvent::kFocusIn);
}

size_t MuxChardev::can_accept() const {
  if (ports_.empty()) return kQueueLimit;  // nobody listens: input is dropped
  size_t used = ports_[focus_]->queue_.size();
  return used >= kQueueLimit ? 0 : kQueueLimit - used;
}

void MuxChardev::receive(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    uint8_t c = data[i];
    if (escape_) {
      escape_ = false;
      if (c != kEscape) {
        handle_escape(c);
        continue;
      }
    } else if (c == kEscape) {
      escape_ = true;
      continue;
    }
    if (!ports_.empty()) ports_[focus_]->queue_.push_back(static_cast<char>(c));
  }
  if (!ports_.empty()) ports_[focus_]->deliver_queued();
}

void MuxChardev::handle_escape(uint8_t c) {
  switch (c) {
    case 'h':
    case '?':
      say("\r\n"
          "C-a h    print this help\r\n"
          "C-a x    exit emulator\r\n"
          "C-a s    save disk data back to file (if -snapshot)\r\n"
          "C-a t    toggle console timestamps\r\n"
          "C-a b    send break (magic sysrq)\r\n"
          "C-a c    switch between console and monitor\r\n"
          "C-a C-a  sends C-a\r\n");
      break;
    case 'x':
      say("rewind: Terminated\r\n");
      backend_.flush();
      if (on_quit) on_quit();
      break;
    case 's': say("\r\nrewind: no -snapshot disks to write back\r\n"); break;
    case 't': say("\r\nrewind: console timestamps are not supported\r\n"); break;
    case 'b': break;  // no break condition on our UART
    case 'c': set_focus((focus_ + 1) % (ports_.empty() ? 1 : ports_.size())); break;
    default: break;  // unknown keys after C-a are swallowed, as in QEMU
  }
}

}  // namespace rwd
