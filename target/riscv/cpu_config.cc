// -cpu MODEL,PROP=VALUE,...: QEMU 7.2's riscv CPU property names (see
// `qemu-system-riscv64 -device rv64-riscv-cpu,help`) for what rewind
// implements; the rest is refused by name, never ignored.
#include "target/riscv/cpu_config.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <sstream>

namespace rwd::riscv {

namespace {

// What a boolean property switches.
enum class Target : uint8_t {
  kExt,          // an extension (Prop::ext)
  kG,            // g=on: IMAFD_Zicsr_Zifencei
  kZihintpause,
  kMmu,
  kPmp,
  kDebug,
  kShortIsa,
  kSstc,
  kOffOnly,      // not implemented: accepted when off, refused when on
};

struct BoolProp {
  const char* name;      // QEMU 7.2's spelling
  const char* alias;     // newer QEMU's lowercase spelling, or nullptr
  Target target;
  Ext ext;               // for kExt
  bool qemu_default;     // on QEMU 7.2's rv64 (for the help text)
  const char* what;      // for help texts and refusals
};

constexpr BoolProp kBoolProps[] = {
    {"i", nullptr, Target::kExt, Ext::I, true, "the base integer ISA (I)"},
    {"m", nullptr, Target::kExt, Ext::M, true, "integer multiplication and division (M)"},
    {"a", nullptr, Target::kExt, Ext::A, true, "atomic instructions (A)"},
    {"f", nullptr, Target::kExt, Ext::F, true, "single-precision floating point (F)"},
    {"d", nullptr, Target::kExt, Ext::D, true, "double-precision floating point (D)"},
    {"c", nullptr, Target::kExt, Ext::C, true, "compressed instructions (C)"},
    {"s", nullptr, Target::kExt, Ext::S, true, "supervisor mode (S)"},
    {"u", nullptr, Target::kExt, Ext::U, true, "user mode (U)"},
    {"g", nullptr, Target::kG, Ext::I, false, "on: sets i, m, a, f, d, Zicsr and Zifencei (G)"},
    {"Zicsr", "zicsr", Target::kExt, Ext::Zicsr, true, "the CSR instructions (Zicsr)"},
    {"Zifencei", "zifencei", Target::kExt, Ext::Zifencei, true, "fence.i (Zifencei)"},
    {"Zihintpause", "zihintpause", Target::kZihintpause, Ext::I, true, "the PAUSE hint (Zihintpause)"},
    {"zba", nullptr, Target::kExt, Ext::Zba, true, "address generation (Zba)"},
    {"zbb", nullptr, Target::kExt, Ext::Zbb, true, "basic bit manipulation (Zbb)"},
    {"zbs", nullptr, Target::kExt, Ext::Zbs, true, "single-bit instructions (Zbs)"},
    {"zbc", nullptr, Target::kExt, Ext::Zbc, true, "carry-less multiplication (Zbc)"},
    {"zmmul", nullptr, Target::kExt, Ext::Zmmul, false, "multiplication without division (Zmmul)"},
    {"mmu", nullptr, Target::kMmu, Ext::I, true, "paged virtual memory (satp Sv39/Sv48/Sv57); off: bare only"},
    {"pmp", nullptr, Target::kPmp, Ext::I, true, "physical memory protection (16 entries)"},
    {"debug", nullptr, Target::kDebug, Ext::I, true,
     "the debug triggers (Sdtrig: 2 address triggers, tselect/tdata1-3/tinfo, breakpoint exceptions)"},
    {"sstc", nullptr, Target::kSstc, Ext::I, true, "the supervisor timer compare CSR stimecmp (Sstc)"},
    {"short-isa-string", nullptr, Target::kShortIsa, Ext::I, false, "riscv,isa without the multi-letter extensions"},
    // QEMU 7.2 has these; rewind does not implement them.
    {"e", nullptr, Target::kOffOnly, Ext::I, false, "the RV64E base ISA (E)"},
    {"h", nullptr, Target::kOffOnly, Ext::I, true, "the hypervisor extension (H)"},
    {"v", nullptr, Target::kOffOnly, Ext::I, false, "the vector extension (V)"},
    {"Zfh", "zfh", Target::kOffOnly, Ext::I, false, "half-precision floating point (Zfh)"},
    {"Zfhmin", "zfhmin", Target::kOffOnly, Ext::I, false, "minimal half-precision floating point (Zfhmin)"},
    {"Zve32f", "zve32f", Target::kOffOnly, Ext::I, false, "the embedded vector extension (Zve32f)"},
    {"Zve64f", "zve64f", Target::kOffOnly, Ext::I, false, "the embedded vector extension (Zve64f)"},
    {"zbkb", nullptr, Target::kOffOnly, Ext::I, false, "bit manipulation for cryptography (Zbkb)"},
    {"zbkc", nullptr, Target::kOffOnly, Ext::I, false, "carry-less multiplication for cryptography (Zbkc)"},
    {"zbkx", nullptr, Target::kOffOnly, Ext::I, false, "crossbar permutations (Zbkx)"},
    {"zk", nullptr, Target::kOffOnly, Ext::I, false, "scalar cryptography (Zk)"},
    {"zkn", nullptr, Target::kOffOnly, Ext::I, false, "NIST cryptography (Zkn)"},
    {"zknd", nullptr, Target::kOffOnly, Ext::I, false, "AES decryption (Zknd)"},
    {"zkne", nullptr, Target::kOffOnly, Ext::I, false, "AES encryption (Zkne)"},
    {"zknh", nullptr, Target::kOffOnly, Ext::I, false, "SHA-2 hashing (Zknh)"},
    {"zkr", nullptr, Target::kOffOnly, Ext::I, false, "the entropy source (Zkr)"},
    {"zks", nullptr, Target::kOffOnly, Ext::I, false, "ShangMi cryptography (Zks)"},
    {"zksed", nullptr, Target::kOffOnly, Ext::I, false, "SM4 block cipher (Zksed)"},
    {"zksh", nullptr, Target::kOffOnly, Ext::I, false, "SM3 hashing (Zksh)"},
    {"zkt", nullptr, Target::kOffOnly, Ext::I, false, "data-independent execution latency (Zkt)"},
    {"zfinx", nullptr, Target::kOffOnly, Ext::I, false, "floating point in integer registers (Zfinx)"},
    {"zdinx", nullptr, Target::kOffOnly, Ext::I, false, "double precision in integer registers (Zdinx)"},
    {"zhinx", nullptr, Target::kOffOnly, Ext::I, false, "half precision in integer registers (Zhinx)"},
    {"zhinxmin", nullptr, Target::kOffOnly, Ext::I, false, "minimal half precision in integer registers (Zhinxmin)"},
    {"sscofpmf", nullptr, Target::kOffOnly, Ext::I, false, "counter overflow interrupts (Sscofpmf)"},
    {"svinval", nullptr, Target::kOffOnly, Ext::I, false, "fine-grained TLB invalidation (Svinval)"},
    {"svnapot", nullptr, Target::kOffOnly, Ext::I, false, "NAPOT translation contiguity (Svnapot)"},
    {"svpbmt", nullptr, Target::kOffOnly, Ext::I, false, "page-based memory types (Svpbmt)"},
    {"x-epmp", nullptr, Target::kOffOnly, Ext::I, false, "enhanced PMP (Smepmp)"},
    {"x-j", nullptr, Target::kOffOnly, Ext::I, false, "dynamically translated languages (J)"},
    {"x-smaia", nullptr, Target::kOffOnly, Ext::I, false, "the advanced interrupt architecture (Smaia)"},
    {"x-ssaia", nullptr, Target::kOffOnly, Ext::I, false, "the advanced interrupt architecture (Ssaia)"},
    {"xventanacondops", nullptr, Target::kOffOnly, Ext::I, false, "Ventana's conditional operations (XVentanaCondOps)"},
    {"start-powered-off", nullptr, Target::kOffOnly, Ext::I, false, "a hart that starts powered off"},
};

// QEMU 7.2 properties of the vector unit: meaningless without it.
constexpr const char* kVectorParams[] = {"vlen", "elen", "vext_spec", "rvv_ta_all_1s", "rvv_ma_all_1s"};

// Extensions that later QEMU versions have as properties and QEMU 7.2 does
// not: neither does rewind (off is accepted, so scripts for a newer QEMU
// that switch them off still run).
constexpr const char* kNewerExtensions[] = {
    "zicond", "zicbom", "zicboz", "zicbop", "zawrs", "zacas", "zfa", "zca", "zcb", "zcd", "zcf", "zcmp", "zcmt",
    "zihintntl", "zimop", "zcmop", "zfbfmin", "zvfh", "zvfhmin", "zvbb", "zvbc", "zvkg", "zvkned", "zvknha",
    "zvknhb", "zvksed", "zvksh", "zvkt", "smstateen", "svadu", "ssaia", "smaia", "smepmp", "sscofpmf", "ztso",
    "xtheadba", "xtheadbb", "xtheadbs", "xtheadcmo", "xtheadcondmov", "xtheadfmemidx", "xtheadfmv", "xtheadmac",
    "xtheadmemidx", "xtheadmempair", "xtheadsync",
};

const BoolProp* find_bool_prop(const std::string& name) {
  for (const BoolProp& p : kBoolProps)
    if (name == p.name || (p.alias && name == p.alias)) return &p;
  return nullptr;
}

// QEMU's boolean spellings.
bool parse_bool(const std::string& s, bool& out) {
  if (s == "on" || s == "yes" || s == "true" || s == "y") return out = true, true;
  if (s == "off" || s == "no" || s == "false" || s == "n") return out = false, true;
  return false;
}

bool parse_uint(const std::string& s, uint64_t max, uint64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (errno || *end || v > max) return false;
  out = v;
  return true;
}

const char* priv_spec_name(PrivSpec p) {
  switch (p) {
    case PrivSpec::v1_10_0: return "v1.10.0";
    case PrivSpec::v1_11_0: return "v1.11.0";
    default: return "v1.12.0";
  }
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

CpuConfig model_defaults(const std::string& model) {
  CpuConfig c;
  c.model = model;
  c.exts = kAllExts & ~ext_bit(Ext::Zmmul);
  // QEMU 7.2's 'any' sets misa to IMAFDCU: no supervisor mode.
  if (model == "any") c.exts &= ~ext_bit(Ext::S);
  return c;
}

}  // namespace

uint64_t CpuConfig::misa() const {
  uint64_t m = 2ull << 62;  // MXL = 64
  const std::pair<Ext, char> letters[] = {{Ext::I, 'I'}, {Ext::M, 'M'}, {Ext::A, 'A'}, {Ext::F, 'F'},
                                          {Ext::D, 'D'}, {Ext::C, 'C'}, {Ext::S, 'S'}, {Ext::U, 'U'}};
  for (auto [e, l] : letters)
    if (has(e)) m |= 1ull << (l - 'A');
  return m;
}

std::string CpuConfig::isa_string() const {
  // QEMU 7.2: "rv64", misa's letters in the canonical order (S and U are
  // not named), then "_" and each multi-letter extension, in its order.
  std::string s = "rv64";
  const std::pair<Ext, char> letters[] = {{Ext::I, 'i'}, {Ext::M, 'm'}, {Ext::A, 'a'},
                                          {Ext::F, 'f'}, {Ext::D, 'd'}, {Ext::C, 'c'}};
  for (auto [e, l] : letters)
    if (has(e)) s += l;
  if (short_isa_string) return s;
  if (has(Ext::Zicsr)) s += "_zicsr";
  if (has(Ext::Zifencei)) s += "_zifencei";
  if (zihintpause) s += "_zihintpause";
  if (has(Ext::Zba)) s += "_zba";
  if (has(Ext::Zbb)) s += "_zbb";
  if (has(Ext::Zbc)) s += "_zbc";
  if (has(Ext::Zbs)) s += "_zbs";
  if (sstc) s += "_sstc";
  return s;
}

std::string CpuConfig::canonical() const {
  const CpuConfig d = model_defaults(model);
  std::string s = model;
  auto add = [&](const std::string& kv) { s += "," + kv; };
  for (const BoolProp& p : kBoolProps) {
    if (p.target != Target::kExt) continue;
    if (has(p.ext) != d.has(p.ext)) add(std::string(p.name) + (has(p.ext) ? "=on" : "=off"));
  }
  if (zihintpause != d.zihintpause) add(std::string("Zihintpause=") + (zihintpause ? "on" : "off"));
  if (mmu != d.mmu) add(std::string("mmu=") + (mmu ? "on" : "off"));
  if (pmp != d.pmp) add(std::string("pmp=") + (pmp ? "on" : "off"));
  if (debug != d.debug) add(std::string("debug=") + (debug ? "on" : "off"));
  if (sstc != d.sstc) add(std::string("sstc=") + (sstc ? "on" : "off"));
  if (short_isa_string != d.short_isa_string) add(std::string("short-isa-string=") + (short_isa_string ? "on" : "off"));
  if (priv_spec != d.priv_spec) add(std::string("priv_spec=") + priv_spec_name(priv_spec));
  if (mvendorid != d.mvendorid) add("mvendorid=" + hex(mvendorid));
  if (marchid != d.marchid) add("marchid=" + hex(marchid));
  if (mimpid != d.mimpid) add("mimpid=" + hex(mimpid));
  if (resetvec != d.resetvec) add("resetvec=" + hex(resetvec));
  return s;
}

std::string cpu_model_list() { return "any\nrv64"; }

std::string cpu_property_list(const std::string& model) {
  const CpuConfig d = model_defaults(model);
  std::ostringstream o;
  o << model << " CPU properties (-cpu " << model << ",NAME=VALUE,...; booleans: on/off, yes/no, true/false):";
  auto line = [&](const std::string& left, const std::string& right) {
    o << "\n  " << left << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << "- " << right;
  };
  for (const BoolProp& p : kBoolProps) {
    if (p.target == Target::kOffOnly) continue;
    bool def = p.target == Target::kExt ? d.has(p.ext)
               : p.target == Target::kZihintpause ? d.zihintpause
               : p.target == Target::kMmu ? d.mmu
               : p.target == Target::kPmp ? d.pmp
               : p.target == Target::kDebug ? d.debug
               : p.target == Target::kSstc ? d.sstc
               : false;
    std::string name = p.name;
    if (p.alias) name += " (or " + std::string(p.alias) + ")";
    line(name + "=<bool>", std::string(p.what) + " (default: " + (def ? "on" : "off") + ")");
  }
  line("priv_spec=<str>", "v1.10.0, v1.11.0 or v1.12.0 (default: v1.12.0)");
  line("mvendorid=<uint32>", "(default: 0)");
  line("marchid=<uint64>", "(default: " + std::to_string(d.marchid) + ")");
  line("mimpid=<uint64>", "(default: " + std::to_string(d.mimpid) + ")");
  line("resetvec=<uint64>", "where the hart starts (default: " + std::to_string(d.resetvec) + ")");
  line("pmu-num=<uint8>", "programmable counters: 16 only (default: 16)");
  o << "\nNot implemented by rewind (accepted only when off):";
  for (const BoolProp& p : kBoolProps) {
    if (p.target != Target::kOffOnly) continue;
    o << "\n  " << p.name << std::string(p.alias ? " (or " + std::string(p.alias) + ")" : "") << ": " << p.what;
  }
  o << "\n(sv39, sv48 and sv57 are properties from QEMU 8.0 on; QEMU 7.2's rv64, which rewind follows, has all "
       "three, or none with mmu=off)";
  return o.str();
}

bool parse_cpu_option(const std::string& arg, CpuConfig& out, std::string& err, std::vector<std::string>& warnings) {
  std::vector<std::string> items;
  std::stringstream ss(arg);
  for (std::string item; std::getline(ss, item, ',');) items.push_back(item);
  const std::string model = items.empty() ? "" : items[0];
  if (model == "help" || model == "?") return err = cpu_model_list(), false;
  if (model != "rv64" && model != "any") {
    std::string why = model == "max" ? " (QEMU 7.2 has no 'max' for riscv; rewind has 'rv64' and 'any')"
                                     : " (rewind has 'rv64' and 'any'; try -cpu help)";
    return err = "-cpu " + arg + ": unsupported CPU model '" + model + "'" + why, false;
  }
  CpuConfig c = model_defaults(model);
  bool g = false;
  for (size_t i = 1; i < items.size(); ++i) {
    const std::string& item = items[i];
    auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : item.substr(eq + 1);
    const std::string here = "-cpu " + model + "," + item + ": ";
    if (key == "help" || key == "?") return err = cpu_property_list(model), false;
    if (eq == std::string::npos) return err = here + "expected key=value format (e.g. " + key + "=off)", false;
    if (const BoolProp* p = find_bool_prop(key)) {
      bool on;
      if (!parse_bool(value, on))
        return err = here + "'" + key + "' expects on or off (also yes/no, true/false)", false;
      switch (p->target) {
        case Target::kExt:
          if (model == "any" && key.size() == 1)
            return err = here + "QEMU 7.2's 'any' CPU has a fixed misa (rv64imafdcu) and ignores single-letter "
                                "properties; use -cpu rv64," + item, false;
          if (p->ext == Ext::I && !on)
            return err = here + "rewind needs the I base ISA (RV64E, QEMU's i=off,e=on, is not implemented)", false;
          c.exts = on ? c.exts | ext_bit(p->ext) : c.exts & ~ext_bit(p->ext);
          break;
        case Target::kG: g = on; break;
        case Target::kZihintpause: c.zihintpause = on; break;
        case Target::kMmu: c.mmu = on; break;
        case Target::kPmp: c.pmp = on; break;
        case Target::kDebug: c.debug = on; break;
        case Target::kShortIsa: c.short_isa_string = on; break;
        case Target::kSstc: c.sstc = on; break;
        case Target::kOffOnly:
          if (on) return err = here + p->what + " is not implemented by rewind", false;
          break;
      }
      continue;
    }
    for (const char* v : kVectorParams)
      if (key == v)
        return err = here + "'" + key + "' configures the vector extension (V), which rewind does not implement", false;
    if (std::find_if(std::begin(kNewerExtensions), std::end(kNewerExtensions),
                     [&](const char* n) { return key == n; }) != std::end(kNewerExtensions)) {
      bool on;
      if (!parse_bool(value, on)) return err = here + "'" + key + "' expects on or off", false;
      if (on) return err = here + "the " + key + " extension is not implemented by rewind (QEMU 7.2, whose -cpu "
                                                 "properties rewind follows, has no '" + key + "' either)", false;
      continue;
    }
    if (key == "sv39" || key == "sv48" || key == "sv57")
      return err = here + "unknown CPU property '" + key + "' (satp modes are properties from QEMU 8.0 on; rewind "
                          "follows QEMU 7.2, whose rv64 has Sv39, Sv48 and Sv57, or none with mmu=off)", false;
    if (key == "priv_spec") {
      if (value == "v1.12.0") c.priv_spec = PrivSpec::v1_12_0;
      else if (value == "v1.11.0") c.priv_spec = PrivSpec::v1_11_0;
      else if (value == "v1.10.0") c.priv_spec = PrivSpec::v1_10_0;
      else return err = here + "unsupported privilege spec version '" + value + "' (v1.10.0, v1.11.0 or v1.12.0)", false;
      continue;
    }
    if (key == "mvendorid" || key == "marchid" || key == "mimpid" || key == "resetvec") {
      uint64_t v;
      bool is32 = key == "mvendorid";
      if (!parse_uint(value, is32 ? 0xffffffffull : ~0ull, v))
        return err = here + "'" + key + "' expects " + (is32 ? "a 32-bit" : "a 64-bit") + " unsigned number", false;
      if (key == "mvendorid") c.mvendorid = static_cast<uint32_t>(v);
      else if (key == "marchid") c.marchid = v;
      else if (key == "mimpid") c.mimpid = v;
      else c.resetvec = v;
      continue;
    }
    if (key == "pmu-num") {
      uint64_t v;
      if (!parse_uint(value, 255, v)) return err = here + "'pmu-num' expects a number from 0 to 255", false;
      if (v != 16) return err = here + "rewind implements 16 programmable counters (pmu-num=16) only", false;
      continue;
    }
    return err = here + "unknown CPU property '" + key + "' (try -cpu " + model + ",help)", false;
  }

  // What QEMU 7.2 checks when it realizes the hart, in its order.
  const std::string here = "-cpu " + arg + ": ";
  const ExtSet g_set = ext_bit(Ext::I) | ext_bit(Ext::M) | ext_bit(Ext::A) | ext_bit(Ext::F) | ext_bit(Ext::D) |
                       ext_bit(Ext::Zicsr) | ext_bit(Ext::Zifencei);
  if (g && (c.exts & g_set) != g_set) {
    warnings.push_back("Setting G will also set IMAFD_Zicsr_Zifencei");
    c.exts |= g_set;
  }
  if (c.has(Ext::S) && !c.has(Ext::U)) return err = here + "setting S extension without U extension is illegal (s=off too)", false;
  if (c.has(Ext::F) && !c.has(Ext::Zicsr)) return err = here + "F extension requires Zicsr (f=off,d=off too)", false;
  if (c.has(Ext::D) && !c.has(Ext::F)) return err = here + "D extension requires F extension (d=off too)", false;
  if (c.resetvec & (c.has(Ext::C) ? 1 : 3))
    return err = here + "resetvec must be " + (c.has(Ext::C) ? "2" : "4") + "-byte aligned", false;
  if (c.priv_spec != PrivSpec::v1_12_0) {
    // As QEMU 7.2: extensions ratified after the privileged spec chosen go.
    for (auto [e, name] : {std::pair{Ext::Zba, "zba"}, std::pair{Ext::Zbb, "zbb"}, std::pair{Ext::Zbc, "zbc"},
                              std::pair{Ext::Zbs, "zbs"}}) {
      if (!c.has(e)) continue;
      warnings.push_back(std::string("disabling ") + name +
                         " extension for hart 0x0 because privilege spec version does not match");
      c.exts &= ~ext_bit(e);
    }
    if (c.sstc) {
      warnings.push_back("disabling sstc extension for hart 0x0 because privilege spec version does not match");
      c.sstc = false;
    }
  }
  out = c;
  return true;
}

}  // namespace rwd::riscv
