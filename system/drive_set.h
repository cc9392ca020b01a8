// The machine's drives, opened from -drive before the machine is built: each
// image drive's block graph and I/O thread (block/drive.h), and the
// blkreplay drives standing on them. Record/replay shapes how they open:
//  - a replay never writes an image: writes go to a temporary overlay, so a
//    recording replays any number of times against the same image;
//  - a recording's configuration carries each image's digest (a replay on
//    another image is refused, naming the drive);
//  - with rrdisk=embed reads come from the recording, and a replay opens no
//    image at all;
//  - a drive used without blkreplay under record/replay gets it implicitly
//    (a note says so): every completion is recorded either way.
#pragma once
#include <array>
#include <map>
#include <memory>
#include <string>

#include "block/drive.h"
#include "block/qcow2.h"
#include "block/read_embedder.h"
#include "block/replay_overlay.h"
#include "system/options.h"

namespace rwd {

class DriveSet {
 public:
  enum class Mode { kPlain, kRecord, kReplay };
  // `recorded_config`: a replay's recorded configuration (embedded drives
  // take their size from it). Throws BlockError / std::runtime_error.
  DriveSet(const Options& opts, Mode mode, HostLoop& loop, const std::string& recorded_config = "");
  ~DriveSet();

  // A drive by -drive id (a blkreplay drive's id gives its image).
  Drive* find(const std::string& id);
  // The if=virtio drives, in unit order: the board gives each a disk.
  const std::vector<std::string>& virtio_drives() const { return virtio_; }
  // The if=pflash drives by unit (the board's flash banks 0 and 1; "" for none).
  const std::array<std::string, 2>& pflash_drives() const { return pflash_; }
  // rrdisk=embed's codec, or null.
  ReadEmbedder* embedder() { return embed_.get(); }
  // "drive.ID=..." lines for the machine fingerprint: each image's size and
  // content digest (record/replay only: reading an image costs).
  std::string fingerprint() const;
  // Runs every request queued so far to its completion (before a snapshot:
  // host work in flight cannot be saved).
  void drain();
  // The drives internal snapshots (savevm) cover: the writable ones (not
  // readonly=on, not snapshot=on), by id. `format` is each one's format
  // node, null where the drive is not qcow2. False without any such drive;
  // `why_none` then says why (empty when there are no drives at all).
  struct SnapshotDisk {
    std::string id;
    Qcow2Node* format;
  };
  bool snapshot_disks(std::vector<SnapshotDisk>& out, std::string& why_none);
  // `info block`.
  std::string info_text() const;

  // Replay navigation (docs/replay-navigation.md, "Disks"): a replay's
  // writes live in in-memory overlays (block/replay_overlay.h) whose state
  // can be saved as a cheap generation and put back. Both drain first.
  // busy(): some device request is in flight (a snapshot must wait).
  bool busy() const;
  std::shared_ptr<const void> save_overlays();
  void restore_overlays(const std::shared_ptr<const void>& saved);
  uint64_t overlay_bytes() const;

 private:
  Mode mode_;
  bool embedded_;
  std::map<std::string, std::unique_ptr<Drive>> drives_;  // image drives by id
  std::map<std::string, std::string> blkreplay_;           // blkreplay id -> image id
  std::map<std::string, std::string> digests_;             // image id -> fingerprint value
  std::vector<std::string> virtio_;
  std::array<std::string, 2> pflash_;
  std::unique_ptr<ReadEmbedder> embed_;
  std::vector<ReplayOverlayNode*> overlays_;  // a replay's, in drives_ order
};

}  // namespace rwd
