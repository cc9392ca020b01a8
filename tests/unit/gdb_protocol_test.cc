// Tests for the gdb remote protocol (gdbstub/packet.h, gdbstub/gdb_session.h)
// against a fake machine: framing, checksums, escapes, oversize packets,
// every command's replies, and hostile arguments (bad hex, huge lengths,
// wrapping addresses, unknown registers): error replies, never a crash.
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gdbstub/gdb_session.h"
#include "gdbstub/packet.h"

namespace rwd::gdb {
namespace {

using Item = PacketDecoder::Item;

std::vector<Item> decode(const std::string& bytes) {
  PacketDecoder d;
  std::vector<Item> out;
  d.feed(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out);
  return out;
}

TEST(GdbPacket, FramesAndChecksums) {
  EXPECT_EQ(frame("OK"), "$OK#9a");
  EXPECT_EQ(frame(""), "$#00");
  auto items = decode("+$g#67-\x03$OK#9a");
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0].kind, Item::Kind::kAck);
  EXPECT_EQ(items[1].kind, Item::Kind::kPacket);
  EXPECT_EQ(items[1].body, "g");
  EXPECT_EQ(items[2].kind, Item::Kind::kNak);
  EXPECT_EQ(items[3].kind, Item::Kind::kInterrupt);
  EXPECT_EQ(items[4].body, "OK");
}

TEST(GdbPacket, RejectsBadChecksumsAndGarbage) {
  auto items = decode("$g#00$g#zz$m0,1#");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].kind, Item::Kind::kBadPacket);
  EXPECT_EQ(items[1].kind, Item::Kind::kBadPacket);
  // A packet cut short by a new one is lost, the new one is taken.
  items = decode("$abc$g#67");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].kind, Item::Kind::kBadPacket);
  EXPECT_EQ(items[1].body, "g");
}

TEST(GdbPacket, OversizePacketsAreDropped) {
  std::string body(kMaxPacket + 10, 'a');
  auto items = decode(frame(body));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].kind, Item::Kind::kBadPacket);
  body.resize(kMaxPacket);
  items = decode(frame(body));
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].body, body);
}

TEST(GdbPacket, EscapesRoundTrip) {
  std::string body = "X0,4:";
  body += std::string("}$#*", 4);
  std::string f = frame(body);
  EXPECT_EQ(f.find('$', 1), std::string::npos);
  auto items = decode(f);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].body, body);
}

TEST(GdbPacket, RandomBytesNeverCrash) {
  std::mt19937 rng(12);
  PacketDecoder d;
  std::vector<Item> out;
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng() % 4 == 0 ? "$#}+"[rng() % 4] : rng());
    d.feed(junk.data(), junk.size(), out);
  }
  for (const Item& it : out) EXPECT_LE(it.body.size(), kMaxPacket);
}

TEST(GdbPacket, Hex) {
  std::vector<uint8_t> b;
  EXPECT_TRUE(from_hex("00ffA0", b));
  EXPECT_EQ(b, (std::vector<uint8_t>{0, 0xff, 0xa0}));
  EXPECT_FALSE(from_hex("0", b));
  EXPECT_FALSE(from_hex("zz", b));
  uint64_t v;
  EXPECT_TRUE(parse_hex_u64("ffffffffffffffff", v));
  EXPECT_EQ(v, ~0ull);
  EXPECT_FALSE(parse_hex_u64("10000000000000000", v));  // overflow
  EXPECT_FALSE(parse_hex_u64("", v));
  EXPECT_FALSE(parse_hex_u64("-1", v));
}

// 64 KiB of memory at 0x1000, registers in a map.
class FakeTarget : public GdbTarget {
 public:
  FakeTarget() : mem(0x10000, 0) {
    regs_ = riscv_registers([](uint16_t n) { return n == 0x300 || n <= 3; });
    for (size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<uint8_t>(i);
  }
  const std::vector<RegDesc>& registers() override { return regs_; }
  bool read_register(const RegDesc& r, std::vector<uint8_t>& bytes) override {
    uint64_t v = values[r.regno];
    unsigned n = r.kind == RegDesc::Kind::kCsr && r.index <= 3 ? 4 : 8;
    bytes.assign(n, 0);
    for (unsigned i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * i));
    return true;
  }
  bool write_register(const RegDesc& r, uint64_t value) override {
    values[r.regno] = value;
    return true;
  }
  size_t read_memory(uint64_t addr, uint8_t* buf, size_t len) override {
    if (addr < 0x1000 || addr - 0x1000 >= mem.size()) return 0;
    size_t n = std::min<uint64_t>(len, mem.size() - (addr - 0x1000));
    std::memcpy(buf, &mem[addr - 0x1000], n);
    return n;
  }
  bool write_memory(uint64_t addr, const uint8_t* buf, size_t len) override {
    if (addr < 0x1000 || addr - 0x1000 + len > mem.size()) return false;
    std::memcpy(&mem[addr - 0x1000], buf, len);
    return true;
  }
  std::string write_refusal() const override { return refuse ? "recording" : ""; }
  bool replaying() const override { return replay; }
  DebugStops& stops() override { return stops_; }
  void stops_changed() override { ++changes; }
  void resume(Resume how) override { resumed.push_back(how); }
  std::string monitor(const std::string& c) override { return "ran " + c + "\n"; }
  void detach() override { detached = true; }
  void kill() override { killed = true; }

  std::vector<uint8_t> mem;
  std::map<unsigned, uint64_t> values;
  bool refuse = false, replay = false, detached = false, killed = false;
  int changes = 0;
  std::vector<Resume> resumed;
  DebugStops stops_;

 private:
  std::vector<RegDesc> regs_;
};

class GdbSessionTest : public ::testing::Test {
 protected:
  std::string ask(const std::string& p) {
    auto r = s.handle(p);
    return r ? *r : "<none>";
  }
  FakeTarget t;
  GdbSession s{t};
};

TEST_F(GdbSessionTest, Queries) {
  EXPECT_NE(ask("qSupported:swbreak+").find("qXfer:features:read+"), std::string::npos);
  EXPECT_EQ(ask("qSupported").find("ReverseStep"), std::string::npos);
  t.replay = true;
  EXPECT_NE(ask("qSupported").find("ReverseStep+;ReverseContinue+"), std::string::npos);
  EXPECT_EQ(ask("qAttached"), "1");
  EXPECT_EQ(ask("qC"), "QC1");
  EXPECT_EQ(ask("qfThreadInfo"), "m1");
  EXPECT_EQ(ask("qsThreadInfo"), "l");
  EXPECT_EQ(ask("vCont?"), "vCont;c;C;s;S");
  EXPECT_EQ(ask("qNothing"), "");
  EXPECT_EQ(ask("?"), "S05");
  EXPECT_FALSE(s.no_ack());
  EXPECT_EQ(ask("QStartNoAckMode"), "OK");
  EXPECT_TRUE(s.no_ack());
  EXPECT_EQ(ask("qRcmd," + to_hex("info status")), to_hex("ran info status\n"));
  EXPECT_EQ(ask("qRcmd,zz"), "E01");
}

TEST_F(GdbSessionTest, TargetXmlInPieces) {
  std::string xml;
  for (uint64_t off = 0;; off += 100) {
    char q[64];
    std::snprintf(q, sizeof q, "qXfer:features:read:target.xml:%llx,64", static_cast<unsigned long long>(off));
    std::string r = ask(q);
    ASSERT_FALSE(r.empty());
    xml += r.substr(1);
    if (r[0] == 'l') break;
    ASSERT_EQ(r[0], 'm');
    ASSERT_EQ(r.size(), 101u);
  }
  EXPECT_NE(xml.find("<architecture>riscv:rv64</architecture>"), std::string::npos);
  EXPECT_NE(xml.find("org.gnu.gdb.riscv.cpu"), std::string::npos);
  EXPECT_NE(xml.find("name=\"ft0\" bitsize=\"64\" regnum=\"33\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"fcsr\" bitsize=\"32\" regnum=\"68\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"mstatus\" bitsize=\"64\" regnum=\"833\""), std::string::npos);  // 65 + 0x300
  EXPECT_NE(xml.find("name=\"priv\" bitsize=\"64\" regnum=\"4161\""), std::string::npos);
  EXPECT_EQ(ask("qXfer:features:read:other.xml:0,10"), "E00");
  EXPECT_EQ(ask("qXfer:features:read:target.xml:ffffff,10"), "l");
  EXPECT_EQ(ask("qXfer:features:read:target.xml:zz"), "E01");
}

TEST_F(GdbSessionTest, Registers) {
  t.values[32] = 0x80000000;  // pc
  t.values[10] = 0x1122334455667788;
  std::string g = ask("g");
  ASSERT_EQ(g.size(), 33u * 16);
  EXPECT_EQ(g.substr(10 * 16, 16), "8877665544332211");
  EXPECT_EQ(g.substr(32 * 16, 16), "0000008000000000");
  EXPECT_EQ(ask("pa"), "8877665544332211");
  EXPECT_EQ(ask("P20=0400008000000000"), "OK");
  EXPECT_EQ(t.values[32], 0x80000004u);
  EXPECT_EQ(ask("p42"), "00000000");  // fflags (65 + 1): 32 bits
  EXPECT_EQ(ask("p41"), "E14");       // CSR 0 is not there
  EXPECT_EQ(ask("p1000"), "E14");     // no such register
  EXPECT_EQ(ask("pzz"), "E01");
  EXPECT_EQ(ask("P1000=00"), "E14");
  EXPECT_EQ(ask("P20=001122334455667788"), "E01");  // more than 8 bytes
  EXPECT_EQ(ask("G00"), "E01");
  t.refuse = true;
  EXPECT_EQ(ask("P20=00"), "E16");
  EXPECT_EQ(ask("G" + g), "E16");
  EXPECT_EQ(t.values[32], 0x80000004u);
}

TEST_F(GdbSessionTest, Memory) {
  EXPECT_EQ(ask("m1000,4"), "00010203");
  EXPECT_EQ(ask("m0,4"), "E14");
  EXPECT_EQ(ask("m1000,0"), "");
  EXPECT_EQ(ask("m10ffe,10"), "feff");  // a short read at the end
  std::string big = ask("m1000,ffffffffffffffff");
  EXPECT_GT(big.size(), 0u);
  EXPECT_LE(big.size(), kMaxPacket);
  EXPECT_EQ(ask("mffffffffffffffff,10"), "E14");
  EXPECT_EQ(ask("m1000"), "E01");
  EXPECT_EQ(ask("mxyz,4"), "E01");
  EXPECT_EQ(ask("M1000,2:abcd"), "OK");
  EXPECT_EQ(t.mem[0], 0xab);
  EXPECT_EQ(ask("M1000,2:abc"), "E01");   // odd hex
  EXPECT_EQ(ask("M1000,3:abcd"), "E01");  // length mismatch
  EXPECT_EQ(ask("X1000,0:"), "OK");
  EXPECT_EQ(ask(std::string("X1002,2:\x00\x7d", 10)), "OK");
  EXPECT_EQ(t.mem[3], 0x7d);
  EXPECT_EQ(ask("Mfffffffffffffff0,20:" + std::string(64, '0')), "E01");  // wraps
  t.refuse = true;
  EXPECT_EQ(ask("M1000,1:00"), "E16");
  EXPECT_EQ(t.mem[0], 0xab);
}

TEST_F(GdbSessionTest, BreakpointsAndWatchpoints) {
  EXPECT_EQ(ask("Z0,80000000,2"), "OK");
  EXPECT_TRUE(t.stops_.has_breakpoint(0x80000000));
  EXPECT_EQ(ask("Z1,80000004,4"), "OK");
  EXPECT_EQ(ask("z0,80000000,2"), "OK");
  EXPECT_FALSE(t.stops_.has_breakpoint(0x80000000));
  EXPECT_EQ(ask("Z2,1000,8"), "OK");
  EXPECT_TRUE(t.stops_.has_watches());
  EXPECT_EQ(ask("Z4,1000,0"), "E01");
  EXPECT_EQ(ask("Z3,ffffffffffffffff,8"), "E01");
  EXPECT_EQ(ask("z2,1000,8"), "OK");
  EXPECT_FALSE(t.stops_.has_watches());
  EXPECT_EQ(ask("Z9,1000,8"), "");
  EXPECT_EQ(ask("Z0"), "E01");
  EXPECT_EQ(ask("Z0,zz,2"), "E01");
  EXPECT_EQ(ask("Z0,1000,2;X1,0"), "OK");  // conditions are ignored
  for (int i = 0; i < 70; ++i) ask("Z2," + std::to_string(0x1000 + 16 * i) + ",8");
  EXPECT_EQ(ask("Z2,9000,8"), "E22");  // the table is full
  EXPECT_GT(t.changes, 0);
}

TEST_F(GdbSessionTest, RunControl) {
  EXPECT_EQ(ask("c"), "<none>");
  EXPECT_TRUE(s.running());
  EXPECT_EQ(s.stopped("T05thread:01;"), "T05thread:01;");
  EXPECT_FALSE(s.running());
  EXPECT_EQ(ask("?"), "T05thread:01;");
  EXPECT_EQ(ask("vCont;s:1;c"), "<none>");
  EXPECT_EQ(ask("vCont;c"), "<none>");
  EXPECT_EQ(ask("vCont;r1,2"), "E01");
  EXPECT_EQ(ask("c80000000"), "E01");
  EXPECT_EQ(ask("bs"), "");  // not replaying: not supported
  t.replay = true;
  EXPECT_EQ(ask("bs"), "<none>");
  EXPECT_EQ(ask("bc"), "<none>");
  ASSERT_EQ(t.resumed.size(), 5u);
  EXPECT_EQ(t.resumed[1], Resume::kStep);
  EXPECT_EQ(t.resumed[3], Resume::kReverseStep);
  EXPECT_EQ(t.resumed[4], Resume::kReverseContinue);
  EXPECT_EQ(ask("D"), "OK");
  EXPECT_TRUE(t.detached);
  EXPECT_EQ(ask("vKill;1"), "OK");
  EXPECT_TRUE(t.killed);
}

TEST_F(GdbSessionTest, RandomPacketsNeverCrash) {
  std::mt19937 rng(7);
  const char* heads[] = {"m", "M", "X", "p", "P", "g", "G", "Z", "z", "q", "Q", "v", "qXfer:features:read:target.xml:",
                         "qRcmd,", "vCont;", "H", "T", "?"};
  const char alphabet[] = "0123456789abcdefABCDEF,:;=xz-";
  for (int i = 0; i < 20000; ++i) {
    std::string p = heads[rng() % (sizeof heads / sizeof heads[0])];
    for (unsigned n = rng() % 40; n > 0; --n) p += alphabet[rng() % (sizeof alphabet - 1)];
    auto r = s.handle(p);
    if (r) {
      EXPECT_LE(r->size(), kMaxPacket);
    }
    if (s.running()) s.stopped("S05");
  }
}

}  // namespace
}  // namespace rwd::gdb
