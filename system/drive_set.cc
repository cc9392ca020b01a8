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
    ReplayOverlayNode* overlay = nullptr;
    if (embedded_ && mode == Mode::kReplay)
      node = std::make_unique<PhantomNode>(recorded_size(recorded_config, config.id), config.read_only);
    else if (mode == Mode::kReplay)
      node = open_drive_for_replay(config, &overlay);  // writes to memory, kept by replay navigation
    else
      node = open_drive(config);
    if (overlay) overlays_.push_back(overlay);
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

bool DriveSet::busy() const {
  for (auto& [id, drive] : drives_)
    if (drive->requests_in_flight && drive->requests_in_flight() > 0) return true;
  return false;
}

namespace {

struct SavedOverlays {
  std::vector<std::shared_ptr<const ReplayOverlayNode::Generation>> generations;
};

}  // namespace

std::shared_ptr<const void> DriveSet::save_overlays() {
  drain();
  auto saved = std::make_shared<SavedOverlays>();
  for (ReplayOverlayNode* o : overlays_) saved->generations.push_back(o->save());
  return saved;
}

// Requests still running belong to the state we leave: they end first, so
// none writes into the overlay after it is put back.
void DriveSet::restore_overlays(const std::shared_ptr<const void>& saved) {
  drain();
  auto& gens = static_cast<const SavedOverlays*>(saved.get())->generations;
  for (size_t i = 0; i < overlays_.size(); ++i) overlays_[i]->restore(gens.at(i));
}

uint64_t DriveSet::overlay_bytes() const {
  uint64_t n = 0;
  for (ReplayOverlayNode* o : overlays_) n += o->bytes();
  return n;
}

std::string DriveSet::info_text() const {
  std::string s;
  for (auto& [id, drive] : drives_) s += drive->info_text();
  return s;
}

}  // namespace rwd
