// The VNC server (-vnc): RFB 3.8 through libvncserver, on the machine's
// host loop.
//
// No thread: the listening and client sockets are watched on the HostLoop,
// and libvncserver's rfbProcessEvents(screen, 0) runs when one is ready, so
// every libvncserver callback (a key, the pointer) runs between translation
// blocks. The framebuffer is console 0's surface itself (x8r8g8b8, no copy);
// the console's updated() marks the region modified and asks the host loop
// for one flush, so an idle screen costs nothing (no timer runs).
//
// Client input becomes InputRouter batches (ui/vnc_input.h); on replay the
// router is not live and client input is ignored, while the screen shows the
// re-rendered pictures. Without a display device, or with its scanout off,
// clients see a 640x480 black placeholder.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ui/display.h"
#include "ui/input.h"
#include "ui/vnc_input.h"
#include "ui/vnc_listen.h"
#include "ui/vnc_options.h"
#include "util/host_loop.h"

typedef struct _rfbScreenInfo* rfbScreenInfoPtr;
typedef struct _rfbClientRec* rfbClientPtr;

namespace rwd {

class VncServer : private DisplayListener {
 public:
  static constexpr int kPlaceholderWidth = 640, kPlaceholderHeight = 480;

  // Listens at once; throws VncError (one line) if it cannot. `console` may
  // be null (no display device).
  VncServer(const VncOptions& opts, HostLoop& loop, DisplayConsole* console, InputRouter& input);
  ~VncServer() override;
  VncServer(const VncServer&) = delete;
  VncServer& operator=(const VncServer&) = delete;

  // The TCP port of the VNC listener (-1 for a Unix socket) and of the
  // WebSocket listener (-1 without one).
  int port() const { return tcp_.port; }
  int websocket_port() const { return ws_.port; }
  size_t client_count() const { return clients_.size(); }
  // Where clients connect, e.g. "0.0.0.0:5901" or "unix:/tmp/vnc".
  std::string address() const;

 private:
  struct Client;

  // DisplayListener.
  void surface_changed(const DisplaySurface* surface) override;
  void updated(const DisplayRect& r) override;

  void watch_listener(int fd);
  void accept_clients(int listen_fd);
  void process();         // rfbProcessEvents once, then reap closed clients
  void watch_client(rfbClientPtr cl);
  void hold(rfbClientPtr cl);
  bool check_held(rfbClientPtr cl);  // false: the hold is over
  void schedule_flush();  // one process() at the next host-loop turn
  void set_framebuffer(char* pixels, int width, int height, int stride);
  void send(const std::vector<InputEvent>& batch);

  // libvncserver's hooks (vnc.cc): screen->screenData leads back here.
  struct Hooks;
  friend struct Hooks;
  void client_gone(rfbClientPtr cl);

  VncOptions opts_;
  HostLoop& loop_;
  DisplayConsole* console_;
  InputRouter& input_;
  VncInputMapper mapper_;
  rfbScreenInfoPtr screen_ = nullptr;
  std::vector<uint32_t> placeholder_;
  VncListenSockets tcp_, ws_;
  int unix_fd_ = -1;
  std::vector<std::unique_ptr<FdWatch>> listen_watches_;
  std::map<rfbClientPtr, std::unique_ptr<Client>> clients_;
  // Cleared by the destructor: a flush queued on the host loop then does
  // nothing (the loop outlives this server).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool flush_queued_ = false;
  bool closing_ = false;
};

}  // namespace rwd
