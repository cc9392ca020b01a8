// From the X11 keysyms a VNC client sends (RFB KeyEvent) to the Linux evdev
// key codes the guest's keyboard reports, for a US layout.
//
// A keysym names a symbol, not a key: 'A' and 'a' and '!' and '1' come from
// the same keys as on a US keyboard, and the client sends Shift itself, so
// both halves of a shifted pair map to the key that carries them.
#pragma once
#include <cstdint>

namespace rwd {

// The evdev code (linux/input-event-codes.h: KEY_A = 30, ...) of the US key
// that types `keysym`; 0 when no key of a US keyboard has it.
uint16_t keysym_to_evdev(uint32_t keysym);

}  // namespace rwd
