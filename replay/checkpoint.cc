#include "replay/checkpoint.h"

namespace rwd {

void Checkpoint::encode(ByteWriter& w) const {
  w.varint(cpu.size());
  for (uint64_t x : cpu) w.varint(x);
  w.varint(extra.size());
  for (auto& [name, value] : extra) {
    w.str(name);
    w.u64(value);
  }
  w.u64(ram_hash);
  w.varint(pages.size());
  for (const std::vector<Page>& block : pages) {
    w.varint(block.size());
    uint32_t prev = 0;
    for (const Page& p : block) {
      w.varint(p.number - prev);
      prev = p.number;
      w.u32(p.hash);
    }
  }
}

Checkpoint Checkpoint::decode(ByteReader& r) {
  Checkpoint c;
  uint64_t n = r.varint();
  if (n > kMaxCpuValues || n > r.left()) throw DecodeError("checkpoint lists " + std::to_string(n) + " CPU values");
  c.cpu.resize(n);
  for (uint64_t& x : c.cpu) x = r.varint();
  uint64_t m = r.varint();
  if (m > kMaxExtra || m > r.left()) throw DecodeError("checkpoint lists " + std::to_string(m) + " named values");
  for (uint64_t i = 0; i < m; ++i) {
    std::string name = r.str(kMaxName);
    c.extra.emplace_back(std::move(name), r.u64());
  }
  c.ram_hash = r.u64();
  uint64_t blocks = r.varint();
  if (blocks > kMaxRamBlocks) throw DecodeError("checkpoint lists " + std::to_string(blocks) + " RAM blocks");
  c.pages.resize(blocks);
  for (std::vector<Page>& block : c.pages) {
    uint64_t count = r.varint();
    if (count > r.left() / 5) throw DecodeError("checkpoint lists more pages than it holds");
    block.resize(count);
    uint64_t number = 0;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t delta = r.varint();
      if ((i > 0 && delta == 0) || number + delta > UINT32_MAX) throw DecodeError("checkpoint pages out of order");
      number += delta;
      block[i] = Page{static_cast<uint32_t>(number), r.u32()};
    }
  }
  return c;
}

}  // namespace rwd
