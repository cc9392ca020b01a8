// The HMP monitor with a fake machine: command parsing, answers, x/xp
// formats, line editing, and bad input that must never crash.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "monitor/hmp.h"

namespace rwd {
namespace {

class FakeTarget : public MonitorTarget {
 public:
  FakeTarget() : ram(4096) {
    for (size_t i = 0; i < ram.size(); ++i) ram[i] = static_cast<uint8_t>(i);
    // 0x80000000: auipc t0,0 ; c.nop ; then 0x00000000
    uint32_t auipc = 0x00000297;
    std::memcpy(ram.data(), &auipc, 4);
    uint16_t cnop = 0x0001;
    std::memcpy(ram.data() + 4, &cnop, 2);
  }
  std::string run_state() const override { return state.empty() ? (run ? "running" : "paused") : state; }
  std::string state;  // another run state
  void pause() override { run = false; }
  void resume() override { run = true; }
  std::string request_reset() override {
    ++resets;
    return "";
  }
  void request_quit() override { ++quits; }
  std::string migrate(const std::string& uri) override {
    migrated_to = uri;
    return "";
  }
  std::string migrated_to;
  std::string savevm(const std::string& name) override { return snapshot_calls += "savevm " + name + ";", ""; }
  std::string loadvm(const std::string& name) override { return snapshot_calls += "loadvm " + name + ";", ""; }
  std::string delvm(const std::string& name) override {
    snapshot_calls += "delvm " + name + ";";
    return "delvm: Snapshot '" + name + "' not found\n";
  }
  std::string snapshots_text() override { return "There is no snapshot available.\n"; }
  std::string snapshot_calls;
  std::string registers_text() override { return " pc       0000000080000000\n"; }
  bool read_phys(uint64_t pa, void* buf, size_t len) override {
    if (pa < kBase || pa - kBase + len > ram.size()) return false;
    std::memcpy(buf, ram.data() + (pa - kBase), len);
    return true;
  }
  // Virtual = physical + 0x1000 (so the two are told apart).
  bool read_virt(uint64_t va, void* buf, size_t len) override { return read_phys(va - 0x1000, buf, len); }
  std::string mtree_text() override { return "address-space: memory\n"; }
  std::string qtree_text() override { return "bus: main-system-bus\n"; }
  std::string replay_text() override { return "Record/replay is not active\n"; }
  std::string replay_break(uint64_t icount) override {
    calls += "break " + std::to_string(icount) + ";";
    return "";
  }
  std::string replay_delete_break() override {
    calls += "delete;";
    return "";
  }
  std::string replay_seek(uint64_t icount) override {
    calls += "seek " + std::to_string(icount) + ";";
    return icount > 1000 ? "replay_seek: past the end\n" : "";
  }

  std::string screendump(const std::string& path, const std::string& device, int64_t head, const std::string& format,
                         std::string& error_class) override {
    calls += "screendump " + path + "|" + device + "|" + std::to_string(head) + "|" + format + ";";
    error_class = "DeviceNotFound";
    return device == "nope" ? "Device 'nope' not found\n" : "";
  }

  std::string calls;
  static constexpr uint64_t kBase = 0x80000000;
  std::vector<uint8_t> ram;
  bool run = true;
  int resets = 0, quits = 0;
};

class Chr : public CharBackend {
 public:
  void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
  void type(const std::string& s) { deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  bool is_open() const override { return open; }
  void connect() {
    open = true;
    notify(CharEvent::kOpened);
  }
  std::string out;
  bool open = true;
};

struct HmpTest : ::testing::Test {
  Chr chr;
  FakeTarget t;
  Hmp hmp{chr, t};
};

TEST_F(HmpTest, BannerAndPrompt) {
  EXPECT_EQ(chr.out, "rewind 0.1.0 monitor - type 'help' for more information\r\n(qemu) ");
}

TEST_F(HmpTest, StatusStopContQuitReset) {
  EXPECT_EQ(hmp.execute("info status"), "VM status: running\n");
  EXPECT_EQ(hmp.execute("stop"), "");
  EXPECT_EQ(hmp.execute("info status"), "VM status: paused\n");
  t.state = "shutdown";
  EXPECT_EQ(hmp.execute("info status"), "VM status: paused (shutdown)\n");
  t.state.clear();
  EXPECT_EQ(hmp.execute("  c  "), "");
  EXPECT_TRUE(t.run);
  hmp.execute("stop");
  hmp.execute("cont");
  EXPECT_TRUE(t.run);
  hmp.execute("system_reset");
  EXPECT_EQ(t.resets, 1);
  hmp.execute("q");
  hmp.execute("quit");
  EXPECT_EQ(t.quits, 2);
}

TEST_F(HmpTest, Migrate) {
  EXPECT_EQ(hmp.execute("migrate file:/tmp/x.state"), "");
  EXPECT_EQ(t.migrated_to, "file:/tmp/x.state");
  EXPECT_EQ(hmp.execute("migrate"), "migrate: usage: migrate file:PATH\n");
}

TEST_F(HmpTest, SnapshotCommands) {
  EXPECT_EQ(hmp.execute("savevm first"), "");
  EXPECT_EQ(hmp.execute("savevm"), "");  // the target picks QEMU's vm-DATE name
  EXPECT_EQ(hmp.execute("loadvm first"), "");
  EXPECT_EQ(hmp.execute("delvm gone"), "delvm: Snapshot 'gone' not found\n");
  EXPECT_EQ(t.snapshot_calls, "savevm first;savevm ;loadvm first;delvm gone;");
  EXPECT_EQ(hmp.execute("loadvm"), "loadvm: usage: loadvm tag\n");
  EXPECT_EQ(hmp.execute("delvm"), "delvm: usage: delvm tag\n");
  EXPECT_EQ(hmp.execute("savevm a b"), "savevm: too many arguments\n");
  EXPECT_EQ(hmp.execute("info snapshots"), "There is no snapshot available.\n");
  EXPECT_NE(hmp.execute("help savevm").find("savevm [tag] -- "), std::string::npos);
  EXPECT_NE(hmp.execute("help info").find("info snapshots -- "), std::string::npos);
}

TEST_F(HmpTest, ReplayCommands) {
  EXPECT_EQ(hmp.execute("replay_break 500"), "");
  EXPECT_EQ(hmp.execute("replay_seek 0x10"), "");
  EXPECT_EQ(hmp.execute("replay_seek 2000"), "replay_seek: past the end\n");
  EXPECT_EQ(hmp.execute("replay_delete_break"), "");
  EXPECT_EQ(t.calls, "break 500;seek 16;seek 2000;delete;");
  EXPECT_EQ(hmp.execute("replay_seek"), "replay_seek: usage: replay_seek ICOUNT\n");
  EXPECT_EQ(hmp.execute("replay_break -5"), "replay_break: invalid instruction count '-5'\n");
  EXPECT_EQ(hmp.execute("replay_seek 12x"), "replay_seek: invalid instruction count '12x'\n");
  EXPECT_EQ(hmp.execute("replay_delete_break now"), "replay_delete_break: too many arguments\n");
  EXPECT_EQ(t.calls, "break 500;seek 16;seek 2000;delete;");
  EXPECT_NE(hmp.execute("help replay_seek").find("replay_seek icount"), std::string::npos);
}

TEST_F(HmpTest, InfoCommands) {
  EXPECT_EQ(hmp.execute("info registers"), " pc       0000000080000000\n");
  EXPECT_EQ(hmp.execute("info mtree"), "address-space: memory\n");
  EXPECT_EQ(hmp.execute("info qtree"), "bus: main-system-bus\n");
  EXPECT_EQ(hmp.execute("info replay"), "Record/replay is not active\n");
  EXPECT_NE(hmp.execute("info").find("info status"), std::string::npos);
  EXPECT_EQ(hmp.execute("info bogus"), "info: unknown subcommand 'bogus' (try 'info')\n");
}

TEST_F(HmpTest, HelpAndUnknown) {
  std::string h = hmp.execute("help");
  for (const char* c : {"cont|c", "info", "quit|q", "stop", "system_reset", "x /fmt addr", "xp /fmt addr"})
    EXPECT_NE(h.find(c), std::string::npos) << c;
  EXPECT_EQ(hmp.execute("help stop"), "stop -- stop emulation\n");
  EXPECT_EQ(hmp.execute("frobnicate"), "unknown command: 'frobnicate'\n");
  EXPECT_EQ(hmp.execute("stop now"), "stop: too many arguments\n");
  EXPECT_EQ(hmp.execute(""), "");
}

TEST_F(HmpTest, MemoryDumpFormats) {
  EXPECT_EQ(hmp.execute("xp /4xw 0x80000000"),
            "0000000080000000: 0x00000297 0x07060001 0x0b0a0908 0x0f0e0d0c\n");
  EXPECT_EQ(hmp.execute("xp /2xg 0x80000008"), "0000000080000008: 0x0f0e0d0c0b0a0908 0x1716151413121110\n");
  EXPECT_EQ(hmp.execute("xp /10xb 0x80000010"),
            "0000000080000010: 0x10 0x11 0x12 0x13 0x14 0x15 0x16 0x17\n"
            "0000000080000018: 0x18 0x19\n");
  EXPECT_EQ(hmp.execute("xp /3xh 0x80000020"), "0000000080000020: 0x2120 0x2322 0x2524\n");
  EXPECT_EQ(hmp.execute("xp /2db 0x800000fe"), "00000000800000fe:  -2  -1\n");
  EXPECT_EQ(hmp.execute("xp /2ub 0x800000fe"), "00000000800000fe: 254 255\n");
  EXPECT_EQ(hmp.execute("xp/1dw 0x80000008"), "0000000080000008:  185207048\n");
  // x goes through the (fake) MMU.
  EXPECT_EQ(hmp.execute("x /1xw 0x80001000"), "0000000080001000: 0x00000297\n");
  // The last format is remembered.
  EXPECT_EQ(hmp.execute("xp 0x80000000"), "0000000080000000: 0x00000297\n");
  std::string dis = hmp.execute("xp /2i 0x80000000");
  EXPECT_NE(dis.find("0x0000000080000000:  00000297"), std::string::npos) << dis;
  EXPECT_NE(dis.find("auipc"), std::string::npos) << dis;
  EXPECT_NE(dis.find("0x0000000080000004:  0001"), std::string::npos) << dis;
}

TEST_F(HmpTest, MemoryDumpErrors) {
  EXPECT_EQ(hmp.execute("xp /4xw 0x10"), "0000000000000010:\nCannot access memory\n");
  EXPECT_EQ(hmp.execute("xp /2xw 0x80000ffc"), "0000000080000ffc: 0xfffefdfc\nCannot access memory\n");
  EXPECT_EQ(hmp.execute("xp"), "xp: missing address (xp /fmt addr)\n");
  EXPECT_EQ(hmp.execute("xp /4xw"), "xp: missing address (xp /fmt addr)\n");
  EXPECT_EQ(hmp.execute("x /4q 0x80000000"), "x: invalid char in format: 'q'\n");
  EXPECT_EQ(hmp.execute("x /0x 0x80000000"), "x: count must be from 1 to 65536\n");
  EXPECT_EQ(hmp.execute("x /99999999999999999999x 0"), "x: count must be from 1 to 65536\n");
  EXPECT_EQ(hmp.execute("xp /4xw zork"), "xp: invalid address 'zork'\n");
  EXPECT_EQ(hmp.execute("xp /4xw 0x80000000 7"), "xp: too many arguments\n");
  EXPECT_EQ(hmp.execute("xp 4xw 0x80000000"), "xp: invalid address '4xw'\n");
  EXPECT_EQ(hmp.execute("xp /i 0x10"), "Cannot access memory\n");
}

TEST_F(HmpTest, LineEditing) {
  chr.out.clear();
  chr.type("info stax\x7ftus\r\n");
  EXPECT_EQ(chr.out, "info stax\b \btus\r\nVM status: running\r\n(qemu) ");
  chr.out.clear();
  chr.type("garbage\x15stop\n");  // ^U kills the line
  EXPECT_FALSE(t.run);
  chr.out.clear();
  chr.type("\x1b[Acont\r");  // an arrow key is ignored
  EXPECT_TRUE(t.run);
  chr.type(std::string("\x00\x02\x07", 3));  // control characters: ignored
  chr.out.clear();
  chr.type("\r");
  EXPECT_EQ(chr.out, "\r\n(qemu) ");
  chr.type("\xff\x80\r");  // not a command, and no crash
  EXPECT_NE(chr.out.find("unknown command"), std::string::npos);
}

TEST_F(HmpTest, NewClientGetsBanner) {
  chr.out.clear();
  chr.type("sto");
  chr.connect();  // a new client: fresh line, banner again
  EXPECT_EQ(chr.out, "sto" + std::string("rewind 0.1.0 monitor - type 'help' for more information\r\n(qemu) "));
  chr.type("p\r");
  EXPECT_TRUE(t.run);  // "p" alone is not "stop"
}

// QEMU 7.2's syntax: screendump filename [-f format] [device [head]].
TEST_F(HmpTest, Screendump) {
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm"), "");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.png -f png"), "");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.png -f png gpu0 0"), "");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm gpu0"), "");
  EXPECT_EQ(t.calls, "screendump /tmp/a.ppm||0|;screendump /tmp/a.png||0|png;screendump /tmp/a.png|gpu0|0|png;"
                     "screendump /tmp/a.ppm|gpu0|0|;");
  t.calls.clear();
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm nope"), "Error: Device 'nope' not found\n");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.bmp -f bmp"), "Error: invalid parameter value: bmp\n");
  EXPECT_EQ(hmp.execute("screendump"), "screendump: usage: screendump filename [-f format] [device [head]]\n");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm -f"), "screendump: -f needs a format (ppm or png)\n");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm d 0 extra"), "screendump: too many arguments\n");
  EXPECT_EQ(hmp.execute("screendump /tmp/a.ppm d x"), "screendump: invalid head 'x'\n");
  EXPECT_EQ(t.calls, "screendump /tmp/a.ppm|nope|0|;");
  EXPECT_NE(hmp.execute("help screendump").find("screendump filename [-f format] [device [head]]"), std::string::npos);
}

}  // namespace
}  // namespace rwd
