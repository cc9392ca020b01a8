#include "ui/input.h"

#include "util/byte_codec.h"

namespace rwd {

InputRouter::InputRouter() = default;
InputRouter::~InputRouter() = default;

void InputRouter::add_handler(InputHandler* h) { handlers_.push_back(h); }

void InputRouter::attach(InputPath& path) { channel_ = path.open(EventKind::kInputEvents, 0, *this); }

bool InputRouter::live() const { return !channel_ || channel_->live(); }

void InputRouter::send(const std::vector<InputEvent>& batch) {
  if (batch.empty()) return;
  if (!channel_) return deliver(batch);
  std::vector<uint8_t> bytes = encode(batch);
  channel_->submit(bytes.data(), bytes.size());
}

bool InputRouter::pointer_absolute() const {
  for (InputHandler* h : handlers_) {
    unsigned t = h->input_types();
    if (t & InputEvent::bit(InputEvent::kAbs)) return true;
    if (t & InputEvent::bit(InputEvent::kRel)) return false;
  }
  return false;
}

void InputRouter::receive_input(const uint8_t* data, size_t len) {
  std::vector<InputEvent> batch;
  if (!decode(data, len, batch)) throw InputMismatch("recorded input events are malformed");
  deliver(batch);
}

void InputRouter::deliver(const std::vector<InputEvent>& batch) {
  std::vector<InputHandler*> touched;
  for (const InputEvent& e : batch) {
    for (InputHandler* h : handlers_) {
      if (!(h->input_types() & InputEvent::bit(e.type))) continue;
      h->input_event(e);
      bool seen = false;
      for (InputHandler* t : touched) seen |= t == h;
      if (!seen) touched.push_back(h);
      break;
    }
  }
  for (InputHandler* h : touched) h->input_sync();
}

std::vector<uint8_t> InputRouter::encode(const std::vector<InputEvent>& batch) {
  ByteWriter w;
  for (const InputEvent& e : batch) {
    w.u8(e.type);
    w.u8(static_cast<uint8_t>(e.code));
    w.u8(static_cast<uint8_t>(e.code >> 8));
    w.u32(static_cast<uint32_t>(e.value));
  }
  return w.data();
}

std::string InputRouter::describe(const std::vector<InputEvent>& batch) {
  static const char* const kButtons[] = {"left", "middle", "right", "wheel-up", "wheel-down", "side", "extra"};
  std::string out;
  for (const InputEvent& e : batch) {
    if (!out.empty()) out += ", ";
    const char* axis = e.code == kAxisX ? "x" : e.code == kAxisY ? "y" : "?";
    switch (e.type) {
      case InputEvent::kKey: out += "key " + std::to_string(e.code) + (e.value ? " down" : " up"); break;
      case InputEvent::kButton:
        out += std::string("btn ") + (e.code < kButtonCount ? kButtons[e.code] : "?") + (e.value ? " down" : " up");
        break;
      case InputEvent::kRel: out += std::string("rel ") + axis + " " + std::to_string(e.value); break;
      case InputEvent::kAbs: out += std::string("abs ") + axis + " " + std::to_string(e.value); break;
    }
  }
  return out;
}

bool InputRouter::decode(const uint8_t* data, size_t len, std::vector<InputEvent>& out) {
  constexpr size_t kSize = 7;
  if (len % kSize) return false;
  out.clear();
  for (size_t i = 0; i < len; i += kSize) {
    const uint8_t* p = data + i;
    InputEvent e;
    if (p[0] < InputEvent::kKey || p[0] > InputEvent::kAbs) return false;
    e.type = static_cast<InputEvent::Type>(p[0]);
    e.code = static_cast<uint16_t>(p[1] | p[2] << 8);
    e.value = static_cast<int32_t>(p[3] | p[4] << 8 | p[5] << 16 | static_cast<uint32_t>(p[6]) << 24);
    out.push_back(e);
  }
  return true;
}

}  // namespace rwd
