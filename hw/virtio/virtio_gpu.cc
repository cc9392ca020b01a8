#include "hw/virtio/virtio_gpu.h"

#include <pixman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "hw/core/memory.h"
#include "hw/display/edid.h"
#include "ui/display.h"

namespace rwd {

using namespace gpu;

namespace {

constexpr uint32_t kBytesPerPixel = 4;  // every 2D format the device takes

// The pixman format that reads a resource's bytes as the guest laid them
// out (pixman names formats by their bits in a host-order 32-bit word; the
// host is little-endian, so the byte order is reversed). 0: not a format.
pixman_format_code_t pixman_format(uint32_t format) {
  switch (format) {
    case kFormatB8G8R8A8: return PIXMAN_a8r8g8b8;
    case kFormatB8G8R8X8: return PIXMAN_x8r8g8b8;
    case kFormatA8R8G8B8: return PIXMAN_b8g8r8a8;
    case kFormatX8R8G8B8: return PIXMAN_b8g8r8x8;
    case kFormatR8G8B8A8: return PIXMAN_a8b8g8r8;
    case kFormatX8B8G8R8: return PIXMAN_r8g8b8x8;
    case kFormatA8B8G8R8: return PIXMAN_r8g8b8a8;
    case kFormatR8G8B8X8: return PIXMAN_x8b8g8r8;
    default: return static_cast<pixman_format_code_t>(0);
  }
}

// Whether `r` lies inside a width x height resource (64-bit sums: the
// guest's fields may be anything).
bool inside(const Rect& r, uint32_t width, uint32_t height) {
  return uint64_t{r.x} + r.width <= width && uint64_t{r.y} + r.height <= height;
}

bool empty(const Rect& r) { return r.width == 0 || r.height == 0; }

Rect intersect(const Rect& a, const Rect& b) {
  uint64_t x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  uint64_t x1 = std::min(uint64_t{a.x} + a.width, uint64_t{b.x} + b.width);
  uint64_t y1 = std::min(uint64_t{a.y} + a.height, uint64_t{b.y} + b.height);
  if (x1 <= x0 || y1 <= y0) return Rect{};
  return Rect{static_cast<uint32_t>(x0), static_cast<uint32_t>(y0), static_cast<uint32_t>(x1 - x0),
              static_cast<uint32_t>(y1 - y0)};
}

// Reads the request's command structure; false when the driver sent less.
template <typename T>
bool read_command(VirtQueue& q, const VirtqElement& e, T& out) {
  std::memset(&out, 0, sizeof out);
  return e.out_bytes() >= sizeof out && q.copy_from_guest(e, 0, &out, sizeof out) == sizeof out;
}

}  // namespace

VirtioGpu::VirtioGpu(AddressSpace& as, DisplaySet& displays, GpuConfig cfg) : as_(as), cfg_(std::move(cfg)) {
  if (cfg_.max_outputs != 1)
    throw std::invalid_argument("max_outputs=" + std::to_string(cfg_.max_outputs) +
                                ": only one output (scanout) is supported");
  if (cfg_.xres == 0 || cfg_.yres == 0 || cfg_.xres > DisplayConsole::kMaxWidth ||
      cfg_.yres > DisplayConsole::kMaxHeight)
    throw std::invalid_argument("xres/yres: the mode must be between 1x1 and " +
                                std::to_string(DisplayConsole::kMaxWidth) + "x" +
                                std::to_string(DisplayConsole::kMaxHeight));
  console_ = &displays.add(cfg_.name);
}

VirtioGpu::~VirtioGpu() = default;

// The configuration space (5.7.4): events_read, events_clear (write 1s to
// clear), num_scanouts, num_capsets (0: no 3D).
uint8_t VirtioGpu::config_read(uint32_t offset) {
  uint32_t words[4] = {events_read_, 0, cfg_.max_outputs, 0};
  if (offset >= sizeof words) return 0;
  return static_cast<uint8_t>(words[offset / 4] >> (8 * (offset % 4)));
}

void VirtioGpu::config_write(uint32_t offset, uint8_t value) {
  if (offset >= 4 && offset < 8) events_read_ &= ~(uint32_t{value} << (8 * (offset - 4)));
}

void VirtioGpu::notify(unsigned queue, VirtQueue& q) {
  VirtqElement e;
  while (q.pop(e) == VirtQueue::Pop::kElement) {
    if (queue == 0)
      control(q, e);
    else
      cursor_request(q, e);
  }
}

VirtioGpu::Resource* VirtioGpu::find(uint32_t id) {
  auto it = resources_.find(id);
  return it == resources_.end() ? nullptr : &it->second;
}

void VirtioGpu::control(VirtQueue& q, const VirtqElement& e) {
  CtrlHdr hdr{};
  if (e.out_bytes() < sizeof hdr || q.copy_from_guest(e, 0, &hdr, sizeof hdr) != sizeof hdr) {
    // Not even a header: an error if there is room for one, else nothing.
    CtrlHdr resp{};
    resp.type = kRespErrUnspec;
    q.push(e, e.in_bytes() >= sizeof resp ? q.copy_to_guest(e, 0, &resp, sizeof resp) : 0);
    return;
  }
  // The answer: a header (with the fence, when asked for) and what follows.
  union {
    CtrlHdr hdr;
    RespDisplayInfo info;
    RespEdid edid;
  } resp;
  std::memset(&resp, 0, sizeof resp);
  size_t resp_size = sizeof(CtrlHdr);
  uint32_t type = kRespErrInvalidParameter;  // a command too short for its structure
  switch (hdr.type) {
    case kCmdGetDisplayInfo:
      display_info(resp.info);
      type = kRespOkDisplayInfo;
      resp_size = sizeof(RespDisplayInfo);
      break;
    case kCmdGetEdid: {
      GetEdid c;
      if (!read_command(q, e, c)) break;
      if (!cfg_.edid) {
        type = kRespErrUnspec;
      } else if (c.scanout >= cfg_.max_outputs) {
        type = kRespErrInvalidParameter;
      } else {
        edid(resp.edid);
        type = kRespOkEdid;
        resp_size = sizeof(RespEdid);
      }
      break;
    }
    case kCmdResourceCreate2d: {
      ResourceCreate2d c;
      if (read_command(q, e, c)) type = create_2d(c);
      break;
    }
    case kCmdResourceUnref: {
      ResourceUnref c;
      if (read_command(q, e, c)) type = unref(c.resource_id);
      break;
    }
    case kCmdSetScanout: {
      SetScanout c;
      if (read_command(q, e, c)) type = set_scanout(c);
      break;
    }
    case kCmdResourceFlush: {
      ResourceFlush c;
      if (read_command(q, e, c)) type = flush(c);
      break;
    }
    case kCmdTransferToHost2d: {
      TransferToHost2d c;
      if (read_command(q, e, c)) type = transfer(c);
      break;
    }
    case kCmdResourceAttachBacking: {
      AttachBacking c;
      if (read_command(q, e, c)) type = attach_backing(q, e, c);
      break;
    }
    case kCmdResourceDetachBacking: {
      ResourceUnref c;
      if (read_command(q, e, c)) type = detach_backing(c.resource_id);
      break;
    }
    default:
      // 3D, capsets, blobs, UUIDs, and anything else: not offered.
      type = kRespErrUnspec;
      break;
  }
  if (type < kRespOkNodata || type >= kRespErrUnspec) resp_size = sizeof(CtrlHdr);
  resp.hdr.type = type;
  if (hdr.flags & kFlagFence) {
    // Requests are done when answered, so the fence is signalled at once.
    resp.hdr.flags = kFlagFence;
    resp.hdr.fence_id = hdr.fence_id;
    resp.hdr.ctx_id = hdr.ctx_id;
  }
  q.push(e, q.copy_to_guest(e, 0, &resp, resp_size));
}

void VirtioGpu::display_info(RespDisplayInfo& out) const {
  for (unsigned i = 0; i < cfg_.max_outputs && i < kMaxScanouts; ++i) {
    out.pmodes[i].r = Rect{0, 0, cfg_.xres, cfg_.yres};
    out.pmodes[i].enabled = 1;
  }
}

void VirtioGpu::edid(RespEdid& out) const {
  std::array<uint8_t, 128> block = make_edid(cfg_.xres, cfg_.yres);
  out.size = static_cast<uint32_t>(block.size());
  std::memcpy(out.edid, block.data(), block.size());
}

uint32_t VirtioGpu::create_2d(const ResourceCreate2d& c) {
  if (c.resource_id == 0 || resources_.count(c.resource_id)) return kRespErrInvalidResourceId;
  if (pixman_format(c.format) == 0) return kRespErrInvalidParameter;
  if (c.width == 0 || c.height == 0 || c.width > kMaxSide || c.height > kMaxSide) return kRespErrInvalidParameter;
  uint64_t bytes = uint64_t{c.width} * c.height * kBytesPerPixel;
  if (resources_.size() >= kMaxResources || bytes > cfg_.max_hostmem - hostmem_) return kRespErrOutOfMemory;
  Resource res;
  res.format = c.format;
  res.width = c.width;
  res.height = c.height;
  try {
    res.pixels.assign(bytes, 0);
  } catch (const std::bad_alloc&) {
    return kRespErrOutOfMemory;
  }
  resources_.emplace(c.resource_id, std::move(res));
  hostmem_ += bytes;
  return kRespOkNodata;
}

uint32_t VirtioGpu::unref(uint32_t id) {
  Resource* res = find(id);
  if (!res) return kRespErrInvalidResourceId;
  if (scanout_.resource == id) {
    // The picture's source is gone: the scanout goes dark, as if disabled.
    scanout_ = Scanout{};
    console_->disable();
  }
  if (cursor_.resource == id) cursor_.resource = 0;
  hostmem_ -= res->pixels.size();
  resources_.erase(id);
  return kRespOkNodata;
}

uint32_t VirtioGpu::set_scanout(const SetScanout& c) {
  if (c.scanout_id >= cfg_.max_outputs) return kRespErrInvalidScanoutId;
  if (c.resource_id == 0) {
    scanout_ = Scanout{};
    console_->disable();
    return kRespOkNodata;
  }
  Resource* res = find(c.resource_id);
  if (!res) return kRespErrInvalidResourceId;
  if (!scanout_fits(*res, c.r)) return kRespErrInvalidParameter;
  scanout_.resource = c.resource_id;
  scanout_.r = c.r;
  refresh_console();
  return kRespOkNodata;
}

bool VirtioGpu::scanout_fits(const Resource& res, const Rect& r) {
  return !empty(r) && inside(r, res.width, res.height) && r.width <= uint32_t{DisplayConsole::kMaxWidth} &&
         r.height <= uint32_t{DisplayConsole::kMaxHeight};
}

void VirtioGpu::refresh_console() {
  Resource* res = scanout_.resource ? find(scanout_.resource) : nullptr;
  if (!res) {
    console_->disable();
    return;
  }
  try {
    if (!console_->resize(static_cast<int>(scanout_.r.width), static_cast<int>(scanout_.r.height))) return;
  } catch (const std::bad_alloc&) {
    console_->disable();
    return;
  }
  draw(*res, scanout_.r);
}

void VirtioGpu::draw(const Resource& res, const Rect& r) {
  DisplaySurface* surface = console_->surface();
  if (!surface || empty(r)) return;
  // pixman reads the resource in place (it does not write a source image).
  pixman_image_t* src = pixman_image_create_bits(pixman_format(res.format), static_cast<int>(res.width),
                                                 static_cast<int>(res.height),
                                                 reinterpret_cast<uint32_t*>(const_cast<uint8_t*>(res.pixels.data())),
                                                 static_cast<int>(res.width * kBytesPerPixel));
  if (!src) return;
  int dx = static_cast<int>(r.x - scanout_.r.x), dy = static_cast<int>(r.y - scanout_.r.y);
  pixman_image_composite32(PIXMAN_OP_SRC, src, nullptr, surface->image(), static_cast<int32_t>(r.x),
                           static_cast<int32_t>(r.y), 0, 0, dx, dy, static_cast<int32_t>(r.width),
                           static_cast<int32_t>(r.height));
  pixman_image_unref(src);
  console_->mark_dirty(DisplayRect{dx, dy, static_cast<int>(r.width), static_cast<int>(r.height)});
}

uint32_t VirtioGpu::flush(const ResourceFlush& c) {
  Resource* res = find(c.resource_id);
  if (!res) return kRespErrInvalidResourceId;
  if (!inside(c.r, res->width, res->height)) return kRespErrInvalidParameter;
  if (scanout_.resource == c.resource_id) draw(*res, intersect(c.r, scanout_.r));
  return kRespOkNodata;
}

// Copies `len` bytes of the backing, from `offset`, through the address
// space (each entry was checked to be RAM when attached).
bool VirtioGpu::read_backing(const Resource& res, uint64_t offset, uint8_t* out, uint64_t len) {
  if (offset > res.backing_bytes || len > res.backing_bytes - offset) return false;
  // The first entry that ends after `offset`.
  auto it = std::upper_bound(res.backing_end.begin(), res.backing_end.end(), offset);
  size_t i = static_cast<size_t>(it - res.backing_end.begin());
  while (len > 0 && i < res.backing.size()) {
    uint64_t start = res.backing_end[i] - res.backing[i].length;
    uint64_t in_entry = offset - start;
    uint64_t n = std::min<uint64_t>(res.backing[i].length - in_entry, len);
    if (n && !as_.read_bytes(res.backing[i].addr + in_entry, out, n)) return false;
    out += n;
    offset += n;
    len -= n;
    ++i;
  }
  return len == 0;
}

uint32_t VirtioGpu::transfer(const TransferToHost2d& c) {
  Resource* res = find(c.resource_id);
  if (!res) return kRespErrInvalidResourceId;
  if (res->backing.empty()) return kRespErrUnspec;
  if (empty(c.r)) return kRespOkNodata;
  if (!inside(c.r, res->width, res->height)) return kRespErrInvalidParameter;
  // The rectangle's rows sit `stride` bytes apart in the backing as in the
  // resource, its first pixel at `offset`.
  const uint64_t stride = uint64_t{res->width} * kBytesPerPixel;
  const uint64_t row_bytes = uint64_t{c.r.width} * kBytesPerPixel;
  const uint64_t span = (c.r.height - 1) * stride + row_bytes;
  if (c.offset > res->backing_bytes || span > res->backing_bytes - c.offset) return kRespErrInvalidParameter;
  uint8_t* dst = res->pixels.data() + c.r.y * stride + uint64_t{c.r.x} * kBytesPerPixel;
  if (c.r.x == 0 && c.r.width == res->width)  // whole rows: one piece
    return read_backing(*res, c.offset, dst, span) ? kRespOkNodata : kRespErrUnspec;
  for (uint32_t row = 0; row < c.r.height; ++row)
    if (!read_backing(*res, c.offset + row * stride, dst + row * stride, row_bytes)) return kRespErrUnspec;
  return kRespOkNodata;
}

uint32_t VirtioGpu::attach_backing(VirtQueue& q, const VirtqElement& e, const AttachBacking& c) {
  Resource* res = find(c.resource_id);
  if (!res) return kRespErrInvalidResourceId;
  if (!res->backing.empty()) return kRespErrUnspec;
  if (c.nr_entries == 0 || c.nr_entries > kMaxBackingEntries) return kRespErrInvalidParameter;
  uint64_t bytes = uint64_t{c.nr_entries} * sizeof(MemEntry);
  if (e.out_bytes() - sizeof c < bytes) return kRespErrInvalidParameter;
  std::vector<MemEntry> entries(c.nr_entries);
  if (q.copy_from_guest(e, sizeof c, entries.data(), bytes) != bytes) return kRespErrInvalidParameter;
  std::vector<uint64_t> ends;
  ends.reserve(entries.size());
  uint64_t total = 0;
  for (const MemEntry& m : entries) {
    // Pages the guest names must be its RAM, each entry in one block.
    if (m.length && !as_.find_ram(m.addr, m.length)) return kRespErrUnspec;
    total += m.length;
    ends.push_back(total);
  }
  res->backing = std::move(entries);
  res->backing_end = std::move(ends);
  res->backing_bytes = total;
  return kRespOkNodata;
}

uint32_t VirtioGpu::detach_backing(uint32_t id) {
  Resource* res = find(id);
  if (!res) return kRespErrInvalidResourceId;
  if (res->backing.empty()) return kRespErrUnspec;
  res->backing.clear();
  res->backing_end.clear();
  res->backing_bytes = 0;
  return kRespOkNodata;
}

// The cursor queue: its requests get no answer (the driver only waits for
// them to be used). The cursor's position and image resource are kept.
void VirtioGpu::cursor_request(VirtQueue& q, const VirtqElement& e) {
  UpdateCursor c;
  if (read_command(q, e, c) && c.pos.scanout_id < cfg_.max_outputs) {
    if (c.hdr.type == kCmdUpdateCursor || c.hdr.type == kCmdMoveCursor) {
      cursor_.scanout = c.pos.scanout_id;
      cursor_.x = c.pos.x;
      cursor_.y = c.pos.y;
    }
    if (c.hdr.type == kCmdUpdateCursor && (c.resource_id == 0 || find(c.resource_id))) {
      cursor_.resource = c.resource_id;
      cursor_.hot_x = c.hot_x;
      cursor_.hot_y = c.hot_y;
    }
  }
  q.push(e, 0);
}

void VirtioGpu::reset() {
  resources_.clear();
  hostmem_ = 0;
  scanout_ = Scanout{};
  cursor_ = Cursor{};
  events_read_ = 0;
  console_->disable();
}

}  // namespace rwd
