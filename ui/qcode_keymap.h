// QEMU's key names (the QKeyCode "qcodes" of sendkey and QMP send-key) and
// its numeric key codes, translated to the Linux evdev key codes the guest's
// input devices report. One table serves the monitor, QMP and the virtio
// keyboard's advertised keys (it advertises every key of the table).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rwd {

struct QcodeKey {
  const char* name;  // e.g. "ctrl", "bracket_left", "kp_enter"
  uint16_t linux_code;
};

// Every qcode rewind knows, in QEMU's QKeyCode order.
const std::vector<QcodeKey>& qcode_keys();

// The evdev code of a qcode name (case-sensitive, as QEMU), or 0.
uint16_t qcode_to_linux(const std::string& name);

// QEMU's numeric key codes ("sendkey 0x1e", QMP {"type":"number"}): PC
// scancode set 1, with 0x80 added for the 0xe0-prefixed keys. Returns the
// evdev code, or 0 for a number that names no key.
uint16_t qnum_to_linux(uint32_t qnum);

}  // namespace rwd
