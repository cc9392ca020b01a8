// NS16550A UART: 16-byte FIFOs, interrupts for received data and an empty
// transmitter, registers at byte offsets 0..7 (QEMU virt's regshift 0).
#pragma once
#include <cstdint>
#include <deque>

#include "chardev/char_backend.h"
#include "hw/core/device.h"

namespace rwd {

class Ns16550a : public MmioDevice, private CharReceiver {
 public:
  Ns16550a(CharBackend* backend, IrqLine* irq);
  ~Ns16550a() override;
  std::string name() const override { return "ns16550a"; }
  uint64_t read(uint64_t offset, unsigned size) override;
  void write(uint64_t offset, unsigned size, uint64_t value) override;
  void reset() override;
  void save(ByteWriter& w) const override;
  void load(ByteReader& r) override;

  // Host input (the end of the backend's input chain).
  void receive(const uint8_t* data, size_t len) override;
  size_t can_receive() override;

 private:
  static constexpr size_t kFifoSize = 16;
  void update_irq();

  CharBackend* backend_;
  IrqLine* irq_;
  std::deque<uint8_t> rx_;
  uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0;
  uint8_t dll_ = 0, dlm_ = 0;
  bool thr_empty_irq_ = false;  // THRE interrupt pending (cleared by reading IIR or writing THR)
};

}  // namespace rwd
