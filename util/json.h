// A JSON value (RFC 8259) with a strict, bounded parser and a serializer,
// for QMP. Objects keep their members in order; a duplicate key, a trailing
// comma, a raw control character in a string, invalid UTF-8, a lone
// surrogate or "\u0000" are parse errors. Nesting is limited (kMaxDepth),
// so hostile input costs bounded stack; callers bound the text's size.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rwd {

class Json {
 public:
  // kInt: an integer in int64 range; kUint: an integer above INT64_MAX (up
  // to UINT64_MAX); kDouble: anything else numeric.
  enum class Type { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };
  using Member = std::pair<std::string, Json>;
  static constexpr int kMaxDepth = 64;

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::kBool), b_(b) {}
  Json(int v) : Json(static_cast<int64_t>(v)) {}
  Json(int64_t v) : type_(Type::kInt), i_(v) {}
  Json(uint64_t v);
  Json(double v) : type_(Type::kDouble), d_(v) {}
  Json(const char* s) : type_(Type::kString), s_(s) {}
  Json(std::string s) : type_(Type::kString), s_(std::move(s)) {}
  static Json array() { return Json(Type::kArray); }
  static Json object() { return Json(Type::kObject); }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_integer() const { return type_ == Type::kInt || type_ == Type::kUint; }
  bool is_number() const { return is_integer() || type_ == Type::kDouble; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors: the value when the type fits, else the fallback.
  bool as_bool(bool fallback = false) const { return is_bool() ? b_ : fallback; }
  const std::string& as_string() const;
  // False when not an integer or out of range.
  bool get_int64(int64_t& out) const;
  bool get_uint64(uint64_t& out) const;
  double as_double() const;

  // Arrays.
  const std::vector<Json>& items() const { return items_; }
  Json& push(Json v);
  // Objects: find returns nullptr when absent; set replaces or appends.
  const std::vector<Member>& members() const { return members_; }
  const Json* find(std::string_view key) const;
  Json& set(std::string key, Json v);
  size_t size() const { return is_object() ? members_.size() : items_.size(); }

  // Compact text as QEMU writes it ({"a": 1, "b": [true, null]}), or
  // indented by four spaces per level. Strings come out in ASCII: other
  // characters as \u escapes, invalid UTF-8 bytes as U+FFFD.
  std::string dump(bool pretty = false) const;

  // Parses exactly one value (surrounding whitespace allowed). On failure
  // returns false with a one-line reason in `err`.
  static bool parse(std::string_view text, Json& out, std::string& err);

  friend bool operator==(const Json& a, const Json& b);
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  explicit Json(Type t) : type_(t) {}
  void dump_to(std::string& out, bool pretty, int indent) const;

  Type type_ = Type::kNull;
  bool b_ = false;
  int64_t i_ = 0;
  uint64_t u_ = 0;
  double d_ = 0;
  std::string s_;
  std::vector<Json> items_;
  std::vector<Member> members_;
};

// JSON string text for `s`, quotes included (as Json::dump writes strings).
std::string json_quote(std::string_view s);

}  // namespace rwd
