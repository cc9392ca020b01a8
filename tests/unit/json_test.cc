// util/json.h: what strict JSON accepts and refuses, round trips, the
// serializer's escapes, and random/mutated input that must never crash,
// hang or recurse without bound.
#include <gtest/gtest.h>

#include <random>

#include "monitor/json_stream.h"
#include "util/json.h"

namespace rwd {
namespace {

Json parse_ok(const std::string& text) {
  Json v;
  std::string err;
  EXPECT_TRUE(Json::parse(text, v, err)) << text << ": " << err;
  return v;
}

std::string parse_err(const std::string& text) {
  Json v;
  std::string err;
  EXPECT_FALSE(Json::parse(text, v, err)) << "accepted: " << text;
  EXPECT_EQ(err.find('\n'), std::string::npos);
  return err;
}

TEST(Json, Scalars) {
  EXPECT_TRUE(parse_ok("null").is_null());
  EXPECT_EQ(parse_ok(" true ").as_bool(), true);
  EXPECT_EQ(parse_ok("false").as_bool(true), false);
  int64_t i;
  ASSERT_TRUE(parse_ok("-42").get_int64(i));
  EXPECT_EQ(i, -42);
  ASSERT_TRUE(parse_ok("9223372036854775807").get_int64(i));
  EXPECT_EQ(i, INT64_MAX);
  ASSERT_TRUE(parse_ok("-9223372036854775808").get_int64(i));
  EXPECT_EQ(i, INT64_MIN);
  uint64_t u;
  Json big = parse_ok("18446744073709551615");
  EXPECT_FALSE(big.get_int64(i));
  ASSERT_TRUE(big.get_uint64(u));
  EXPECT_EQ(u, UINT64_MAX);
  EXPECT_FALSE(parse_ok("-1").get_uint64(u));
  // Beyond 64 bits: a float, as QEMU reads it.
  Json huge = parse_ok("18446744073709551616");
  EXPECT_FALSE(huge.is_integer());
  EXPECT_DOUBLE_EQ(huge.as_double(), 18446744073709551616.0);
  EXPECT_DOUBLE_EQ(parse_ok("1.5e3").as_double(), 1500.0);
  EXPECT_DOUBLE_EQ(parse_ok("-0.25").as_double(), -0.25);
  EXPECT_FALSE(parse_ok("1.0").is_integer());
  EXPECT_EQ(parse_ok("\"a\\\"b\\\\c\\/\\n\\t\\u00e9\\ud83d\\ude00\"").as_string(), "a\"b\\c/\n\t\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(Json, Containers) {
  Json v = parse_ok(R"({"execute": "stop", "arguments": {"a": [1, 2, {"b": null}]}, "id": 7})");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.members()[0].first, "execute");  // order kept
  EXPECT_EQ(v.find("execute")->as_string(), "stop");
  const Json* a = v.find("arguments")->find("a");
  ASSERT_TRUE(a && a->is_array());
  ASSERT_EQ(a->items().size(), 3u);
  EXPECT_TRUE(a->items()[2].find("b")->is_null());
  EXPECT_EQ(v.find("missing"), nullptr);
  EXPECT_EQ(parse_ok("[]").size(), 0u);
  EXPECT_EQ(parse_ok("{ }").size(), 0u);
}

TEST(Json, RefusesWhatIsNotStrictJson) {
  const char* bad[] = {
      "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a: 1}", "{'a': 1}", "[1 2]", "01", "1.", ".5", "-",
      "1e", "+1", "0x10", "tru", "nul", "True", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12zz\"", "\"\\u0000\"",
      "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\tb\"", "\"\x01\"", "\"\xff\"", "\"\xc0\xaf\"",
      "\"\xed\xa0\x80\"", "\"\xe2\x82\"", "{\"a\":1,\"a\":2}", "1 2", "{} {}", "[1]]", "NaN", "Infinity", "//c\n1",
  };
  for (const char* text : bad) parse_err(text);
  EXPECT_NE(parse_err("{\"a\":1,\"a\":2}").find("duplicate key 'a'"), std::string::npos);
  EXPECT_NE(parse_err("[1,]").find("offset 3"), std::string::npos);
}

TEST(Json, NestingIsBounded) {
  std::string ok(Json::kMaxDepth, '['), close(Json::kMaxDepth, ']');
  parse_ok(ok + close);
  std::string deep(100000, '[');
  EXPECT_NE(parse_err(deep).find("nesting"), std::string::npos);
  std::string deep_obj;
  for (int k = 0; k < 5000; ++k) deep_obj += "{\"a\":";
  EXPECT_NE(parse_err(deep_obj).find("nesting"), std::string::npos);
}

TEST(Json, DumpsAsQemuDoes) {
  Json o = Json::object();
  o.set("return", Json::object());
  o.set("id", "x");
  EXPECT_EQ(o.dump(), R"({"return": {}, "id": "x"})");
  Json a = Json::array();
  a.push(1);
  a.push(true);
  a.push(nullptr);
  a.push(uint64_t{18446744073709551615ull});
  a.push(int64_t{-5});
  a.push(2.5);
  a.push(3.0);
  EXPECT_EQ(a.dump(), "[1, true, null, 18446744073709551615, -5, 2.5, 3.0]");
  // Control characters, non-ASCII (as \u escapes, surrogate pairs beyond
  // the BMP) and bytes that are not UTF-8 (U+FFFD).
  EXPECT_EQ(Json(std::string("a\"\\\n\r\t\x01\xc3\xa9\xf0\x9f\x98\x80\xff", 14)).dump(),
            "\"a\\\"\\\\\\n\\r\\t\\u0001\\u00e9\\ud83d\\ude00\\ufffd\"");
  Json p = parse_ok(R"({"a": [1, {"b": 2}], "c": {}})");
  EXPECT_EQ(p.dump(true), "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ],\n    \"c\": {}\n}");
}

TEST(Json, RoundTrips) {
  const char* texts[] = {R"({"a": [1, -2, 3.5, "x\u00e9y", null, true, false, {}], "b": {"c": []}})",
                         R"([18446744073709551615, -9223372036854775808, 1e-300])", R"("\ud83d\ude00")"};
  for (const char* t : texts) {
    Json v = parse_ok(t);
    Json again = parse_ok(v.dump());
    EXPECT_EQ(v, again) << t;
    EXPECT_EQ(parse_ok(v.dump(true)), v);
  }
}

// Random bytes, and valid documents with random damage: every outcome is a
// value or one error line; anything accepted dumps to text that parses to
// the same value.
TEST(Json, Fuzz) {
  std::mt19937_64 rng(12345);
  const std::string alphabet = "{}[]\",:\\ntrufalse0123456789.-+eE u\xff\xc3\xa9\x01";
  const std::string seed = R"({"execute": "human-monitor-command", "arguments": {"command-line": "info registers", "n": [1, 2.5e3, -0, null, true]}, "id": "\u00e9"})";
  int accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    if (round % 2) {
      size_t len = rng() % 64;
      for (size_t k = 0; k < len; ++k) text += alphabet[rng() % alphabet.size()];
    } else {
      text = seed;
      int edits = 1 + rng() % 4;
      for (int k = 0; k < edits; ++k) {
        size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: text.erase(at, 1 + rng() % 3); break;
          default: text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        }
        if (text.empty()) text.push_back('x');
      }
    }
    Json v;
    std::string err;
    if (Json::parse(text, v, err)) {
      ++accepted;
      Json again;
      ASSERT_TRUE(Json::parse(v.dump(), again, err)) << text;
      EXPECT_EQ(again, v) << text;
    } else {
      EXPECT_FALSE(err.empty());
    }
  }
  EXPECT_GT(accepted, 100);  // the mutations do not all break it
}

// ---- JsonStream ------------------------------------------------------------------

struct Pieces {
  std::vector<std::string> texts;
  int overflows = 0;
  JsonStream stream{[this](const std::string& t, bool overflow) {
                      if (overflow) ++overflows;
                      else texts.push_back(t);
                    },
                    256};
  void feed(const std::string& s) { stream.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
};

TEST(JsonStream, SplitsObjectsScalarsAndStrays) {
  Pieces p;
  p.feed("{\"a\": \"}{\\\"\"}\r\n  [1,[2]] 42 true\"s\" }x{\"b\"");
  EXPECT_EQ(p.texts, (std::vector<std::string>{"{\"a\": \"}{\\\"\"}", "[1,[2]]", "42", "true", "\"s\"", "}", "x"}));
  EXPECT_EQ(p.stream.pending(), 4u);
  p.feed(":1}");
  EXPECT_EQ(p.texts.back(), "{\"b\":1}");
  // Byte by byte is the same as all at once.
  Pieces q;
  std::string in = "{\"execute\":\"stop\"}{\"x\":[{}]}";
  for (char c : in) q.feed(std::string(1, c));
  EXPECT_EQ(q.texts, (std::vector<std::string>{"{\"execute\":\"stop\"}", "{\"x\":[{}]}"}));
}

TEST(JsonStream, OverflowIsReportedOnceAndStaysInStep) {
  Pieces p;
  p.feed("{\"a\": \"" + std::string(10000, 'x') + "\"}{\"ok\": 1}");
  EXPECT_EQ(p.overflows, 1);
  EXPECT_EQ(p.texts, std::vector<std::string>{"{\"ok\": 1}"});
  // Deep nesting is counted, not stored; 0xff drops a partial piece.
  Pieces d;
  d.feed(std::string(100000, '['));
  EXPECT_LE(d.stream.pending(), 256u);
  d.feed("\xff{}");
  EXPECT_EQ(d.texts, std::vector<std::string>{"{}"});
}

}  // namespace
}  // namespace rwd
