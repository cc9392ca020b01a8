#include "hw/char/ns16550a.h"

namespace rwd {

namespace {
// Register offsets and bits (PC16550D data sheet).
enum : uint64_t { kRbrThr = 0, kIer = 1, kIirFcr = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScr = 7 };
constexpr uint8_t kIerRx = 1, kIerThre = 2;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kLsrDataReady = 0x01, kLsrThre = 0x20, kLsrTemt = 0x40;
constexpr uint8_t kIirNone = 0x01, kIirThre = 0x02, kIirRx = 0x04, kIirFifo = 0xc0;
constexpr uint8_t kMcrLoop = 0x10;
}  // namespace

Ns16550a::Ns16550a(CharBackend* backend, IrqLine* irq) : backend_(backend), irq_(irq) {
  if (backend_) backend_->set_frontend(this);
}

Ns16550a::~Ns16550a() {
  if (backend_) backend_->set_frontend(nullptr);
}

void Ns16550a::reset() {
  rx_.clear();
  ier_ = lcr_ = mcr_ = scr_ = fcr_ = 0;
  dll_ = dlm_ = 0;
  thr_empty_irq_ = false;
  update_irq();
}

size_t Ns16550a::can_receive() {
  size_t cap = (fcr_ & 1) ? kFifoSize : 1;
  return rx_.size() >= cap ? 0 : cap - rx_.size();
}

void Ns16550a::receive(const uint8_t* data, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    if (rx_.size() >= kFifoSize) break;  // overrun: the byte is lost, as on hardware
    rx_.push_back(data[i]);
  }
  update_irq();
}

void Ns16550a::update_irq() {
  bool level = ((ier_ & kIerRx) && !rx_.empty()) || ((ier_ & kIerThre) && thr_empty_irq_);
  if (irq_) irq_->set(level);
}

uint64_t Ns16550a::read(uint64_t offset, unsigned size) {
  (void)size;
  switch (offset) {
    case kRbrThr: {
      if (lcr_ & kLcrDlab) return dll_;
      if (rx_.empty()) return 0;
      uint8_t v = rx_.front();
      rx_.pop_front();
      update_irq();
      // Room again: input the backend holds back comes in now, not at the
      // next host poll (a guest without a FIFO takes one byte at a time).
      if (backend_) backend_->frontend_ready();
      return v;
    }
    case kIer:
      return (lcr_ & kLcrDlab) ? dlm_ : ier_;
    case kIirFcr: {
      uint8_t fifo = (fcr_ & 1) ? kIirFifo : 0;
      if ((ier_ & kIerRx) && !rx_.empty()) return kIirRx | fifo;
      if ((ier_ & kIerThre) && thr_empty_irq_) {
        thr_empty_irq_ = false;  // reading IIR acknowledges THRE
        update_irq();
        return kIirThre | fifo;
      }
      return kIirNone | fifo;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThre | kLsrTemt | (rx_.empty() ? 0 : kLsrDataReady);
    case kMsr: return (mcr_ & kMcrLoop) ? 0 : 0xb0;  // CTS, DSR, DCD asserted
    case kScr: return scr_;
    default: return 0;  // outside the register block: reads as zero
  }
}

void Ns16550a::write(uint64_t offset, unsigned size, uint64_t value) {
  (void)size;
  uint8_t v = static_cast<uint8_t>(value);
  switch (offset) {
    case kRbrThr:
      if (lcr_ & kLcrDlab) {
        dll_ = v;
        return;
      }
      if (mcr_ & kMcrLoop) {
        receive(&v, 1);
      } else if (backend_ && backend_->output_wanted()) {
        backend_->write(&v, 1);
      }
      // Transmission is instantaneous: the holding register is empty again.
      thr_empty_irq_ = true;
      update_irq();
      return;
    case kIer:
      if (lcr_ & kLcrDlab) {
        dlm_ = v;
        return;
      }
      // Enabling the THRE interrupt while the transmitter is empty raises it.
      if (!(ier_ & kIerThre) && (v & kIerThre)) thr_empty_irq_ = true;
      ier_ = v & 0x0f;
      update_irq();
      return;
    case kIirFcr:
      fcr_ = v & 0xc9;
      if (v & 2) rx_.clear();  // reset receive FIFO
      update_irq();
      if (backend_) backend_->frontend_ready();  // the FIFO may hold more now
      return;
    case kLcr: lcr_ = v; return;
    case kMcr: mcr_ = v & 0x1f; return;
    case kScr: scr_ = v; return;
    default: return;  // LSR/MSR are read-only; other offsets ignored
  }
}

void Ns16550a::save(ByteWriter& w) const {
  w.section("ns16550a");
  w.u32(static_cast<uint32_t>(rx_.size()));
  for (uint8_t b : rx_) w.u8(b);
  for (uint8_t r : {ier_, lcr_, mcr_, scr_, fcr_, dll_, dlm_}) w.u8(r);
  w.u8(thr_empty_irq_);
}

void Ns16550a::load(ByteReader& r) {
  r.expect_section("ns16550a");
  uint32_t n = r.u32();
  if (n > kFifoSize) throw DecodeError("ns16550a: receive FIFO larger than 16 bytes");
  rx_.clear();
  for (uint32_t i = 0; i < n; ++i) rx_.push_back(r.u8());
  for (uint8_t* reg : {&ier_, &lcr_, &mcr_, &scr_, &fcr_, &dll_, &dlm_}) *reg = r.u8();
  thr_empty_irq_ = r.u8() != 0;
  update_irq();
}

}  // namespace rwd
