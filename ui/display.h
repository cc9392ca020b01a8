// The screen: what a display device draws and who looks at it.
//
// A display device (virtio-gpu) owns one DisplayConsole per scanout and
// registers it with the machine's DisplaySet. The device draws into the
// console's surface (host-side xRGB pixels, through pixman) and says which
// rectangle changed; listeners (a VNC server, a screendump) read the surface.
// The console is output only: nothing a listener does reaches the guest, so
// a replay re-renders the same pictures from the same guest actions.
//
// Everything here runs on the emulator thread (between translation blocks
// or in host-loop callbacks); nothing is locked.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

typedef union pixman_image pixman_image_t;

namespace rwd {

struct DisplayRect {
  int x = 0, y = 0, w = 0, h = 0;
  bool empty() const { return w <= 0 || h <= 0; }
};

// Pixels as 32-bit x8r8g8b8 words in host byte order (PIXMAN_x8r8g8b8),
// rows `stride()` bytes apart.
class DisplaySurface {
 public:
  // Throws std::bad_alloc if pixman cannot allocate (sizes are checked by
  // the caller: see DisplayConsole::kMaxWidth/kMaxHeight).
  DisplaySurface(int width, int height);
  ~DisplaySurface();
  DisplaySurface(const DisplaySurface&) = delete;
  DisplaySurface& operator=(const DisplaySurface&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  int stride() const;  // bytes per row
  uint32_t* row(int y);
  const uint32_t* row(int y) const;
  pixman_image_t* image() const { return image_; }

 private:
  int width_, height_;
  pixman_image_t* image_;
};

class DisplayListener {
 public:
  virtual ~DisplayListener() = default;
  // The console got a new surface (a new size) or lost it (null: the guest
  // disabled the scanout). The whole picture is new.
  virtual void surface_changed(const DisplaySurface* surface) = 0;
  // Pixels inside `r` changed (already clipped to the surface).
  virtual void updated(const DisplayRect& r) = 0;
};

class DisplayConsole {
 public:
  // Largest surface a guest may ask for (bounds host memory: 64 MiB).
  static constexpr int kMaxWidth = 4096, kMaxHeight = 4096;

  explicit DisplayConsole(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // Device side. resize() makes a new black surface unless the size is the
  // same; false if the size is out of bounds (the surface is then unchanged).
  bool resize(int width, int height);
  void disable();
  DisplaySurface* surface() { return surface_.get(); }
  const DisplaySurface* surface() const { return surface_.get(); }
  // Clips `r` to the surface and tells every listener.
  void mark_dirty(DisplayRect r);

  // Listener side. The listener must stay alive until removed; it is told
  // about the current surface at once.
  void add_listener(DisplayListener* l);
  void remove_listener(DisplayListener* l);

 private:
  std::string name_;
  std::unique_ptr<DisplaySurface> surface_;
  std::vector<DisplayListener*> listeners_;
};

// The machine's consoles, in the order the devices were created (QEMU
// numbers them the same way: console 0 is the first display device).
class DisplaySet {
 public:
  DisplayConsole& add(const std::string& name);
  size_t size() const { return consoles_.size(); }
  DisplayConsole* console(size_t index) { return index < consoles_.size() ? consoles_[index].get() : nullptr; }

 private:
  std::vector<std::unique_ptr<DisplayConsole>> consoles_;
};

}  // namespace rwd
