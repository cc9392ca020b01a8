#include "ui/vnc_input.h"

#include <algorithm>

#include "ui/vnc_keymap.h"

namespace rwd {
namespace {

constexpr int kRfbButtons = 5;  // left, middle, right, wheel up, wheel down

int32_t scale_axis(int pos, int size) {
  if (size <= 1) return 0;
  pos = std::clamp(pos, 0, size - 1);
  return static_cast<int32_t>(static_cast<int64_t>(pos) * kInputAbsMax / (size - 1));
}

}  // namespace

std::vector<InputEvent> VncInputMapper::key(bool down, uint32_t keysym) {
  uint16_t code = keysym_to_evdev(keysym);
  if (!code) return {};
  if (down) keys_down_.insert(code);
  else keys_down_.erase(code);
  return {{InputEvent::kKey, code, down ? 1 : 0}};
}

std::vector<InputEvent> VncInputMapper::pointer(uint8_t mask, int x, int y, int width, int height, bool absolute) {
  std::vector<InputEvent> batch;
  bool moved = !have_position_ || x != last_x_ || y != last_y_;
  if (absolute && moved) {
    batch.push_back({InputEvent::kAbs, kAxisX, scale_axis(x, width)});
    batch.push_back({InputEvent::kAbs, kAxisY, scale_axis(y, height)});
  } else if (!absolute && moved && have_position_) {
    if (x != last_x_) batch.push_back({InputEvent::kRel, kAxisX, x - last_x_});
    if (y != last_y_) batch.push_back({InputEvent::kRel, kAxisY, y - last_y_});
  }
  have_position_ = true;
  last_x_ = x;
  last_y_ = y;
  for (int b = 0; b < kRfbButtons; ++b) {
    bool now = mask >> b & 1, before = buttons_ >> b & 1;
    if (now != before) batch.push_back({InputEvent::kButton, static_cast<uint16_t>(b), now ? 1 : 0});
  }
  buttons_ = mask & ((1u << kRfbButtons) - 1);
  return batch;
}

std::vector<InputEvent> VncInputMapper::release_all() {
  std::vector<InputEvent> batch;
  for (uint16_t code : keys_down_) batch.push_back({InputEvent::kKey, code, 0});
  for (int b = 0; b < kRfbButtons; ++b)
    if (buttons_ >> b & 1) batch.push_back({InputEvent::kButton, static_cast<uint16_t>(b), 0});
  keys_down_.clear();
  buttons_ = 0;
  return batch;
}

}  // namespace rwd
