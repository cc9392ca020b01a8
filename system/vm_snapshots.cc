// Named snapshots: the monitor's savevm / loadvm / delvm / info snapshots,
// -loadvm and -icount rrsnapshot= (docs/snapshot.md, "Named snapshots").
//
// Where they go, as in QEMU: with writable drives, every one of them must be
// qcow2 and gets an internal snapshot (all or none); the first holds the VM
// state after its virtual disk's end, the others a disk-only snapshot of the
// same name. Without any drive, rewind keeps them in a snapshot store file
// (migration/snapshot_store.h). Drives that are all read-only or temporary
// (snapshot=on) cannot hold a snapshot: refused, as QEMU does.
//
// rrsnapshot= always uses the store beside the rrfile: a recording's start
// is the machine state alone, since the images at that point are the ones
// whose digests the recording carries and a replay checks.
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <ctime>

#include "migration/snapshot.h"
#include "migration/snapshot_store.h"
#include "replay/replay.h"
#include "system/vm.h"

namespace rwd {

namespace {

struct SnapshotFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string errno_text(int r) {
  return r == -ENOTSUP ? "not supported by this image (refcount_bits=1, or resized since)" : std::strerror(-r);
}

// QEMU-like sizes: "0 B", "712 KiB", "5.34 MiB".
std::string size_text(uint64_t n) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%" PRIu64 " B", n);
  else
    std::snprintf(buf, sizeof buf, "%.3g %s", v, units[u]);
  return buf;
}

// One row of `info snapshots`; the ID column shows "--", as QEMU's list of
// snapshots present on all disks does (their IDs may differ per disk).
std::string listing_line(const std::string& name, uint64_t vm_size, uint64_t date_sec, uint64_t clock_ns,
                         int64_t icount) {
  char date[32] = "";
  time_t t = static_cast<time_t>(date_sec);
  tm local{};
  localtime_r(&t, &local);
  strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &local);
  uint64_t ms = clock_ns / 1000000;
  char clock[32];
  std::snprintf(clock, sizeof clock, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%03" PRIu64, ms / 3600000,
                ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  std::string ic = icount < 0 ? "" : std::to_string(icount);
  char line[512];
  std::snprintf(line, sizeof line, "%-9s %-17s %8s %19s %15s %10s\n", "--", name.c_str(), size_text(vm_size).c_str(),
                date, clock, ic.c_str());
  return line;
}

constexpr const char* kListingHead =
    "ID        TAG                VM SIZE                DATE        VM CLOCK     ICOUNT\n";

}  // namespace

struct Vm::SnapshotPlace {
  std::vector<DriveSet::SnapshotDisk> disks;  // empty: the store file
};

std::string Vm::store_path() const {
  if (!opts_.icount.rrfile.empty()) return opts_.icount.rrfile + ".snapshots";
  return plain_store_path();
}

std::string Vm::plain_store_path() const {
  return (opts_.name.empty() ? std::string("rewind") : opts_.name) + ".snapshots";
}

Vm::SnapshotPlace Vm::snapshot_place(const char* cmd) {
  SnapshotPlace p;
  std::string why_none;
  if (!drives_->snapshot_disks(p.disks, why_none) && !why_none.empty())
    throw SnapshotFailure(std::string(cmd) + ": no block device can accept snapshots (" + why_none + ")");
  for (const auto& d : p.disks)
    if (!d.format)
      throw SnapshotFailure(std::string(cmd) + ": Device '" + d.id + "' is writable but does not support snapshots");
  return p;
}

void Vm::save_named(const std::string& name, uint8_t store_flags) {
  SnapshotPlace place = store_flags ? SnapshotPlace{} : snapshot_place("savevm");
  drives_->drain();  // no request half-done: the disks match the state saved
  std::vector<uint8_t> state = save_machine(*machine_, fingerprint());
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  const uint64_t clock_ns = machine_->clock().now_ns(), icount = machine_->clock().instructions_now();
  if (place.disks.empty() || store_flags) {
    SnapshotStore store(store_path());
    std::vector<StoredSnapshot> entries = store.load();
    uint64_t next_id = 1;
    for (auto it = entries.begin(); it != entries.end();) {
      next_id = std::max<uint64_t>(next_id, std::strtoull(it->id.c_str(), nullptr, 10) + 1);
      it = it->name == name ? entries.erase(it) : it + 1;
    }
    StoredSnapshot s;
    s.name = name;
    s.id = std::to_string(next_id);
    s.date_sec = static_cast<uint64_t>(now.tv_sec);
    s.date_nsec = static_cast<uint32_t>(now.tv_nsec);
    s.vm_clock_ns = clock_ns;
    s.icount = icount;
    s.flags = store_flags;
    s.state = std::move(state);
    entries.push_back(std::move(s));
    store.save(entries);
    return;
  }
  // A snapshot of the same name is replaced, as QEMU's savevm does.
  for (auto& d : place.disks)
    for (int i; (i = d.format->find_snapshot(name)) >= 0 && d.format->snapshots()[static_cast<size_t>(i)].name == name;)
      if (int r = d.format->delete_snapshot(static_cast<size_t>(i)); r < 0)
        throw SnapshotFailure("savevm: cannot replace snapshot '" + name + "' on '" + d.id + "': " + errno_text(r));
  for (size_t k = 0; k < place.disks.size(); ++k) {
    Qcow2Node& node = *place.disks[k].format;
    Qcow2Snapshot sn;
    sn.id = qcow2_next_snapshot_id(node.snapshots());
    sn.name = name;
    sn.date_sec = static_cast<uint32_t>(now.tv_sec);
    sn.date_nsec = static_cast<uint32_t>(now.tv_nsec);
    sn.vm_clock_ns = clock_ns;
    sn.icount = static_cast<int64_t>(icount);
    int r = node.create_snapshot(sn, k == 0 ? state : std::vector<uint8_t>());
    if (r < 0) {
      for (size_t j = 0; j < k; ++j) {  // all or none
        int i = place.disks[j].format->find_snapshot(name);
        if (i >= 0) place.disks[j].format->delete_snapshot(static_cast<size_t>(i));
      }
      throw SnapshotFailure("savevm: Error while creating snapshot on '" + place.disks[k].id + "': " + errno_text(r));
    }
  }
}

// Index of the snapshot named `name` (or with that ID) on a disk; throws.
static size_t find_on_disk(const DriveSet::SnapshotDisk& d, const std::string& name, const char* cmd) {
  int i = d.format->find_snapshot(name);
  if (i < 0)
    throw SnapshotFailure(std::string(cmd) + ": Snapshot '" + name + "' does not exist in device '" + d.id + "'");
  return static_cast<size_t>(i);
}

void Vm::load_named(const std::string& name, bool record_start_only) {
  SnapshotPlace place = record_start_only ? SnapshotPlace{} : snapshot_place("loadvm");
  drives_->drain();
  if (place.disks.empty() || record_start_only) {
    // Under record/replay the recording's store, then the plain one (a
    // recording may start from a snapshot a plain run saved: -loadvm).
    std::vector<std::string> paths = {store_path()};
    if (!record_start_only && !opts_.icount.rrfile.empty()) paths.push_back(plain_store_path());
    for (const std::string& path : paths) {
      SnapshotStore store(path);
      for (const StoredSnapshot& s : store.load())
        if (s.name == name || s.id == name) {
          if (record_start_only && !(s.flags & kStoredAtRecordStart))
            throw SnapshotFailure("rrsnapshot=" + name + ": snapshot '" + name + "' in '" + store.path() +
                                  "' was not taken at the start of a recording");
          try {
            load_machine(*machine_, s.state, fingerprint());
          } catch (const DecodeError& e) {
            throw SnapshotFailure("loadvm: snapshot '" + name + "' in '" + store.path() + "': " + e.what());
          }
          engine_->flush_translations();
          return;
        }
    }
    throw SnapshotFailure("loadvm: Snapshot '" + name + "' does not exist" +
                          (record_start_only ? " in '" + paths[0] + "'" : std::string()));
  }
  std::vector<size_t> index;
  for (const auto& d : place.disks) index.push_back(find_on_disk(d, name, "loadvm"));
  Qcow2Node& first = *place.disks[0].format;
  const Qcow2Snapshot& sn = first.snapshots()[index[0]];
  if (sn.vm_state_size == 0)
    throw SnapshotFailure("loadvm: snapshot '" + name +
                          "' is a disk-only snapshot; revert to it offline using qemu-img");
  std::vector<uint8_t> state;
  if (int r = first.read_vm_state(index[0], &state); r < 0)
    throw SnapshotFailure("loadvm: cannot read the VM state of '" + name + "' on '" + place.disks[0].id +
                          "': " + (r == -EINVAL ? std::string("its size is larger than the image") : errno_text(r)));
  // The machine first: a refused state (another configuration, a QEMU
  // snapshot) leaves both machine and disks as they were.
  try {
    load_machine(*machine_, state, fingerprint());
  } catch (const DecodeError& e) {
    throw SnapshotFailure("loadvm: snapshot '" + name + "' on '" + place.disks[0].id + "': " + e.what());
  }
  engine_->flush_translations();
  for (size_t k = 0; k < place.disks.size(); ++k)
    if (int r = place.disks[k].format->apply_snapshot(index[k]); r < 0)
      throw SnapshotFailure("loadvm: cannot revert '" + place.disks[k].id + "' to '" + name + "': " + errno_text(r));
}

void Vm::delete_named(const std::string& name) {
  SnapshotPlace place = snapshot_place("delvm");
  if (place.disks.empty()) {
    SnapshotStore store(store_path());
    std::vector<StoredSnapshot> entries = store.load();
    size_t before = entries.size();
    for (auto it = entries.begin(); it != entries.end();)
      it = (it->name == name || it->id == name) ? entries.erase(it) : it + 1;
    if (entries.size() == before) throw SnapshotFailure("delvm: Snapshot '" + name + "' not found");
    store.save(entries);
    return;
  }
  drives_->drain();
  bool found = false;
  for (auto& d : place.disks) {
    int i = d.format->find_snapshot(name);
    if (i < 0) continue;
    found = true;
    if (int r = d.format->delete_snapshot(static_cast<size_t>(i)); r < 0)
      throw SnapshotFailure("delvm: Error while deleting snapshot on '" + d.id + "': " + errno_text(r));
  }
  if (!found) throw SnapshotFailure("delvm: Snapshot '" + name + "' not found");
}

std::string Vm::savevm(const std::string& given) {
  if (replay_ && replay_->replaying()) return "savevm: not while replaying (replay_seek moves in a replay)\n";
  std::string name = given;
  if (name.empty()) {  // QEMU's default tag
    char buf[32];
    time_t t = time(nullptr);
    tm local{};
    localtime_r(&t, &local);
    strftime(buf, sizeof buf, "vm-%Y%m%d%H%M%S", &local);
    name = buf;
  }
  try {
    save_named(name);
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    return (msg.rfind("savevm:", 0) == 0 ? msg : "savevm: " + msg) + "\n";
  }
  return "";
}

std::string Vm::loadvm(const std::string& name) {
  if (replay_) return "loadvm: not while recording or replaying (the recording would no longer match the run)\n";
  try {
    load_named(name);
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    return (msg.rfind("loadvm:", 0) == 0 ? msg : "loadvm: " + msg) + "\n";
  }
  return "";
}

std::string Vm::delvm(const std::string& name) {
  if (replay_ && replay_->replaying()) return "delvm: not while replaying\n";
  try {
    delete_named(name);
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    return (msg.rfind("delvm:", 0) == 0 ? msg : "delvm: " + msg) + "\n";
  }
  return "";
}

std::string Vm::snapshots_text() {
  std::string out;
  try {
    SnapshotPlace place = snapshot_place("info snapshots");
    if (place.disks.empty()) {
      for (const StoredSnapshot& s : SnapshotStore(store_path()).load())
        out += listing_line(s.name, s.state.size(), s.date_sec, s.vm_clock_ns, static_cast<int64_t>(s.icount));
    } else {
      drives_->drain();
      for (const Qcow2Snapshot& s : place.disks[0].format->snapshots()) {
        bool everywhere = true;
        for (size_t k = 1; k < place.disks.size(); ++k)
          everywhere = everywhere && place.disks[k].format->find_snapshot(s.name) >= 0;
        if (everywhere) out += listing_line(s.name, s.vm_state_size, s.date_sec, s.vm_clock_ns, s.icount);
      }
    }
  } catch (const std::runtime_error& e) {
    return std::string(e.what()) + "\n";
  }
  if (out.empty()) return "There is no snapshot available.\n";
  return "List of snapshots present on all disks:\n" + std::string(kListingHead) + out;
}

void Vm::start_from_snapshots() {
  const std::string& rrsnap = opts_.icount.rrsnapshot;
  const bool recording = replay_ && !replay_->replaying(), replaying = replay_ && replay_->replaying();
  auto step = [](const std::string& what, auto f) {
    try {
      f();
    } catch (const SnapshotFailure& e) {
      std::string msg = e.what();
      for (const char* cmd : {"loadvm: ", "savevm: "})
        if (msg.rfind(cmd, 0) == 0) msg = msg.substr(8);
      throw std::runtime_error(what + ": " + msg);
    }
  };
  if (!opts_.loadvm.empty())
    step("-loadvm " + opts_.loadvm, [&] {
      if (replaying) throw SnapshotFailure("a replay starts where its recording did: use rrsnapshot=NAME");
      std::vector<DriveSet::SnapshotDisk> disks;
      std::string why;
      if (recording && drives_->snapshot_disks(disks, why))
        throw SnapshotFailure("cannot revert disks while recording (the recording holds their digests from before)");
      load_named(opts_.loadvm);
    });
  if (rrsnap.empty()) return;
  step("-icount rrsnapshot=" + rrsnap, [&] {
    if (!replay_) throw SnapshotFailure("needs rr=record or rr=replay");
    if (replaying)
      load_named(rrsnap, true);
    else
      save_named(rrsnap, kStoredAtRecordStart);
  });
}

}  // namespace rwd
