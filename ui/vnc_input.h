// What a VNC client's KeyEvent and PointerEvent messages mean to the guest:
// one batch of InputEvents per RFB message, for the machine's InputRouter.
//
// Keys go through the US keysym map (ui/vnc_keymap.h). The pointer is sent
// as absolute positions scaled to 0..kInputAbsMax when the guest follows a
// tablet, else as relative motion from the previous position; the RFB button
// mask's bits 0..4 (left, middle, right, wheel up, wheel down) are the
// InputButton values 0..4, so a changed bit is a kButton event of that code.
#pragma once
#include <cstdint>
#include <set>
#include <vector>

#include "ui/input.h"

namespace rwd {

class VncInputMapper {
 public:
  std::vector<InputEvent> key(bool down, uint32_t keysym);
  // (x, y) on a width x height screen; `absolute`: the guest has a tablet.
  std::vector<InputEvent> pointer(uint8_t mask, int x, int y, int width, int height, bool absolute);
  // Releases every key and button still held (the last client left: the
  // guest must not see a key stuck down).
  std::vector<InputEvent> release_all();

 private:
  std::set<uint16_t> keys_down_;
  uint8_t buttons_ = 0;
  bool have_position_ = false;
  int last_x_ = 0, last_y_ = 0;
};

}  // namespace rwd
