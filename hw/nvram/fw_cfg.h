// QEMU's firmware configuration device (fw_cfg), memory-mapped with DMA, as
// on QEMU's virt board: firmware reads named blobs (the signature, the
// interface id, a file directory, "bootorder", "etc/boot-fail-wait", and
// -fw_cfg opt/... items) through three registers:
//
//   +0x00  data      1, 2, 4 or 8 bytes at offset 0: the selected item's next
//                    bytes in string order (the first byte at the lowest
//                    address); zeros past its end
//   +0x08  selector  16-bit, big-endian: selects an item, offset back to 0
//   +0x10  DMA       64-bit big-endian address of a descriptor
//                    {be32 control, be32 length, be64 address}; an 8-byte
//                    write, or a 4-byte write of the low half at +0x14, runs
//                    it. Reads give "QEMU CFG".
//
// A DMA descriptor and its buffer are untrusted: anything that is not
// guest RAM ends the transfer with the error bit in control, never a host
// access. Transfers run at once, inside the guest's store: nothing here
// depends on the host, so record/replay needs no events.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "hw/core/device.h"
#include "hw/core/memory.h"

namespace rwd {

namespace fw_cfg {
inline constexpr uint16_t kSignature = 0x00, kId = 0x01, kUuid = 0x02, kNoGraphic = 0x04, kNbCpus = 0x05,
                          kBootMenu = 0x0e, kFileDir = 0x19, kFileFirst = 0x20;
inline constexpr uint16_t kKernelSize = 0x08, kInitrdSize = 0x0b, kKernelData = 0x11, kInitrdData = 0x12,
                          kCmdlineSize = 0x14, kCmdlineData = 0x15;
inline constexpr uint16_t kWriteChannel = 0x4000, kArchLocal = 0x8000, kEntryMask = 0x3fff;
inline constexpr uint32_t kIdTraditional = 1, kIdDma = 2;
inline constexpr uint32_t kDmaError = 0x01, kDmaRead = 0x02, kDmaSkip = 0x04, kDmaSelect = 0x08, kDmaWrite = 0x10;
inline constexpr uint64_t kDmaSignature = 0x51454d5520434647ull;  // "QEMU CFG"
inline constexpr size_t kMaxFileName = 56;                        // with its NUL
inline constexpr uint64_t kRegSize = 0x18;
}  // namespace fw_cfg

class FwCfg : public MmioDevice {
 public:
  // The items every fw_cfg has: signature, id (with DMA), UUID (zeros),
  // nographic, boot menu, and the always-present files.
  FwCfg(AddressSpace& as, bool nographic);

  // A legacy (numbered) item, as board code adds them.
  void add_item(uint16_t key, std::vector<uint8_t> data);
  // A named file. Returns false with `err` set for a duplicate or too long
  // name. Selectors follow the names' sorted order, as QEMU's directory.
  bool add_file(const std::string& name, std::vector<uint8_t> data, std::string& err);
  // Call once every item is in: builds the file directory.
  void finish();

  // MmioDevice.
  std::string name() const override { return "fw-cfg"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // What `select` would make current (tests and the monitor).
  const std::vector<uint8_t>* item(uint16_t key) const;

 private:
  void select(uint16_t key);
  void run_dma(uint64_t descriptor);
  uint32_t dma_transfer(uint32_t control, uint32_t length, uint64_t address);

  AddressSpace& as_;
  std::map<uint16_t, std::vector<uint8_t>> items_;  // by key & (kArchLocal | kEntryMask)
  std::map<std::string, std::vector<uint8_t>> files_;
  // Guest-visible state.
  uint16_t selector_ = 0;
  uint32_t offset_ = 0;
  uint32_t dma_high_ = 0;  // the last write of the DMA register's high half
};

}  // namespace rwd
