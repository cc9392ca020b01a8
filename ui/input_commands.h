// The monitor's input commands, behind HMP (sendkey, mouse_move,
// mouse_button, info mice) and QMP (send-key, input-send-event): they turn
// QEMU's arguments into batches for the machine's InputRouter. One object a
// machine, since the held mouse buttons are the machine's (as QEMU keeps
// them for every monitor).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ui/input.h"

namespace rwd {

class InputCommands {
 public:
  // Runs a callback once after `ms` of host time (sendkey's release).
  using HostTimer = std::function<void(unsigned ms, std::function<void()>)>;
  static constexpr unsigned kDefaultHoldMs = 100;

  InputCommands(InputRouter& router, HostTimer timer) : router_(router), timer_(std::move(timer)) {}

  // A key as QEMU names it: a qcode ("ctrl", "a", "kp_enter") or a number
  // ("0x1d", QEMU's numeric form). False when it names no key.
  static bool parse_key(const std::string& name, uint16_t& linux_code);

  // Presses `keys` in order (one batch), then releases them in reverse
  // order `hold_ms` later (another batch).
  void send_keys(const std::vector<uint16_t>& keys, unsigned hold_ms);
  // HMP mouse_move: relative motion, then one wheel notch per non-zero dz
  // (dz > 0 up), as QEMU.
  void mouse_move(int32_t dx, int32_t dy, int32_t dz);
  // HMP mouse_button: the new mask (1 left, 2 right, 4 middle: QEMU's bits,
  // whatever its help text says); only the changes are sent.
  void mouse_button(uint32_t mask);
  // QMP input-send-event: one batch as given.
  void send(const std::vector<InputEvent>& batch) { router_.send(batch); }

  // HMP: `w` is the command line's words (w[0] the command). Returns the
  // text to print (QEMU's messages for bad arguments).
  std::string hmp(const std::vector<std::string>& w);
  // HMP info mice.
  std::string info_mice() const;

 private:
  std::string hmp_sendkey(const std::vector<std::string>& w);

  InputRouter& router_;
  HostTimer timer_;
  uint32_t buttons_ = 0;
};

}  // namespace rwd
