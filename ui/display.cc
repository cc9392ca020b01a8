#include "ui/display.h"

#include <pixman.h>

#include <algorithm>
#include <new>

namespace rwd {

DisplaySurface::DisplaySurface(int width, int height)
    : width_(width), height_(height),
      image_(pixman_image_create_bits(PIXMAN_x8r8g8b8, width, height, nullptr, 0)) {
  // pixman zero-fills the bits it allocates: a new surface is black.
  if (!image_) throw std::bad_alloc();
}

DisplaySurface::~DisplaySurface() { pixman_image_unref(image_); }

int DisplaySurface::stride() const { return pixman_image_get_stride(image_); }

uint32_t* DisplaySurface::row(int y) {
  return reinterpret_cast<uint32_t*>(reinterpret_cast<uint8_t*>(pixman_image_get_data(image_)) +
                                     static_cast<size_t>(y) * stride());
}

const uint32_t* DisplaySurface::row(int y) const { return const_cast<DisplaySurface*>(this)->row(y); }

bool DisplayConsole::resize(int width, int height) {
  if (width <= 0 || height <= 0 || width > kMaxWidth || height > kMaxHeight) return false;
  if (surface_ && surface_->width() == width && surface_->height() == height) return true;
  surface_ = std::make_unique<DisplaySurface>(width, height);
  for (DisplayListener* l : listeners_) l->surface_changed(surface_.get());
  return true;
}

void DisplayConsole::disable() {
  if (!surface_) return;
  surface_.reset();
  for (DisplayListener* l : listeners_) l->surface_changed(nullptr);
}

void DisplayConsole::mark_dirty(DisplayRect r) {
  if (!surface_) return;
  int x0 = std::max(r.x, 0), y0 = std::max(r.y, 0);
  int x1 = std::min<long>(static_cast<long>(r.x) + r.w, surface_->width());
  int y1 = std::min<long>(static_cast<long>(r.y) + r.h, surface_->height());
  DisplayRect c{x0, y0, x1 - x0, y1 - y0};
  if (c.empty()) return;
  for (DisplayListener* l : listeners_) l->updated(c);
}

void DisplayConsole::add_listener(DisplayListener* l) {
  listeners_.push_back(l);
  l->surface_changed(surface_.get());
}

void DisplayConsole::remove_listener(DisplayListener* l) {
  listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), l), listeners_.end());
}

DisplayConsole& DisplaySet::add(const std::string& name) {
  consoles_.push_back(std::make_unique<DisplayConsole>(name));
  return *consoles_.back();
}

}  // namespace rwd
