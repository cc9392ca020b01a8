#include "ui/input_commands.h"

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "ui/qcode_keymap.h"

namespace rwd {

namespace {

std::string try_help(const std::string& cmd) { return "Try \"help " + cmd + "\" for more information\n"; }

// QEMU's HMP integer argument: a number (decimal, 0x hex, 0 octal), with its
// messages for the usual mistakes. Returns "" or the complaint.
std::string parse_int(const std::string& cmd, const std::string& text, int64_t& out) {
  const char* s = text.c_str();
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s, &end, 0);
  if (end == s) {
    if (*s == '\0') return "unexpected end of expression\n" + try_help(cmd);
    return std::string("invalid char '") + *s + "' in expression\n" + try_help(cmd);
  }
  if (*end) return std::string("invalid char '") + *end + "' in expression\n" + try_help(cmd);
  if (errno || v < INT32_MIN || v > UINT32_MAX) return "integer is for 32-bit values\n" + try_help(cmd);
  out = v;
  return "";
}

}  // namespace

bool InputCommands::parse_key(const std::string& name, uint16_t& linux_code) {
  if (name.size() > 2 && name[0] == '0' && (name[1] == 'x' || name[1] == 'X')) {
    for (size_t i = 2; i < name.size(); ++i)
      if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
    if (name.size() > 10) return false;
    // A number that names no key is taken and ignored, as QEMU does.
    linux_code = qnum_to_linux(static_cast<uint32_t>(std::strtoul(name.c_str(), nullptr, 16)));
    return true;
  }
  linux_code = qcode_to_linux(name);
  return linux_code != 0;
}

void InputCommands::send_keys(const std::vector<uint16_t>& keys, unsigned hold_ms) {
  std::vector<InputEvent> down, up;
  for (uint16_t k : keys)
    if (k) down.push_back({InputEvent::kKey, k, 1});
  for (auto it = down.rbegin(); it != down.rend(); ++it) up.push_back({InputEvent::kKey, it->code, 0});
  if (down.empty()) return;
  router_.send(down);
  InputRouter* router = &router_;
  timer_(hold_ms, [router, up] { router->send(up); });
}

void InputCommands::mouse_move(int32_t dx, int32_t dy, int32_t dz) {
  router_.send({{InputEvent::kRel, kAxisX, dx}, {InputEvent::kRel, kAxisY, dy}});
  if (dz == 0) return;
  uint16_t wheel = dz > 0 ? kButtonWheelUp : kButtonWheelDown;
  router_.send({{InputEvent::kButton, wheel, 1}});
  router_.send({{InputEvent::kButton, wheel, 0}});
}

void InputCommands::mouse_button(uint32_t mask) {
  struct Bit {
    uint32_t bit;
    uint16_t button;
  };
  constexpr Bit kBits[] = {{1, kButtonLeft}, {2, kButtonRight}, {4, kButtonMiddle}};
  std::vector<InputEvent> batch;
  for (const Bit& b : kBits)
    if ((buttons_ ^ mask) & b.bit) batch.push_back({InputEvent::kButton, b.button, (mask & b.bit) ? 1 : 0});
  buttons_ = mask;
  router_.send(batch);
}

std::string InputCommands::hmp_sendkey(const std::vector<std::string>& w) {
  if (w.size() < 2) return "sendkey: string expected\n" + try_help("sendkey");
  if (w.size() > 3) return "sendkey: too many arguments\n" + try_help("sendkey");
  int64_t hold = kDefaultHoldMs;
  if (w.size() == 3) {
    std::string err = parse_int("sendkey", w[2], hold);
    if (!err.empty()) return err;
    if (hold < 0) return "'sendkey' has failed: integer is for 32-bit values\n" + try_help("sendkey");
  }
  std::vector<uint16_t> keys;
  std::string name;
  size_t start = 0;
  // Split on '-' by hand: "ctrl-" and "-a" name an empty key, as in QEMU.
  const std::string& text = w[1];
  while (true) {
    size_t dash = text.find('-', start);
    name = text.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
    uint16_t code = 0;
    if (!parse_key(name, code)) return "invalid parameter: " + name + "\n";
    keys.push_back(code);
    if (dash == std::string::npos) break;
    start = dash + 1;
  }
  send_keys(keys, static_cast<unsigned>(hold));
  return "";
}

std::string InputCommands::hmp(const std::vector<std::string>& w) {
  const std::string& cmd = w.at(0);
  if (cmd == "sendkey") return hmp_sendkey(w);
  if (cmd == "mouse_move") {
    if (w.size() < 3) return "mouse_move: string expected\n" + try_help("mouse_move");
    if (w.size() > 4) return "mouse_move: too many arguments\n" + try_help("mouse_move");
    // As QEMU: the numbers are read as far as they go (garbage reads 0).
    auto num = [](const std::string& s) { return static_cast<int32_t>(std::strtol(s.c_str(), nullptr, 0)); };
    mouse_move(num(w[1]), num(w[2]), w.size() == 4 ? num(w[3]) : 0);
    return "";
  }
  if (cmd == "mouse_button") {
    if (w.size() > 2) return "mouse_button: too many arguments\n" + try_help("mouse_button");
    int64_t mask = 0;
    std::string err = parse_int("mouse_button", w.size() == 2 ? w[1] : "", mask);
    if (!err.empty()) return err;
    mouse_button(static_cast<uint32_t>(mask));
    return "";
  }
  return "unknown command: '" + cmd + "'\n";
}

// As QEMU lists them: the pointers newest first, numbered by registration
// among all input devices (from 1); '*' marks the one that gets motion.
std::string InputCommands::info_mice() const {
  const auto& hs = router_.handlers();
  const unsigned pointer = InputEvent::bit(InputEvent::kRel) | InputEvent::bit(InputEvent::kAbs);
  const InputHandler* current = nullptr;
  for (const InputHandler* h : hs)
    if (h->input_types() & pointer) {
      current = h;
      break;
    }
  std::string out;
  for (size_t i = hs.size(); i-- > 0;) {
    const InputHandler* h = hs[i];
    if (!(h->input_types() & pointer)) continue;
    bool abs = h->input_types() & InputEvent::bit(InputEvent::kAbs);
    out += std::string(h == current ? "*" : " ") + " Mouse #" + std::to_string(i + 1) + ": " + h->input_name() +
           (abs ? " (absolute)" : "") + "\n";
  }
  return out.empty() ? "No mouse devices connected\n" : out;
}

}  // namespace rwd
