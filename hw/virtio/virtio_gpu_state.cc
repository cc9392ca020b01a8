// virtio-gpu's part of the whole-machine state: the resources with their
// pixels and backing lists, the scanout, the cursor. A load checks what it
// reads as a guest request would be checked (a state file is input too),
// then shows the restored scanout on the console.

#include "hw/core/memory.h"
#include "hw/virtio/virtio_gpu.h"

namespace rwd {

using namespace gpu;

namespace {

void put_rect(ByteWriter& w, const Rect& r) {
  w.u32(r.x);
  w.u32(r.y);
  w.u32(r.width);
  w.u32(r.height);
}

Rect get_rect(ByteReader& r) {
  Rect x;
  x.x = r.u32();
  x.y = r.u32();
  x.width = r.u32();
  x.height = r.u32();
  return x;
}

bool known_format(uint32_t f) {
  switch (f) {
    case kFormatB8G8R8A8: case kFormatB8G8R8X8: case kFormatA8R8G8B8: case kFormatX8R8G8B8:
    case kFormatR8G8B8A8: case kFormatX8B8G8R8: case kFormatA8B8G8R8: case kFormatR8G8B8X8:
      return true;
    default:
      return false;
  }
}

}  // namespace

void VirtioGpu::save(ByteWriter& w) const {
  w.section("virtio_gpu");
  w.u32(events_read_);
  w.u32(scanout_.resource);
  put_rect(w, scanout_.r);
  for (uint32_t v : {cursor_.scanout, cursor_.x, cursor_.y, cursor_.resource, cursor_.hot_x, cursor_.hot_y}) w.u32(v);
  w.u32(static_cast<uint32_t>(resources_.size()));
  for (const auto& [id, res] : resources_) {
    w.u32(id);
    w.u32(res.format);
    w.u32(res.width);
    w.u32(res.height);
    w.blob(res.pixels.data(), res.pixels.size());
    w.u32(static_cast<uint32_t>(res.backing.size()));
    for (const MemEntry& m : res.backing) {
      w.u64(m.addr);
      w.u32(m.length);
    }
  }
}

void VirtioGpu::load(ByteReader& r) {
  r.expect_section("virtio_gpu");
  uint32_t events = r.u32();
  Scanout scanout;
  scanout.resource = r.u32();
  scanout.r = get_rect(r);
  Cursor cursor;
  for (uint32_t* v : {&cursor.scanout, &cursor.x, &cursor.y, &cursor.resource, &cursor.hot_x, &cursor.hot_y})
    *v = r.u32();
  uint32_t count = r.u32();
  if (count > kMaxResources) throw DecodeError("virtio-gpu: too many resources");
  std::map<uint32_t, Resource> resources;
  uint64_t hostmem = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t id = r.u32();
    Resource res;
    res.format = r.u32();
    res.width = r.u32();
    res.height = r.u32();
    if (id == 0 || resources.count(id) || !known_format(res.format) || res.width == 0 || res.height == 0 ||
        res.width > kMaxSide || res.height > kMaxSide)
      throw DecodeError("virtio-gpu: bad resource");
    uint64_t bytes = uint64_t{res.width} * res.height * 4;
    if (bytes > cfg_.max_hostmem - hostmem) throw DecodeError("virtio-gpu: resources exceed max_hostmem");
    res.pixels = r.blob(bytes);
    if (res.pixels.size() != bytes) throw DecodeError("virtio-gpu: bad resource pixels");
    hostmem += bytes;
    uint32_t entries = r.u32();
    if (entries > kMaxBackingEntries) throw DecodeError("virtio-gpu: bad backing");
    for (uint32_t k = 0; k < entries; ++k) {
      MemEntry m{};
      m.addr = r.u64();
      m.length = r.u32();
      if (m.length && !as_.find_ram(m.addr, m.length)) throw DecodeError("virtio-gpu: backing outside RAM");
      res.backing_bytes += m.length;
      res.backing.push_back(m);
      res.backing_end.push_back(res.backing_bytes);
    }
    resources.emplace(id, std::move(res));
  }
  if (scanout.resource) {
    auto it = resources.find(scanout.resource);
    if (it == resources.end() || !scanout_fits(it->second, scanout.r)) throw DecodeError("virtio-gpu: bad scanout");
  }
  events_read_ = events;
  scanout_ = scanout;
  cursor_ = cursor;
  resources_ = std::move(resources);
  hostmem_ = hostmem;
  refresh_console();
}

}  // namespace rwd
