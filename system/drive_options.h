// -drive and -snapshot, in QEMU's syntax and meaning:
//   -drive file=disk.qcow2,if=none,id=img-direct[,format=qcow2][,readonly=on][,snapshot=on]
//          [,cache=...][,aio=...][,discard=...][,detect-zeroes=...][,media=disk][,index=N]
//   -drive driver=blkreplay,if=none,image=img-direct,id=img-blkreplay
//   -drive file=disk.img,format=raw           (if=virtio, the virt machine's default)
// Parsed and checked when the command line is read (a typo fails before the
// machine is built); the drives are opened later (system/vm.cc).
#pragma once
#include <string>
#include <vector>

#include "block/block_node.h"

namespace rwd {

struct DriveSpec {
  DriveConfig config;      // the image drive's settings (unused for blkreplay)
  std::string interface;   // if=: "none" (a -device names it), "virtio" (a disk of its own) or
                           // "pflash" (a flash bank of the board: unit=0 or 1)
  int unit = -1;           // unit= (pflash: the bank), -1: the next free one
  int index = -1;          // index= (orders if=virtio drives), -1: in command-line order
  bool blkreplay = false;  // driver=blkreplay: record/replay stands on the drive image= names
  std::string image;       // blkreplay's image=
  std::string origin;      // "-drive ARG", for messages
};

// Parses one -drive argument (false with a one-line message in `err`).
// `index` is the option's position among the -drive options: it names drives
// without id= as QEMU does (virtio0, virtio1, ... by index).
bool parse_drive_spec(const std::string& arg, DriveSpec& out, std::string& err);

// All of them, checked together: unique ids, blkreplay's image= names an
// existing if=none drive that nothing else uses.
bool parse_drive_specs(const std::vector<std::string>& args, bool snapshot_all, std::vector<DriveSpec>& out,
                       std::string& err);

}  // namespace rwd
