// -chardev socket: TCP (host=,port=) or Unix (path=), as a server
// (server=on: listens, serves one client at a time, accepts the next one
// after a disconnect; wait=on blocks at startup until the first client) or a
// client (connects at startup). Output while nobody is connected is dropped.
#pragma once
#include <string>

#include "chardev/char_fd.h"

namespace rwd {

struct SocketConfig {
  bool is_unix = false;
  std::string host;  // tcp: empty means every address (server) or localhost (client)
  std::string port;
  std::string path;  // unix
  bool server = false;
  bool wait = true;
  bool nodelay = false;
};

class SocketChardev : public FdChardev {
 public:
  // Throws ChardevError (cannot listen / connect).
  SocketChardev(HostLoop& loop, const SocketConfig& config);
  ~SocketChardev() override;
  bool is_open() const override { return connected_; }
  // "tcp:127.0.0.1:4444,server=on": the address as QEMU names it.
  const std::string& address() const { return address_; }

 protected:
  void on_input_closed() override { disconnect(); }
  void on_output_closed() override { disconnect(); }

 private:
  void listen_socket();
  void connect_socket();
  void accept_client();
  void connected(int fd);
  void disconnect();

  SocketConfig config_;
  int listen_fd_ = -1;
  bool connected_ = false;
  std::string address_;
  FdWatch listen_watch_;
};

}  // namespace rwd
