// -vnc and -display vnc=: where the VNC server listens, in QEMU's syntax.
//
//   -vnc :N            TCP port 5900+N on every address
//   -vnc HOST:N        TCP port 5900+N on HOST (a name, an IPv4 or [IPv6])
//   -vnc unix:PATH     a Unix socket
//   -vnc none          no server (as QEMU: accepted, nothing listens)
// and options after commas: password=off, websocket=on (port 5700+N) or
// websocket=PORT, share=allow-exclusive|force-shared|ignore, to=L (try the
// displays N..L until one is free), connections=K, lossy=, non-adaptive=
// (no effect: no lossy encodings are offered). Anything rewind does not do
// (password=on, tls, sasl, reverse, ...) is refused with one line, never
// silently ignored.
#pragma once
#include <string>

namespace rwd {

struct VncOptions {
  enum class Kind { kNone, kTcp, kUnix };
  enum class Share { kAllowExclusive, kForceShared, kIgnore };
  Kind kind = Kind::kNone;
  std::string host;  // kTcp: empty for every address
  int display = 0;   // kTcp: port 5900 + display
  int to = -1;       // kTcp: the last display to try (-1: only `display`)
  std::string path;  // kUnix
  // The WebSocket listener's TCP port (-1: none); websocket=on means
  // 5700 + display, on the same host as the VNC port.
  int websocket_port = -1;
  Share share = Share::kAllowExclusive;
  int connections = 32;  // most clients at once (QEMU's default is 32)
};

inline constexpr int kVncBasePort = 5900;
inline constexpr int kVncWebsocketBasePort = 5700;

// Parses the value of -vnc (or of -display vnc=...). On error returns false
// with a one-line message naming `arg` in `err`.
bool parse_vnc_options(const std::string& arg, VncOptions& out, std::string& err);

// What `-vnc help` prints.
std::string vnc_options_help();

}  // namespace rwd
