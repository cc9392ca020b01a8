// The human monitor (HMP) on a character backend: QEMU's banner and
// "(qemu) " prompt (users' expect scripts look for it), a line editor
// (backspace, ^U, ^C; escape sequences are ignored), and the commands help,
// info status|registers|mtree|qtree|replay|snapshots, x, xp, stop, cont|c,
// savevm, loadvm, delvm,
// system_reset, quit|q. Each command answers in text; bad commands and bad
// arguments get one line, never a crash.
#pragma once
#include <string>
#include <vector>

#include "chardev/char_backend.h"
#include "monitor/memory_dump.h"
#include "monitor/monitor_target.h"

namespace rwd {

class Hmp : private CharReceiver {
 public:
  static constexpr const char* kPrompt = "(qemu) ";
  Hmp(CharBackend& chr, MonitorTarget& target);
  ~Hmp() override;
  Hmp(const Hmp&) = delete;
  Hmp& operator=(const Hmp&) = delete;

  // Runs one command line and returns what it prints ("\n" line ends).
  std::string execute(const std::string& line);
  // Host input, as the backend delivers it (public for tests).
  void input(const uint8_t* data, size_t len);
  static std::string banner();

 private:
  size_t can_receive() override { return 4096; }
  void receive(const uint8_t* data, size_t len) override { input(data, len); }
  void char_event(CharEvent e) override;
  void print(const std::string& text);  // "\n" becomes "\r\n", as QEMU sends it
  void input_byte(uint8_t c);
  std::string info(const std::string& what);
  std::string memory(bool physical, const std::string& args);
  std::string snapshot_command(const std::string& cmd, const std::vector<std::string>& words);
  std::string screendump(const std::vector<std::string>& words);

  CharBackend& chr_;
  MonitorTarget& target_;
  std::string line_;
  bool banner_done_ = false;
  bool after_cr_ = false;
  int escape_ = 0;  // 0: none, 1: after ESC, 2: inside ESC [ ... sequence
  DumpFormat last_format_;
};

}  // namespace rwd
