// The virt board's firmware-facing devices: fw_cfg at 0x10100000 and the
// two CFI flash banks at 0x20000000 and 0x22000000, as QEMU 7.2 places them.
#include <cstdio>
#include <memory>

#include "block/drive.h"
#include "hw/nvram/fw_cfg_options.h"
#include "hw/riscv/boot.h"
#include "hw/riscv/virt.h"

namespace rwd {

namespace {

// A bank's contents: the whole drive (which must be exactly the bank's
// size, as QEMU requires); without one the bank stays zeros.
void load_flash(PflashCfi01& bank, Drive* drive) {
  if (!drive) return;
  if (drive->size() != PflashCfi01::kSize)
    throw BootError("device requires " + std::to_string(PflashCfi01::kSize) + " bytes, block backend provides " +
                    std::to_string(drive->size()) + " bytes");
  // The machine does not run yet: the drive's I/O thread is idle.
  int err = drive->node().read(0, bank.data(), PflashCfi01::kSize);
  if (err < 0) throw BootError("flash drive '" + drive->id() + "': cannot read the image (error " + std::to_string(-err) + ")");
}

// Changed flash bytes go to the drive on its I/O thread, in the guest's
// order; the guest never waits for them (the bank already holds them), so
// the host's speed changes nothing the guest sees. A replay's drives write
// to a temporary overlay, never the image.
PflashCfi01::Persist flash_writer(Drive* drive) {
  if (!drive || drive->read_only()) return nullptr;
  return [drive](uint64_t offset, const uint8_t* data, size_t len) {
    auto copy = std::make_shared<std::vector<uint8_t>>(data, data + len);
    drive->io().submit(
        [drive, offset, copy] {
          int err = drive->node().write(offset, copy->data(), copy->size());
          if (err < 0)
            std::fprintf(stderr, "rewind: warning: flash drive '%s': write at %llu failed (error %d)\n",
                         drive->id().c_str(), static_cast<unsigned long long>(offset), -err);
        },
        [] {});
  };
}

}  // namespace

void VirtMachine::create_firmware_devices() {
  fw_cfg_ = std::make_unique<FwCfg>(as_, opts_.nographic);
  fw_cfg_->add_item(fw_cfg::kNbCpus, {1, 0});  // one hart
  for (const std::string& arg : opts_.fw_cfg) {
    FwCfgItemSpec spec;
    std::string err, warning;
    std::vector<uint8_t> bytes;
    if (!parse_fw_cfg_item(arg, spec, err, warning) || !fw_cfg_item_bytes(spec, bytes, err) ||
        !fw_cfg_->add_file(spec.name, std::move(bytes), err))
      throw BootError(err);
  }
  fw_cfg_->finish();  // legacy items (the kernel's) may still come
  as_.add_mmio(virt_map::kFwCfg, fw_cfg::kRegSize, fw_cfg_.get());

  for (unsigned unit = 0; unit < 2; ++unit) {
    const std::string& id = host_.pflash_drives[unit];
    Drive* drive = id.empty() || !host_.devices.drive ? nullptr : host_.devices.drive(id);
    if (drive) drive->set_attached_to("/machine/virt.flash" + std::to_string(unit));
    bool read_only = drive && drive->read_only();
    flash_[unit] = std::make_unique<PflashCfi01>("virt.flash" + std::to_string(unit), read_only, flash_writer(drive));
    load_flash(*flash_[unit], drive);
    // Executed in place: firmware in unit 0 starts at 0x20000000.
    as_.add_rom_device(virt_map::kFlash + unit * virt_map::kFlashBankSize, virt_map::kFlashBankSize,
                       flash_[unit].get());
  }
}

// With S-mode firmware in flash unit 1, QEMU 7.2 leaves the kernel to it:
// the kernel, initrd and command line (with its NUL) are fw_cfg items, each
// with a little-endian 32-bit size item (0 for what was not given).
// Unlike QEMU, a gzip-compressed kernel is passed as it is.
void VirtMachine::add_kernel_to_fw_cfg() {
  if (opts_.kernel.empty()) return;
  auto le32 = [](uint64_t v) {
    return std::vector<uint8_t>{static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v >> 16),
                                static_cast<uint8_t>(v >> 24)};
  };
  std::vector<uint8_t> kernel = read_file(opts_.kernel, "kernel");
  std::vector<uint8_t> initrd = opts_.initrd.empty() ? std::vector<uint8_t>{} : read_file(opts_.initrd, "initial ram disk");
  fw_cfg_->add_item(fw_cfg::kKernelSize, le32(kernel.size()));
  fw_cfg_->add_item(fw_cfg::kKernelData, std::move(kernel));
  fw_cfg_->add_item(fw_cfg::kInitrdSize, le32(initrd.size()));
  fw_cfg_->add_item(fw_cfg::kInitrdData, std::move(initrd));
  if (!opts_.append.empty()) {
    std::vector<uint8_t> cmdline(opts_.append.begin(), opts_.append.end());
    cmdline.push_back(0);
    fw_cfg_->add_item(fw_cfg::kCmdlineSize, le32(cmdline.size()));
    fw_cfg_->add_item(fw_cfg::kCmdlineData, std::move(cmdline));
  }
}

}  // namespace rwd
