#include "system/drive_set.h"

#include <cstdio>
#include <sstream>

#include "block/drive_policy.h"
#include "block/phantom_node.h"
#include "system/drive_options.h"

namespace rwd {

namespace {

// An embedded drive's recorded size: "drive.ID=embedded, N bytes, ..."
uint64_t recorded_size(const std::string& config, const std::string& id) {
  std::istringstream in(config);
  std::string line, key = "drive." + id + "=embedded, ";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + key.size(), nullptr, 10);
  throw std::runtime_error("replay refused: the recording has no embedded disk for drive '" + id + "'");
}

}  // namespace

DriveSet::DriveSet(const Options& opts, Mode mode, HostLoop& loop, const std::string& recorded_config)
    : mode_(mode), embedded_(mode != Mode::kPlain && opts.icount.rrdisk == "embed") {
  std::vector<DriveSpec> specs;
  std::string err;
  if (!parse_drive_specs(opts.drives, opts.snapshot, specs, err)) throw std::runtime_error(err);
  if (embedded_) embed_ = std::make_unique<ReadEmbedder>();
  for (const DriveSpec& spec : specs) {
    if (spec.blkreplay) continue;
    DriveConfig config = spec.config;
    if (mode == Mode::kReplay) config.snapshot = true;  // a replay never writes the image
    std::unique_ptr<BlockNode> node;
    if (embedded_ && mode == Mode::kReplay)
      node = std::make_unique<PhantomNode>(recorded_size(recorded_config, config.id), config.read_only);
    else
      node = open_drive(config);
    if (mode != Mode::kPlain)
      digests_[config.id] = embedded_ ? "embedded, " + std::to_string(node->size()) + " bytes"
                                      : node->content_digest();
    if (spec.interface == "virtio") virtio_.push_back(config.id);
    if (spec.interface == "pflash") pflash_[spec.unit] = config.id;
    drives_[config.id] = std::make_unique<Drive>(config, std::move(node), loop);
  }
  for (const DriveSpec& spec : specs)
    if (spec.blkreplay) {
      blkreplay_[spec.config.id] = spec.image;
      drives_.at(spec.image)->set_blkreplay(spec.config.id);
    }
  if (mode != Mode::kPlain)
    for (auto& [id, drive] : drives_)
      if (drive->blkreplay_id().empty())
        std::fprintf(stderr, "rewind: note: drive '%s' has no blkreplay drive on it: record/replay covers it anyway\n",
                     id.c_str());
}

DriveSet::~DriveSet() = default;

Drive* DriveSet::find(const std::string& id) {
  auto alias = blkreplay_.find(id);
  auto it = drives_.find(alias == blkreplay_.end() ? id : alias->second);
  return it == drives_.end() ? nullptr : it->second.get();
}

std::string DriveSet::fingerprint() const {
  std::string s;
  for (auto& [id, digest] : digests_) s += "drive." + id + "=" + digest + "\n";
  return s;
}

void DriveSet::drain() {
  for (auto& [id, drive] : drives_) drive->io().drain();
}

bool DriveSet::snapshot_disks(std::vector<SnapshotDisk>& out, std::string& why_none) {
  out.clear();
  why_none.clear();
  for (auto& [id, drive] : drives_) {
    if (drive->read_only() || drive->config().snapshot) {
      if (why_none.empty())
        why_none = "drive '" + id + "' is " + (drive->read_only() ? "read-only" : "a temporary overlay (snapshot=on)");
      continue;
    }
    BlockNode* node = &drive->node();
    if (auto* policy = dynamic_cast<DrivePolicyNode*>(node)) node = &policy->inner();
    out.push_back({id, dynamic_cast<Qcow2Node*>(node)});
  }
  return !out.empty();
}

std::string DriveSet::info_text() const {
  std::string s;
  for (auto& [id, drive] : drives_) s += drive->info_text();
  return s;
}

}  // namespace rwd
