// virtio-gpu, 2D only (virtio 1.x, 5.7: device ID 16): the control queue
// (display info, EDID, 2D resources, their guest backing, scanouts,
// transfers and flushes) and the cursor queue (its state is kept, not
// drawn). Each scanout is a DisplayConsole of the machine's DisplaySet.
//
// The driver is untrusted. Every request is checked before it acts: sizes
// and rectangles against their resource, the host memory all resources
// take against a bound (max_hostmem), backing entries against guest RAM;
// a bad one gets a VIRTIO_GPU_RESP_ERR_* answer and changes nothing. Guest
// memory is read only through the AddressSpace, never through a host
// pointer. Requests are served synchronously in notify(), so the screen is
// a function of the guest's actions: a replay draws the same pictures.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hw/virtio/virtio_device.h"
#include "hw/virtio/virtio_gpu_proto.h"

namespace rwd {

class AddressSpace;
class DisplayConsole;
class DisplaySet;

struct GpuConfig {
  uint32_t xres = 1280, yres = 800;  // the mode GET_DISPLAY_INFO offers (QEMU's default)
  unsigned max_outputs = 1;          // scanouts (one supported)
  bool edid = true;                  // offer VIRTIO_GPU_F_EDID
  uint64_t max_hostmem = 256ull << 20;  // host bytes all resources may take (QEMU's default)
  std::string name;                  // the console's name (the device's id=, may be empty)
};

class VirtioGpu : public VirtioDevice {
 public:
  static constexpr uint16_t kQueueSize = 256;
  // Attach-backing takes at most this many entries (what one request may
  // carry; the Linux driver sends one per page run).
  static constexpr uint32_t kMaxBackingEntries = 16384;
  // Resources live at once (ids are the guest's; this caps the map).
  static constexpr size_t kMaxResources = 4096;
  // A resource's side may be at most this long (the product is also bounded
  // by max_hostmem).
  static constexpr uint32_t kMaxSide = 16384;

  // Throws std::invalid_argument with one line when the config is unusable
  // (more than one output, a mode outside the console's bounds).
  VirtioGpu(AddressSpace& as, DisplaySet& displays, GpuConfig cfg);
  ~VirtioGpu() override;

  std::string name() const override { return "virtio-gpu-device"; }
  uint32_t device_id() const override { return gpu::kDeviceId; }
  uint64_t features() const override { return cfg_.edid ? gpu::kFEdid : 0; }
  unsigned queue_count() const override { return 2; }
  uint16_t queue_max_size(unsigned) const override { return kQueueSize; }
  uint32_t config_size() const override { return 16; }
  uint8_t config_read(uint32_t offset) override;
  void config_write(uint32_t offset, uint8_t value) override;
  void notify(unsigned queue, VirtQueue& q) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // For tests and `info`: the host bytes resources take now.
  uint64_t hostmem_used() const { return hostmem_; }
  size_t resource_count() const { return resources_.size(); }
  struct Cursor {
    uint32_t scanout = 0, x = 0, y = 0, resource = 0, hot_x = 0, hot_y = 0;
  };
  const Cursor& cursor() const { return cursor_; }
  DisplayConsole& console() { return *console_; }

 private:
  struct Resource {
    uint32_t format = 0, width = 0, height = 0;
    std::vector<uint8_t> pixels;         // width * height * 4, the guest's byte layout
    std::vector<gpu::MemEntry> backing;  // guest pages (validated against RAM when attached)
    std::vector<uint64_t> backing_end;   // where each entry ends in the backing's bytes
    uint64_t backing_bytes = 0;
  };
  struct Scanout {
    uint32_t resource = 0;  // 0: disabled
    gpu::Rect r{};          // the part of the resource shown
  };

  // One request of the control queue, answered and pushed; one of the
  // cursor queue, pushed without an answer.
  void control(VirtQueue& q, const VirtqElement& e);
  void cursor_request(VirtQueue& q, const VirtqElement& e);
  // Each command: the answer's type (VIRTIO_GPU_RESP_*); nothing changes
  // unless it is OK_NODATA.
  uint32_t create_2d(const gpu::ResourceCreate2d& c);
  uint32_t unref(uint32_t id);
  uint32_t set_scanout(const gpu::SetScanout& c);
  uint32_t flush(const gpu::ResourceFlush& c);
  uint32_t transfer(const gpu::TransferToHost2d& c);
  uint32_t attach_backing(VirtQueue& q, const VirtqElement& e, const gpu::AttachBacking& c);
  uint32_t detach_backing(uint32_t id);
  void display_info(gpu::RespDisplayInfo& out) const;
  void edid(gpu::RespEdid& out) const;
  Resource* find(uint32_t id);
  // Whether `r` may be shown from `res`: not empty, inside it, within the
  // console's bounds (SET_SCANOUT, and a loaded state).
  static bool scanout_fits(const Resource& res, const gpu::Rect& r);
  // Converts the part `r` (resource coordinates, inside the scanout's
  // rectangle and the resource) into the console and marks it dirty.
  void draw(const Resource& res, const gpu::Rect& r);
  // Shows scanout 0 again from scratch (after set_scanout and load).
  void refresh_console();
  bool read_backing(const Resource& res, uint64_t offset, uint8_t* out, uint64_t len);

  AddressSpace& as_;
  GpuConfig cfg_;
  DisplayConsole* console_;
  uint32_t events_read_ = 0;
  std::map<uint32_t, Resource> resources_;
  uint64_t hostmem_ = 0;
  Scanout scanout_;
  Cursor cursor_;
};

}  // namespace rwd
