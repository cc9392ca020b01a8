// The virtio-gpu wire format (virtio 1.x, 5.7): command and response
// codes, the structures the driver places in the queues, and the pixel
// formats of 2D resources. All fields are little-endian (the host is too:
// checked in virtqueue.cc), so the structures are read and written as-is.
#pragma once
#include <cstdint>

namespace rwd::gpu {

inline constexpr uint32_t kDeviceId = 16;
inline constexpr uint64_t kFEdid = 1ull << 1;  // VIRTIO_GPU_F_EDID
inline constexpr uint32_t kEventDisplay = 1;   // events_read: the display changed
inline constexpr unsigned kMaxScanouts = 16;   // entries in the display-info reply

// Command types (5.7.6.7).
enum : uint32_t {
  kCmdGetDisplayInfo = 0x0100,
  kCmdResourceCreate2d = 0x0101,
  kCmdResourceUnref = 0x0102,
  kCmdSetScanout = 0x0103,
  kCmdResourceFlush = 0x0104,
  kCmdTransferToHost2d = 0x0105,
  kCmdResourceAttachBacking = 0x0106,
  kCmdResourceDetachBacking = 0x0107,
  kCmdGetCapsetInfo = 0x0108,
  kCmdGetCapset = 0x0109,
  kCmdGetEdid = 0x010a,
  kCmdUpdateCursor = 0x0300,
  kCmdMoveCursor = 0x0301,
};

// Response types.
enum : uint32_t {
  kRespOkNodata = 0x1100,
  kRespOkDisplayInfo = 0x1101,
  kRespOkEdid = 0x1104,
  kRespErrUnspec = 0x1200,
  kRespErrOutOfMemory = 0x1201,
  kRespErrInvalidScanoutId = 0x1202,
  kRespErrInvalidResourceId = 0x1203,
  kRespErrInvalidContextId = 0x1204,
  kRespErrInvalidParameter = 0x1205,
};

inline constexpr uint32_t kFlagFence = 1;

// Resource formats (5.7.6.8), named by their bytes in memory.
enum : uint32_t {
  kFormatB8G8R8A8 = 1,
  kFormatB8G8R8X8 = 2,
  kFormatA8R8G8B8 = 3,
  kFormatX8R8G8B8 = 4,
  kFormatR8G8B8A8 = 67,
  kFormatX8B8G8R8 = 68,
  kFormatA8B8G8R8 = 121,
  kFormatR8G8B8X8 = 134,
};

struct CtrlHdr {
  uint32_t type;
  uint32_t flags;
  uint64_t fence_id;
  uint32_t ctx_id;
  uint8_t ring_idx;
  uint8_t padding[3];
};
static_assert(sizeof(CtrlHdr) == 24);

struct Rect {
  uint32_t x, y, width, height;
};

struct DisplayOne {
  Rect r;
  uint32_t enabled;
  uint32_t flags;
};

struct RespDisplayInfo {
  CtrlHdr hdr;
  DisplayOne pmodes[kMaxScanouts];
};
static_assert(sizeof(RespDisplayInfo) == 408);

struct GetEdid {
  CtrlHdr hdr;
  uint32_t scanout;
  uint32_t padding;
};

struct RespEdid {
  CtrlHdr hdr;
  uint32_t size;
  uint32_t padding;
  uint8_t edid[1024];
};

struct ResourceCreate2d {
  CtrlHdr hdr;
  uint32_t resource_id;
  uint32_t format;
  uint32_t width;
  uint32_t height;
};

struct ResourceUnref {  // also RESOURCE_DETACH_BACKING
  CtrlHdr hdr;
  uint32_t resource_id;
  uint32_t padding;
};

struct SetScanout {
  CtrlHdr hdr;
  Rect r;
  uint32_t scanout_id;
  uint32_t resource_id;
};

struct ResourceFlush {
  CtrlHdr hdr;
  Rect r;
  uint32_t resource_id;
  uint32_t padding;
};

struct TransferToHost2d {
  CtrlHdr hdr;
  Rect r;
  uint64_t offset;
  uint32_t resource_id;
  uint32_t padding;
};
static_assert(sizeof(TransferToHost2d) == 56);

struct AttachBacking {  // followed by nr_entries MemEntry
  CtrlHdr hdr;
  uint32_t resource_id;
  uint32_t nr_entries;
};

struct MemEntry {
  uint64_t addr;
  uint32_t length;
  uint32_t padding;
};
static_assert(sizeof(MemEntry) == 16);

struct CursorPos {
  uint32_t scanout_id, x, y, padding;
};

struct UpdateCursor {  // also MOVE_CURSOR (which uses only pos)
  CtrlHdr hdr;
  CursorPos pos;
  uint32_t resource_id;
  uint32_t hot_x, hot_y;
  uint32_t padding;
};
static_assert(sizeof(UpdateCursor) == 56);

}  // namespace rwd::gpu
