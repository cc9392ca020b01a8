// The QMP monitor with a fake machine: greeting, negotiation, every
// command's reply, argument checking, events, and hostile input (bad JSON,
// wrong shapes, huge and deep requests) that gets error objects, never a
// crash.
#include <gtest/gtest.h>

#include <random>

#include "monitor/qmp.h"

namespace rwd {
namespace {

class FakeTarget : public MonitorTarget {
 public:
  std::string run_state() const override { return shutdown ? "shutdown" : run ? "running" : "paused"; }
  void pause() override {
    if (run) emit_event({MachineEvent::Kind::kStop, false, ""});
    run = false;
  }
  void resume() override {
    if (!run) emit_event({MachineEvent::Kind::kResume, false, ""});
    run = true;
  }
  std::string request_reset() override {
    ++resets;
    return reset_refusal;
  }
  void request_quit() override { ++quits; }
  std::string registers_text() override { return " pc       0000000080000000\n"; }
  bool read_phys(uint64_t, void*, size_t) override { return false; }
  bool read_virt(uint64_t, void*, size_t) override { return false; }
  std::string mtree_text() override { return "address-space: memory\n"; }
  std::string qtree_text() override { return ""; }
  std::string replay_text() override { return ""; }
  std::string migrate(const std::string&) override { return ""; }
  std::string vm_name() const override { return name; }
  ReplayStatus replay_status() override { return replay; }
  bool singlestep() const override { return true; }
  std::string replay_break(uint64_t icount) override {
    if (replay.mode != "play") return "replay_break: not replaying\n";
    break_at = icount;
    return "";
  }
  std::string replay_delete_break() override {
    if (replay.mode != "play") return "replay_delete_break: not replaying\n";
    break_at = 0;
    return "";
  }
  std::string replay_seek(uint64_t icount) override {
    if (replay.mode != "play") return "replay_seek: not replaying\n";
    replay.icount = icount;
    return "";
  }

  std::string screendump(const std::string& path, const std::string& device, int64_t head, const std::string& format,
                         std::string& error_class) override {
    dumped = path + "|" + device + "|" + std::to_string(head) + "|" + format;
    if (device == "nope") return error_class = "DeviceNotFound", "Device 'nope' not found\n";
    if (!format.empty() && format != "png" && format != "ppm")
      return error_class = "GenericError", "Parameter 'format' does not accept value '" + format + "'\n";
    return "";
  }

  bool run = true, shutdown = false;
  std::string dumped;
  int resets = 0, quits = 0;
  std::string reset_refusal, name;
  ReplayStatus replay;
  uint64_t break_at = 0;
};

class Chr : public CharBackend {
 public:
  void write(const uint8_t* d, size_t n) override { out.append(reinterpret_cast<const char*>(d), n); }
  bool is_open() const override { return open; }
  void connect() {
    open = true;
    notify(CharEvent::kOpened);
  }
  void disconnect() {
    open = false;
    notify(CharEvent::kClosed);
  }
  void type(const std::string& s) { deliver(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  // The lines written since the last call, each parsed.
  std::vector<Json> take() {
    std::vector<Json> lines;
    size_t start = 0;
    for (size_t end; (end = out.find("\r\n", start)) != std::string::npos; start = end + 2) {
      Json v;
      std::string err;
      EXPECT_TRUE(Json::parse(out.substr(start, end - start), v, err)) << out.substr(start, end - start);
      lines.push_back(v);
    }
    EXPECT_EQ(start, out.size()) << "a reply without its \\r\\n";
    out.clear();
    return lines;
  }
  std::string out;
  bool open = false;
};

class QmpTest : public ::testing::Test {
 protected:
  QmpTest() : qmp(chr, target) {}
  // Sends one request; returns the single reply (events are kept aside).
  Json ask(const std::string& text) {
    chr.type(text);
    Json reply;
    int replies = 0;
    for (Json& j : chr.take()) {
      if (j.find("event")) {
        events.push_back(j);
      } else {
        reply = j;
        ++replies;
      }
    }
    EXPECT_EQ(replies, 1) << text;
    return reply;
  }
  void negotiate() {
    chr.connect();
    chr.take();
    EXPECT_TRUE(ask(R"({"execute": "qmp_capabilities"})").find("return"));
  }
  static std::string error_class(const Json& r) {
    const Json* e = r.find("error");
    return e ? e->find("class")->as_string() : "";
  }
  static std::string error_desc(const Json& r) {
    const Json* e = r.find("error");
    return e ? e->find("desc")->as_string() : "";
  }

  FakeTarget target;
  Chr chr;
  Qmp qmp;
  std::vector<Json> events;
};

TEST_F(QmpTest, GreetingOnEachConnection) {
  EXPECT_TRUE(chr.out.empty());  // nobody there yet
  chr.connect();
  std::vector<Json> lines = chr.take();
  ASSERT_EQ(lines.size(), 1u);
  const Json* q = lines[0].find("QMP");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->find("capabilities")->is_array());
  const Json* v = q->find("version")->find("qemu");
  ASSERT_TRUE(v && v->find("major") && v->find("minor") && v->find("micro"));
  EXPECT_TRUE(v->find("major")->is_integer());
  // A new client starts over: negotiation again.
  ask(R"({"execute": "qmp_capabilities"})");
  chr.disconnect();
  chr.connect();
  EXPECT_EQ(chr.take().size(), 1u);
  EXPECT_EQ(error_class(ask(R"({"execute": "query-status"})")), "CommandNotFound");
}

TEST_F(QmpTest, Negotiation) {
  chr.connect();
  chr.take();
  Json r = ask(R"({"execute": "stop", "id": 1})");
  EXPECT_EQ(error_class(r), "CommandNotFound");
  EXPECT_TRUE(r.find("id") && r.find("id")->dump() == "1") << r.dump();
  EXPECT_NE(error_desc(r).find("qmp_capabilities"), std::string::npos);
  EXPECT_TRUE(target.run);  // not run
  EXPECT_EQ(error_class(ask(R"({"execute": "qmp_capabilities", "arguments": {"enable": ["oob"]}})")), "GenericError");
  EXPECT_EQ(error_class(ask(R"({"execute": "qmp_capabilities", "arguments": {"enable": "oob"}})")), "GenericError");
  EXPECT_EQ(ask(R"({"execute": "qmp_capabilities", "id": "n"})").dump(), R"({"return": {}, "id": "n"})");
  EXPECT_EQ(error_class(ask(R"({"execute": "qmp_capabilities"})")), "CommandNotFound");
  EXPECT_TRUE(ask(R"({"execute": "query-status"})").find("return"));
}

TEST_F(QmpTest, StatusStopContAndEvents) {
  negotiate();
  EXPECT_EQ(ask(R"({"execute": "query-status", "id": [1, {"x": 2}]})").dump(),
            R"({"return": {"running": true, "singlestep": true, "status": "running"}, "id": [1, {"x": 2}]})");
  EXPECT_EQ(ask(R"({"execute": "stop"})").dump(), R"({"return": {}})");
  EXPECT_FALSE(target.run);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].find("event")->as_string(), "STOP");
  const Json* ts = events[0].find("timestamp");
  ASSERT_TRUE(ts && ts->find("seconds") && ts->find("microseconds"));
  int64_t s, us;
  ASSERT_TRUE(ts->find("seconds")->get_int64(s) && ts->find("microseconds")->get_int64(us));
  EXPECT_GT(s, 1600000000);
  EXPECT_TRUE(us >= 0 && us < 1000000);
  EXPECT_EQ(ask(R"({"execute": "query-status"})").find("return")->find("status")->as_string(), "paused");
  ask(R"({"execute": "cont"})");
  EXPECT_TRUE(target.run);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].find("event")->as_string(), "RESUME");
  // After a power-off under -no-shutdown, cont is refused as QEMU refuses it.
  target.shutdown = true;
  EXPECT_NE(error_desc(ask(R"({"execute": "cont"})")).find("Resetting"), std::string::npos);
}

TEST_F(QmpTest, ResetShutdownEventsCarryGuestAndReason) {
  negotiate();
  target.emit_event({MachineEvent::Kind::kReset, true, "guest-reset"});
  target.emit_event({MachineEvent::Kind::kShutdown, false, "host-qmp-quit"});
  std::vector<Json> lines = chr.take();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].find("event")->as_string(), "RESET");
  EXPECT_EQ(lines[0].find("data")->dump(), R"({"guest": true, "reason": "guest-reset"})");
  EXPECT_EQ(lines[1].find("data")->dump(), R"({"guest": false, "reason": "host-qmp-quit"})");
  // No events before negotiation or without a client.
  chr.disconnect();
  target.emit_event({MachineEvent::Kind::kStop, false, ""});
  EXPECT_TRUE(chr.out.empty());
  chr.connect();
  chr.take();
  target.emit_event({MachineEvent::Kind::kStop, false, ""});
  EXPECT_TRUE(chr.out.empty());
}

TEST_F(QmpTest, ResetAndQuit) {
  negotiate();
  EXPECT_EQ(ask(R"({"execute": "system_reset"})").dump(), R"({"return": {}})");
  EXPECT_EQ(target.resets, 1);
  target.reset_refusal = "a replay's resets come from the recording; system_reset is ignored";
  Json r = ask(R"({"execute": "system_reset"})");
  EXPECT_EQ(error_class(r), "GenericError");
  EXPECT_NE(error_desc(r).find("replay"), std::string::npos);
  EXPECT_EQ(ask(R"({"execute": "quit", "id": 9})").dump(), R"({"return": {}, "id": 9})");
  EXPECT_EQ(target.quits, 1);
}

TEST_F(QmpTest, Queries) {
  negotiate();
  Json v = ask(R"({"execute": "query-version"})");
  EXPECT_EQ(v.find("return")->find("package")->as_string().rfind("rewind ", 0), 0u);
  Json cmds = *ask(R"({"execute": "query-commands"})").find("return");
  std::vector<std::string> names;
  for (const Json& c : cmds.items()) names.push_back(c.find("name")->as_string());
  for (const char* want : {"qmp_capabilities", "query-status", "stop", "cont", "system_reset", "quit", "query-replay",
                           "replay-break", "replay-delete-break", "replay-seek", "human-monitor-command"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  // Every listed command exists (none answers CommandNotFound).
  for (const std::string& n : names) {
    if (n != "quit" && n != "qmp_capabilities") {
      EXPECT_NE(error_class(ask(R"({"execute": ")" + n + "\"}")), "CommandNotFound") << n;
    }
  }
  EXPECT_EQ(ask(R"({"execute": "query-name"})").dump(), R"({"return": {}})");
  target.name = "vm1";
  EXPECT_EQ(ask(R"({"execute": "query-name"})").dump(), R"({"return": {"name": "vm1"}})");
}

TEST_F(QmpTest, ReplayCommands) {
  negotiate();
  EXPECT_EQ(ask(R"({"execute": "query-replay"})").dump(), R"({"return": {"mode": "none", "icount": 0}})");
  Json r = ask(R"({"execute": "replay-break", "arguments": {"icount": 5}})");
  EXPECT_EQ(error_class(r), "GenericError");
  EXPECT_EQ(error_desc(r), "replay_break: not replaying");  // the target's line, without its newline
  target.replay = {"play", "/tmp/x.rr", 1234};
  EXPECT_EQ(ask(R"({"execute": "query-replay"})").dump(),
            R"({"return": {"mode": "play", "filename": "/tmp/x.rr", "icount": 1234}})");
  EXPECT_EQ(ask(R"({"execute": "replay-break", "arguments": {"icount": 18446744073709551615}})").dump(),
            R"({"return": {}})");
  EXPECT_EQ(target.break_at, UINT64_MAX);
  ask(R"({"execute": "replay-delete-break"})");
  EXPECT_EQ(target.break_at, 0u);
  ask(R"({"execute": "replay-seek", "arguments": {"icount": 99}})");
  EXPECT_EQ(target.replay.icount, 99u);
  // Bad icounts never reach the target.
  for (const char* bad : {R"({"icount": -1})", R"({"icount": "5"})", R"({"icount": 1.5})", R"({})",
                          R"({"icount": 5, "x": 1})", R"({"icount": 18446744073709551616})"}) {
    Json e = ask(std::string(R"({"execute": "replay-seek", "arguments": )") + bad + "}");
    EXPECT_EQ(error_class(e), "GenericError") << bad;
  }
  EXPECT_EQ(target.replay.icount, 99u);
  EXPECT_EQ(error_desc(ask(R"({"execute": "replay-seek"})")), "Parameter 'icount' is missing");
  EXPECT_EQ(error_desc(ask(R"({"execute": "replay-seek", "arguments": {"icount": "1"}})")),
            "Invalid parameter type for 'icount', expected: non-negative integer");
}

TEST_F(QmpTest, HumanMonitorCommand) {
  negotiate();
  Json r = ask(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info registers"}, "id": 3})");
  EXPECT_EQ(r.find("return")->as_string(), " pc       0000000080000000\r\n");  // QEMU's line ends
  EXPECT_EQ(ask(R"({"execute": "human-monitor-command", "arguments": {"command-line": "stop"}})").dump(),
            R"({"return": ""})");
  EXPECT_FALSE(target.run);
  EXPECT_EQ(ask(R"({"execute": "human-monitor-command", "arguments": {"command-line": "bogus"}})")
                .find("return")
                ->as_string(),
            "unknown command: 'bogus'\r\n");
  EXPECT_EQ(error_class(ask(R"({"execute": "human-monitor-command", "arguments": {"command-line": "info registers", "cpu-index": 1}})")),
            "GenericError");
  EXPECT_EQ(error_class(ask(R"({"execute": "human-monitor-command"})")), "GenericError");
  EXPECT_EQ(error_class(ask(R"({"execute": "human-monitor-command", "arguments": {"command-line": 5}})")),
            "GenericError");
}

TEST_F(QmpTest, MalformedRequests) {
  negotiate();
  struct Case {
    const char* text;
    const char* cls;
    const char* desc_part;
  } cases[] = {
      {"{\"execute\": }", "GenericError", "JSON parse error"},
      {"{\"execute\": \"stop\",}", "GenericError", "JSON parse error"},
      {"[1, 2]", "GenericError", "must be a JSON object"},
      {"42\n", "GenericError", "must be a JSON object"},
      {"\"stop\"", "GenericError", "must be a JSON object"},
      {"}", "GenericError", "JSON parse error"},
      {"{\"arguments\": {}}", "GenericError", "lacks member 'execute'"},
      {"{\"execute\": 1}", "GenericError", "'execute' must be a string"},
      {"{\"execute\": \"stop\", \"arguments\": []}", "GenericError", "'arguments' must be an object"},
      {"{\"execute\": \"stop\", \"extra\": 1}", "GenericError", "'extra' is unexpected"},
      {"{\"execute\": \"stop\", \"arguments\": {\"now\": true}}", "GenericError", "Parameter 'now' is unexpected"},
      {"{\"execute\": \"no-such-thing\"}", "CommandNotFound", "The command no-such-thing has not been found"},
      {"{\"exec-oob\": \"query-status\"}", "GenericError", "out-of-band"},
  };
  for (const Case& c : cases) {
    Json r = ask(c.text);
    EXPECT_EQ(error_class(r), c.cls) << c.text;
    EXPECT_NE(error_desc(r).find(c.desc_part), std::string::npos) << c.text << " -> " << r.dump();
  }
  EXPECT_TRUE(target.run);
  // The id comes back on errors too, whatever JSON it is.
  Json with_id = ask(R"({"execute": "nope", "id": {"a": [null]}})");
  ASSERT_TRUE(with_id.find("id")) << with_id.dump();
  EXPECT_EQ(with_id.find("id")->dump(), R"({"a": [null]})");
  // Too large: one error, and the next request works.
  Json big = ask("{\"execute\": \"stop\", \"id\": \"" + std::string(2 << 20, 'x') + "\"}");
  EXPECT_NE(error_desc(big).find("larger than"), std::string::npos);
  EXPECT_TRUE(target.run);
  EXPECT_TRUE(ask(R"({"execute": "query-status"})").find("return"));
  // Too deep.
  EXPECT_NE(error_desc(ask(std::string(5000, '[') + std::string(5000, ']'))).find("nesting"), std::string::npos);
}

TEST_F(QmpTest, PipelinedAndSplitInput) {
  negotiate();
  chr.type("{\"execute\": \"query-name\", \"id\": 1}{\"execute\": \"query-name\", \"id\": 2}\n{\"exec");
  std::vector<Json> lines = chr.take();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].find("id")->dump(), "2");
  chr.type("ute\": \"query-name\", \"id\": 3}");
  lines = chr.take();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("id")->dump(), "3");
}

// Random damage to valid requests: one reply per complete piece, each a
// return or an error object; never a crash.
TEST_F(QmpTest, Fuzz) {
  negotiate();
  std::mt19937_64 rng(7);
  const std::string seeds[] = {R"({"execute": "query-status", "id": 1})",
                               R"({"execute": "replay-seek", "arguments": {"icount": 5}})",
                               R"({"execute": "human-monitor-command", "arguments": {"command-line": "info status"}})",
                               R"({"execute": "query-replay"})"};
  const std::string alphabet = "{}[]\":,\\ 0-9ae\xff\x01";
  for (int round = 0; round < 5000; ++round) {
    std::string t = seeds[rng() % 4];
    for (int k = 0; k < 3; ++k) t[rng() % t.size()] = alphabet[rng() % alphabet.size()];
    chr.type(t);
    chr.type("\xff");  // resynchronise whatever was left open
    for (const Json& j : chr.take())
      EXPECT_TRUE(j.find("return") || j.find("error") || j.find("event")) << t << " -> " << j.dump();
  }
  target.run = true;
  EXPECT_TRUE(ask(R"({"execute": "query-status"})").find("return"));
}

TEST(QmpPretty, Indented) {
  FakeTarget target;
  Chr chr;
  chr.open = true;
  Qmp qmp(chr, target, true);
  EXPECT_NE(chr.out.find("{\n    \"QMP\": {\n"), std::string::npos);
}

TEST_F(QmpTest, Screendump) {
  negotiate();
  EXPECT_TRUE(ask(R"({"execute": "screendump", "arguments": {"filename": "/tmp/a.ppm"}})").find("return"));
  EXPECT_EQ(target.dumped, "/tmp/a.ppm||0|");
  EXPECT_TRUE(ask(R"({"execute": "screendump", "arguments": {"filename": "/tmp/a.png", "device": "gpu0",
                      "head": 0, "format": "png"}})").find("return"));
  EXPECT_EQ(target.dumped, "/tmp/a.png|gpu0|0|png");
  Json r = ask(R"({"execute": "screendump", "arguments": {"filename": "/tmp/a.ppm", "device": "nope"}})");
  EXPECT_EQ(error_class(r), "DeviceNotFound");
  r = ask(R"({"execute": "screendump", "arguments": {"filename": "/tmp/a.ppm", "format": "bmp"}})");
  EXPECT_EQ(error_class(r), "GenericError");
  EXPECT_EQ(error_desc(r), "Parameter 'format' does not accept value 'bmp'");
  EXPECT_EQ(error_class(ask(R"({"execute": "screendump", "arguments": {}})")), "GenericError");
}

}  // namespace
}  // namespace rwd
