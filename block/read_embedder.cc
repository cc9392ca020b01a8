#include "block/read_embedder.h"

#include <algorithm>

#include "util/hash64.h"

namespace rwd {

namespace {
constexpr uint8_t kLiteral = 0, kReference = 1;
}

// varint length; then per page: u8 kLiteral + the page, or u8 kReference +
// varint index of the page's first occurrence.
void ReadEmbedder::encode(const AsyncResult& result, ByteWriter& w) {
  w.varint(result.size());
  for (size_t off = 0; off < result.size(); off += kPage) {
    size_t n = std::min(kPage, result.size() - off);
    // The length is part of the key: a short last page is not a full one.
    uint64_t h = hash_combine(hash_bytes(result.data() + off, n), n);
    auto [it, fresh] = index_of_.emplace(h, next_index_);
    if (fresh) {
      ++next_index_;
      w.u8(kLiteral);
      w.bytes(result.data() + off, n);
    } else {
      ++referenced_;
      w.u8(kReference);
      w.varint(it->second);
    }
  }
}

AsyncResult ReadEmbedder::decode(ByteReader& r) {
  uint64_t size = r.varint();
  if (size > r.left() * kPage) throw DecodeError("embedded read longer than its record could describe");
  AsyncResult out;
  out.reserve(size);
  while (out.size() < size) {
    size_t n = std::min<uint64_t>(kPage, size - out.size());
    uint8_t tag = r.u8();
    if (tag == kLiteral) {
      std::vector<uint8_t> page(n);
      r.bytes(page.data(), n);
      out.insert(out.end(), page.begin(), page.end());
      pages_.push_back(std::move(page));
      ++next_index_;
    } else if (tag == kReference) {
      uint64_t index = r.varint();
      if (index >= pages_.size() || pages_[index].size() != n) throw DecodeError("embedded read refers to no such page");
      out.insert(out.end(), pages_[index].begin(), pages_[index].end());
      ++referenced_;
    } else {
      throw DecodeError("embedded read: unknown page tag");
    }
  }
  return out;
}

}  // namespace rwd
