// The event registry (replay/events.def) is the one list of event kinds:
// docs/rrfile.md must describe exactly those, and every kind must survive
// the payload codec both ways.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "replay/event_codec.h"
#include "replay/events.h"

namespace rwd {
namespace {

const char* family_word(EventFamily f) {
  switch (f) {
    case EventFamily::kSync: return "sync";
    case EventFamily::kAsync: return "async";
    case EventFamily::kInput: return "input";
  }
  return "?";
}

TEST(EventRegistry, DocsListExactlyTheRegistrysKinds) {
  std::ifstream in("../../docs/rrfile.md");
  ASSERT_TRUE(in) << "run from tests/unit";
  std::stringstream text;
  text << in.rdbuf();
  // Rows like: | 4 | `char-input` | input | ...
  std::regex row(R"(\n\| (\d+) \| `([a-z-]+)` \| (sync|async|input) \|)");
  std::map<unsigned, std::pair<std::string, std::string>> documented;
  std::string s = text.str();
  for (std::sregex_iterator it(s.begin(), s.end(), row), end; it != end; ++it)
    documented[static_cast<unsigned>(std::stoul((*it)[1]))] = {(*it)[2], (*it)[3]};
  std::map<unsigned, std::pair<std::string, std::string>> registry;
  for_each_event_kind([&](EventKind k, const EventSpec& spec) {
    registry[static_cast<unsigned>(k)] = {spec.name, family_word(spec.family)};
  });
  EXPECT_EQ(documented, registry);
  EXPECT_GE(registry.size(), 10u);
}

TEST(EventRegistry, EveryKindRoundTripsThroughTheCodec) {
  for_each_event_kind([](EventKind k, const EventSpec& spec) {
    Event e;
    e.kind = k;
    e.check = 0x12345678;
    for (unsigned i = 0; i < spec.field_count(); ++i) {
      e.f[i].u = i + 1;
      e.f[i].s = -static_cast<int64_t>(i) - 5;
      e.f[i].bytes = {1, 2, 3, static_cast<uint8_t>(i)};
      if (spec.fields[i].type == FieldType::kCheckpoint) {
        Checkpoint c;
        c.cpu = {1, 2, 3};
        c.extra = {{"virtual clock (ns)", 77}};
        c.ram_hash = 99;
        c.pages = {{{0, 5}, {7, 6}}, {}};
        e.checkpoint = c;
      }
    }
    ByteWriter w;
    encode_payload(e, w);
    Event d = decode_event(static_cast<uint8_t>(k) | kBatchStart, 42, w.data());
    EXPECT_EQ(d.kind, k);
    EXPECT_TRUE(d.batch_start);
    EXPECT_EQ(d.icount, 42u);
    EXPECT_EQ(d.check, 0x12345678u);
    ByteWriter again;
    encode_payload(d, again);
    EXPECT_EQ(again.data(), w.data()) << spec.name;
    EXPECT_FALSE(event_text(d).empty() && spec.field_count() > 0) << spec.name;
    // Every cut and one byte too many are refused.
    for (size_t len = 0; len < w.size(); ++len) {
      std::vector<uint8_t> cut(w.data().begin(), w.data().begin() + static_cast<long>(len));
      EXPECT_THROW(decode_event(static_cast<uint8_t>(k), 0, cut), DecodeError) << spec.name << " cut at " << len;
    }
    std::vector<uint8_t> longer = w.data();
    longer.push_back(0);
    EXPECT_THROW(decode_event(static_cast<uint8_t>(k), 0, longer), DecodeError) << spec.name;
  });
}

TEST(EventRegistry, UnknownKindsAndBadFieldsAreRefusedByName) {
  EXPECT_THROW(decode_event(0, 0, {0, 0, 0, 0}), DecodeError);
  EXPECT_THROW(decode_event(kKindMask, 0, {0, 0, 0, 0}), DecodeError);
  try {
    decode_event(static_cast<uint8_t>(EventKind::kEnd), 0, {200, 0, 0, 0, 0, 0});
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("end event, field 'reason'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rwd
