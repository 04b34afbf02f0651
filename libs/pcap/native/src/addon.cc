// nicscope's libpcap binding (node-addon-api, context-aware: loads in the main thread and in
// worker_threads; no global state, everything hangs off the per-environment Addon instance).
//
// Packets reach JavaScript in batches: the capture fills a caller-provided buffer with records
//   u32 ts_sec, u32 ts_nsec, u32 caplen, u32 wirelen, caplen bytes, zero padding to 4  (little-endian)
// and makes one JS call per wakeup of a uv_poll on pcap_get_selectable_fd (live) or per read (offline).
// Nothing is allocated per packet; one buffer per capture is reused for every live batch.
#include <napi.h>
#include <pcap/pcap.h>
#include <uv.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace {

constexpr uint32_t kRecordHeader = 16;
constexpr size_t kFileBuffer = 1 << 20;
// libpcap's largest accepted capture length (MAXIMUM_SNAPLEN); a record above it is an error there too.
constexpr uint32_t kMaxCaplen = 262144;

inline uint32_t Pad4(uint32_t n) { return (n + 3u) & ~3u; }

inline void PutU32(uint8_t* p, uint32_t v) {
  // x86-64 and every Node target we build on are little-endian; keep it explicit anyway.
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}

inline uint32_t GetU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}

Napi::Value ThrowError(Napi::Env env, const std::string& msg) {
  Napi::Error::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Where pcap_dispatch's callback writes: the batch buffer being filled.
struct FillState {
  uint8_t* base;
  size_t cap;       // buffer size in bytes
  size_t used;      // bytes written
  uint32_t count;   // records written
  uint32_t maxCount;
  bool nanoTs;      // handle delivers nanoseconds in tv_usec
  uint32_t skipped; // packets that did not fit (must stay 0: dispatch count is bounded)
};

void OnPacket(u_char* user, const struct pcap_pkthdr* h, const u_char* bytes) {
  FillState* st = reinterpret_cast<FillState*>(user);
  const uint32_t caplen = h->caplen;
  const size_t need = kRecordHeader + Pad4(caplen);
  if (st->used + need > st->cap) {
    st->skipped++;
    return;
  }
  uint8_t* p = st->base + st->used;
  const uint32_t sub = static_cast<uint32_t>(h->ts.tv_usec);
  PutU32(p, static_cast<uint32_t>(h->ts.tv_sec));
  PutU32(p + 4, st->nanoTs ? sub : sub * 1000u);
  PutU32(p + 8, caplen);
  PutU32(p + 12, h->len);
  std::memcpy(p + kRecordHeader, bytes, caplen);
  for (uint32_t i = caplen; i < Pad4(caplen); i++) p[kRecordHeader + i] = 0;
  st->used += need;
  st->count++;
}

// Closes a poll handle allocated with malloc. The close callback is libc's free, not a function of
// this library: when a worker thread ends, Node unloads the addon before the worker's loop runs
// the last close callbacks, so a callback living in this .node would be called after unmapping.
void ClosePoll(uv_poll_t* p) {
  uv_poll_stop(p);
  uv_close(reinterpret_cast<uv_handle_t*>(p), reinterpret_cast<uv_close_cb>(reinterpret_cast<void (*)()>(&std::free)));
}

// ---------------------------------------------------------------------------------------------
// Handle: one live or offline pcap_t.
class Handle : public Napi::ObjectWrap<Handle> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Handle",
                       {
                           InstanceMethod("openLive", &Handle::OpenLive),
                           InstanceMethod("openOffline", &Handle::OpenOffline),
                           InstanceMethod("setFilter", &Handle::SetFilter),
                           InstanceMethod("read", &Handle::Read),
                           InstanceMethod("start", &Handle::Start),
                           InstanceMethod("stop", &Handle::Stop),
                           InstanceMethod("stats", &Handle::Stats),
                           InstanceMethod("close", &Handle::Close),
                           InstanceMethod("info", &Handle::Info),
                       });
  }

  explicit Handle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Handle>(info), env_(info.Env()) {}

  ~Handle() override { Teardown(); }

 private:
  // ---- open ----
  Napi::Value OpenLive(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pcap_) return ThrowError(env, "handle already open");
    if (info.Length() < 1 || !info[0].IsObject()) return ThrowError(env, "openLive: options object expected");
    Napi::Object o = info[0].As<Napi::Object>();
    std::string device = o.Get("device").ToString().Utf8Value();
    const int snaplen = o.Get("snaplen").ToNumber().Int32Value();
    const bool promisc = o.Get("promisc").ToBoolean().Value();
    const int bufferSize = o.Get("bufferSize").ToNumber().Int32Value();
    const int timeoutMs = o.Get("timeoutMs").ToNumber().Int32Value();
    const bool immediate = o.Get("immediate").ToBoolean().Value();
    const std::string direction = o.Get("direction").ToString().Utf8Value();
    const int dataLink = o.Get("dataLink").ToNumber().Int32Value();

    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_t* p = pcap_create(device.c_str(), errbuf);
    if (!p) return ThrowError(env, std::string("pcap_create(") + device + "): " + errbuf);
    pcap_set_snaplen(p, snaplen);
    pcap_set_promisc(p, promisc ? 1 : 0);
    if (bufferSize > 0) pcap_set_buffer_size(p, bufferSize);
    pcap_set_timeout(p, timeoutMs);
    pcap_set_immediate_mode(p, immediate ? 1 : 0);
    nanoTs_ = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    const int rc = pcap_activate(p);
    if (rc < 0) {
      std::string msg;
      switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
          msg = "no such interface \"" + device + "\"";
          break;
        case PCAP_ERROR_PERM_DENIED:
          msg = "permission denied capturing on \"" + device + "\" (needs root or CAP_NET_RAW)";
          break;
        case PCAP_ERROR_IFACE_NOT_UP:
          msg = "interface \"" + device + "\" is not up";
          break;
        default:
          msg = std::string("cannot capture on \"") + device + "\": " + pcap_statustostr(rc);
      }
      const char* detail = pcap_geterr(p);
      if (detail && *detail) msg += std::string(" (") + detail + ")";
      pcap_close(p);
      return ThrowError(env, msg);
    }
    if (rc > 0) {
      warning_ = std::string(pcap_statustostr(rc));
      const char* detail = pcap_geterr(p);
      if (detail && *detail) warning_ += std::string(": ") + detail;
    }
    if (!nanoTs_) nanoTs_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    if (dataLink >= 0 && dataLink != pcap_datalink(p) && pcap_set_datalink(p, dataLink) != 0) {
      std::string msg = std::string("link type ") + std::to_string(dataLink) + " on \"" + device + "\": " + pcap_geterr(p);
      pcap_close(p);
      return ThrowError(env, msg);
    }
    if (!direction.empty() && direction != "inout") {
      const pcap_direction_t d = direction == "in" ? PCAP_D_IN : PCAP_D_OUT;
      if (pcap_setdirection(p, d) != 0) {
        std::string msg = std::string("pcap_setdirection(") + direction + "): " + pcap_geterr(p);
        pcap_close(p);
        return ThrowError(env, msg);
      }
    }
    if (pcap_setnonblock(p, 1, errbuf) != 0) {
      std::string msg = std::string("pcap_setnonblock: ") + errbuf;
      pcap_close(p);
      return ThrowError(env, msg);
    }
    pcap_ = p;
    live_ = true;
    return env.Undefined();
  }

  Napi::Value OpenOffline(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (pcap_) return ThrowError(env, "handle already open");
    std::string path = info[0].ToString().Utf8Value();
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    // The file is opened here with a 1 MiB stdio buffer: libpcap reads each record with two fread()
    // calls, and with the default 4 KiB buffer a 250 MB file costs 60k read(2) calls (measured: a
    // third of the CPU of reading a file on this VM, where a system call is expensive).
    pcap_t* p = nullptr;
    if (path == "-") {
      p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    } else {
      FILE* fp = std::fopen(path.c_str(), "rb");
      if (!fp) return ThrowError(env, path + ": " + std::strerror(errno));
      // A classic pcap file (not pcapng, not one of the old modified formats) is then read by
      // ReadFast() instead of pcap_dispatch(): one copy per record instead of two fread() calls
      // and two copies. libpcap still parses and checks the file header.
      uint8_t magic[4] = {0, 0, 0, 0};
      const size_t got = std::fread(magic, 1, 4, fp);
      std::rewind(fp);
      const uint32_t m = got == 4 ? GetU32(magic) : 0;
      fast_ = m == 0xa1b2c3d4u || m == 0xd4c3b2a1u || m == 0xa1b23c4du || m == 0x4d3cb2a1u;
      fastNano_ = m == 0xa1b23c4du || m == 0x4d3cb2a1u;
      // glibc ignores the size when setvbuf() gets no buffer: give it one.
      fileBuf_.reset(new char[kFileBuffer]);
      std::setvbuf(fp, fileBuf_.get(), _IOFBF, kFileBuffer);
      p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
      if (!p) {
        std::fclose(fp);  // on success pcap_close() closes it
        fileBuf_.reset();
      }
    }
    if (!p) return ThrowError(env, std::string(errbuf));
    pcap_ = p;
    live_ = false;
    nanoTs_ = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    if (fast_) {
      fastSwapped_ = pcap_is_swapped(p) == 1;
      stage_.reset(new uint8_t[kFileBuffer]);
    }
    return env.Undefined();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pcap_) return ThrowError(env, "handle is closed");
    Napi::Object o = Napi::Object::New(env);
    const int dlt = pcap_datalink(pcap_);
    o.Set("linkType", Napi::Number::New(env, dlt));
    const char* name = pcap_datalink_val_to_name(dlt);
    o.Set("linkName", Napi::String::New(env, name ? name : ""));
    o.Set("snaplen", Napi::Number::New(env, pcap_snapshot(pcap_)));
    o.Set("nanoTs", Napi::Boolean::New(env, nanoTs_));
    o.Set("warning", Napi::String::New(env, warning_));
    o.Set("fd", Napi::Number::New(env, live_ ? pcap_get_selectable_fd(pcap_) : -1));
    if (!live_) {
      o.Set("fileMajor", Napi::Number::New(env, pcap_major_version(pcap_)));
      o.Set("fileMinor", Napi::Number::New(env, pcap_minor_version(pcap_)));
      o.Set("swapped", Napi::Boolean::New(env, pcap_is_swapped(pcap_) == 1));
    }
    return o;
  }

  Napi::Value SetFilter(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pcap_) return ThrowError(env, "handle is closed");
    std::string expr = info[0].ToString().Utf8Value();
    if (fast_) {
      if (fastStarted_) return ThrowError(env, "set the filter before the first read");
      fast_ = false;  // libpcap applies the filter while it reads
      stage_.reset();
    }
    struct bpf_program prog;
    if (pcap_compile(pcap_, &prog, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      return ThrowError(env, std::string("bad filter \"") + expr + "\": " + pcap_geterr(pcap_));
    }
    const int rc = pcap_setfilter(pcap_, &prog);
    pcap_freecode(&prog);
    if (rc != 0) return ThrowError(env, std::string("pcap_setfilter: ") + pcap_geterr(pcap_));
    return env.Undefined();
  }

  // Fills st from the handle: bounded pcap_dispatch calls so that every packet fits.
  // Returns pcap's last status: >= 0 ok, 0 with no packet = nothing (live) / end of file (offline), -1 error.
  int Fill(FillState& st) {
    if (fast_) return FillFast(st);
    const uint32_t snap = static_cast<uint32_t>(pcap_snapshot(pcap_));
    const size_t recMax = kRecordHeader + Pad4(snap);
    int last = 0;
    for (;;) {
      if (st.count >= st.maxCount) break;
      const size_t room = st.cap - st.used;
      if (room < recMax) break;
      size_t n = room / recMax;
      const size_t left = st.maxCount - st.count;
      if (n > left) n = left;
      if (n > INT_MAX) n = INT_MAX;
      const int rc = pcap_dispatch(pcap_, static_cast<int>(n), OnPacket, reinterpret_cast<u_char*>(&st));
      last = rc;
      if (rc <= 0) break;
      // Offline, a short read means the file ended; live, the ring is drained.
      if (static_cast<size_t>(rc) < n) {
        if (!live_) continue;  // next call returns 0 at end of file
        break;
      }
    }
    return last;
  }

  // Fill() for a classic pcap file: records are parsed from a staging buffer refilled by one
  // fread() per megabyte and copied once into the batch. Same results and errors as libpcap's
  // reader (a record cut by the end of the file is an error; a caplen above the file's snaplen keeps
  // snaplen bytes). Returns like Fill(): > 0 records, 0 end of file, -1 error (fastErr_).
  int FillFast(FillState& st) {
    fastStarted_ = true;
    FILE* fp = pcap_file(pcap_);
    const uint32_t snap = static_cast<uint32_t>(pcap_snapshot(pcap_));
    const size_t recMax = kRecordHeader + Pad4(snap);
    uint32_t n = 0;
    while (st.count < st.maxCount && st.cap - st.used >= recMax) {
      if (stageEnd_ - stagePos_ < kRecordHeader) {
        if (!Refill(fp, kRecordHeader)) {
          if (stageEnd_ == stagePos_ && !std::ferror(fp)) return n > 0 ? static_cast<int>(n) : 0;
          fastErr_ = std::ferror(fp) ? std::string("error reading dump file: ") + std::strerror(errno)
                                     : "truncated dump file; tried to read 16 header bytes, only got " +
                                           std::to_string(stageEnd_ - stagePos_);
          return -1;
        }
      }
      const uint8_t* h = stage_.get() + stagePos_;
      uint32_t sec = GetU32(h), sub = GetU32(h + 4), caplen = GetU32(h + 8), len = GetU32(h + 12);
      if (fastSwapped_) {
        sec = __builtin_bswap32(sec);
        sub = __builtin_bswap32(sub);
        caplen = __builtin_bswap32(caplen);
        len = __builtin_bswap32(len);
      }
      if (caplen > kMaxCaplen) {
        fastErr_ = "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
                   std::to_string(kMaxCaplen);
        return -1;
      }
      if (stageEnd_ - stagePos_ < kRecordHeader + caplen && !Refill(fp, kRecordHeader + caplen)) {
        if (std::ferror(fp)) {
          fastErr_ = std::string("error reading dump file: ") + std::strerror(errno);
        } else {
          fastErr_ = "truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
                     std::to_string(stageEnd_ - stagePos_ - kRecordHeader);
        }
        return -1;
      }
      const uint8_t* data = stage_.get() + stagePos_ + kRecordHeader;
      stagePos_ += kRecordHeader + caplen;
      const uint32_t keep = caplen < snap ? caplen : snap;
      uint8_t* p = st.base + st.used;
      PutU32(p, sec);
      PutU32(p + 4, fastNano_ ? sub : sub * 1000u);
      PutU32(p + 8, keep);
      PutU32(p + 12, len);
      std::memcpy(p + kRecordHeader, data, keep);
      for (uint32_t i = keep; i < Pad4(keep); i++) p[kRecordHeader + i] = 0;
      st.used += kRecordHeader + Pad4(keep);
      st.count++;
      n++;
    }
    return static_cast<int>(n);
  }

  // Moves the unread rest of the staging buffer to its start and reads more; true when at least
  // `need` bytes are then available.
  bool Refill(FILE* fp, size_t need) {
    const size_t rest = stageEnd_ - stagePos_;
    if (rest > 0 && stagePos_ > 0) std::memmove(stage_.get(), stage_.get() + stagePos_, rest);
    stagePos_ = 0;
    stageEnd_ = rest;
    while (stageEnd_ < need) {
      const size_t got = std::fread(stage_.get() + stageEnd_, 1, kFileBuffer - stageEnd_, fp);
      if (got == 0) return false;
      stageEnd_ += got;
    }
    return true;
  }

  // read(buf: Uint8Array, maxPackets: number, out: Uint32Array[3]) -> count; out = [count, bytes, status]
  // status: 0 more may follow, 1 end of file / nothing pending, 2 error (message from lastError via throw-free path)
  Napi::Value Read(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pcap_) return ThrowError(env, "handle is closed");
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[2].IsTypedArray())
      return ThrowError(env, "read(buf, maxPackets, out) expected");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    Napi::Uint32Array out = info[2].As<Napi::Uint32Array>();
    FillState st{buf.Data(), buf.ByteLength(), 0, 0, info[1].ToNumber().Uint32Value(), nanoTs_, 0};
    if (st.maxCount == 0) st.maxCount = UINT32_MAX;
    const int rc = Fill(st);
    uint32_t status = 0;
    std::string err;
    if (rc < 0) {
      status = 2;
      err = fast_ ? fastErr_ : pcap_geterr(pcap_);
    } else if (rc == 0) {
      status = 1;
    }
    out[0] = st.count;
    out[1] = static_cast<uint32_t>(st.used);
    out[2] = status;
    if (status == 2) return Napi::String::New(env, err);
    return Napi::Number::New(env, st.count);
  }

  // ---- live: uv_poll on the selectable fd ----
  // start(buf: Uint8Array, onBatch: (count, bytes, error?) => void)
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pcap_ || !live_) return ThrowError(env, "start: not an open live capture");
    if (poll_) return ThrowError(env, "capture already started");
    if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsFunction())
      return ThrowError(env, "start(buf, onBatch) expected");
    const int fd = pcap_get_selectable_fd(pcap_);
    if (fd < 0) return ThrowError(env, "this capture has no selectable file descriptor");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    bufRef_ = Napi::Persistent(buf);
    bufData_ = buf.Data();
    bufLen_ = buf.ByteLength();
    cb_ = Napi::Persistent(info[1].As<Napi::Function>());
    asyncCtx_ = new Napi::AsyncContext(env, "nicscope:pcap");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) return ThrowError(env, "no event loop");
    poll_ = static_cast<uv_poll_t*>(std::malloc(sizeof(uv_poll_t)));
    if (!poll_) return ThrowError(env, "out of memory");
    poll_->data = this;
    int rc = uv_poll_init(loop, poll_, fd);
    if (rc == 0) rc = uv_poll_start(poll_, UV_READABLE | UV_DISCONNECT, &Handle::OnPoll);
    if (rc != 0) {
      std::free(poll_);
      poll_ = nullptr;
      return ThrowError(env, std::string("uv_poll: ") + uv_strerror(rc));
    }
    Ref();  // the JS object stays alive while the poll runs
    napi_add_env_cleanup_hook(env, &Handle::OnEnvCleanup, this);
    hookAdded_ = true;
    return env.Undefined();
  }

  static void OnPoll(uv_poll_t* h, int status, int events) {
    Handle* self = static_cast<Handle*>(h->data);
    if (!self || !self->pcap_) return;
    self->Deliver(status < 0 ? std::string("poll error: ") + uv_strerror(status) : std::string());
  }

  // Drains what the ring holds into the batch buffer and calls JS once per full buffer.
  void Deliver(const std::string& pollErr) {
    Napi::Env env = env_;
    Napi::HandleScope scope(env);
    inDeliver_ = true;
    DeliverLoop(pollErr);
    inDeliver_ = false;
    if (deadCtx_) {
      delete deadCtx_;
      deadCtx_ = nullptr;
    }
  }

  void DeliverLoop(const std::string& pollErr) {
    if (!pollErr.empty()) {
      CallJs(-1, 0, pollErr);
      return;
    }
    for (int rounds = 0; rounds < 64 && pcap_ && poll_; rounds++) {
      FillState st{bufData_, bufLen_, 0, 0, UINT32_MAX, nanoTs_, 0};
      const int rc = Fill(st);
      if (st.count > 0) CallJs(static_cast<double>(st.count), static_cast<double>(st.used), std::string());
      if (rc < 0) {
        if (pcap_) CallJs(-1, 0, std::string(pcap_geterr(pcap_)));
        return;
      }
      // Stop when the ring had less than a full buffer: the next wakeup brings the rest.
      if (st.used + kRecordHeader + Pad4(static_cast<uint32_t>(pcap_ ? pcap_snapshot(pcap_) : 0)) <= bufLen_) return;
    }
  }

  void CallJs(double count, double bytes, const std::string& err) {
    if (cb_.IsEmpty() || !asyncCtx_) return;
    Napi::Env env = env_;
    napi_value args[3];
    args[0] = Napi::Number::New(env, count);
    args[1] = Napi::Number::New(env, bytes);
    args[2] = err.empty() ? env.Undefined() : Napi::String::New(env, err);
    Napi::Object recv = Value();
    cb_.MakeCallback(recv, 3, args, *asyncCtx_);
    if (env.IsExceptionPending()) {
      Napi::Error e = env.GetAndClearPendingException();
      napi_fatal_exception(env, e.Value());
    }
  }

  // stop(): delivers what is pending, then stops polling (the handle stays open for stats()).
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (poll_ && pcap_ && !inDeliver_) Deliver(std::string());
    StopPoll();
    return env.Undefined();
  }

  void StopPoll() {
    if (!poll_) return;
    uv_poll_stop(poll_);
    ClosePoll(poll_);
    poll_ = nullptr;
    if (hookAdded_) {
      napi_remove_env_cleanup_hook(env_, &Handle::OnEnvCleanup, this);
      hookAdded_ = false;
    }
    cb_.Reset();
    bufRef_.Reset();
    bufData_ = nullptr;
    bufLen_ = 0;
    ReleaseCtx();
    Unref();
  }

  // The async context is in use while a callback runs: delete it after Deliver returns.
  void ReleaseCtx() {
    if (inDeliver_) {
      deadCtx_ = asyncCtx_;
    } else {
      delete asyncCtx_;
    }
    asyncCtx_ = nullptr;
  }

  static void OnEnvCleanup(void* arg) {
    Handle* self = static_cast<Handle*>(arg);
    self->hookAdded_ = false;  // hooks are being run: do not remove it again
    if (self->poll_) {
      uv_poll_stop(self->poll_);
      ClosePoll(self->poll_);
      self->poll_ = nullptr;
    }
    if (self->pcap_) {
      pcap_close(self->pcap_);
      self->pcap_ = nullptr;
    }
    // The environment is still valid here: release the references now, not in a late finalizer.
    self->cb_.Reset();
    self->bufRef_.Reset();
    self->bufData_ = nullptr;
    self->bufLen_ = 0;
    self->ReleaseCtx();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!pcap_) return ThrowError(env, "handle is closed");
    struct pcap_stat ps;
    std::memset(&ps, 0, sizeof ps);
    if (pcap_stats(pcap_, &ps) != 0) return ThrowError(env, std::string("pcap_stats: ") + pcap_geterr(pcap_));
    if (info.Length() >= 1 && info[0].IsTypedArray()) {
      Napi::Float64Array out = info[0].As<Napi::Float64Array>();
      out[0] = ps.ps_recv;
      out[1] = ps.ps_drop;
      out[2] = ps.ps_ifdrop;
      return env.Undefined();
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("recv", Napi::Number::New(env, ps.ps_recv));
    o.Set("drop", Napi::Number::New(env, ps.ps_drop));
    o.Set("ifdrop", Napi::Number::New(env, ps.ps_ifdrop));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Teardown();
    return info.Env().Undefined();
  }

  void Teardown() {
    if (poll_) {
      // Called from a finalizer only if the poll never ran (it holds a Ref), or from close().
      uv_poll_stop(poll_);
      ClosePoll(poll_);
      poll_ = nullptr;
      if (hookAdded_) {
        napi_remove_env_cleanup_hook(env_, &Handle::OnEnvCleanup, this);
        hookAdded_ = false;
      }
      cb_.Reset();
      bufRef_.Reset();
      bufData_ = nullptr;
      bufLen_ = 0;
      ReleaseCtx();
      Unref();
    }
    if (pcap_) {
      pcap_close(pcap_);  // closes the FILE, so its buffer may go after it
      pcap_ = nullptr;
    }
    fileBuf_.reset();
  }

  Napi::Env env_;
  pcap_t* pcap_ = nullptr;
  std::unique_ptr<char[]> fileBuf_;  // stdio buffer of an offline file (outlives its FILE)
  // Classic pcap files read by FillFast(): byte order and precision of the file, staging buffer.
  bool fast_ = false;
  bool fastStarted_ = false;
  bool fastSwapped_ = false;
  bool fastNano_ = false;
  std::unique_ptr<uint8_t[]> stage_;
  size_t stagePos_ = 0;
  size_t stageEnd_ = 0;
  std::string fastErr_;
  bool live_ = false;
  bool nanoTs_ = false;
  std::string warning_;
  uv_poll_t* poll_ = nullptr;
  bool hookAdded_ = false;
  Napi::FunctionReference cb_;
  Napi::Reference<Napi::Uint8Array> bufRef_;
  uint8_t* bufData_ = nullptr;
  size_t bufLen_ = 0;
  Napi::AsyncContext* asyncCtx_ = nullptr;
  Napi::AsyncContext* deadCtx_ = nullptr;
  bool inDeliver_ = false;
};

// ---------------------------------------------------------------------------------------------
// Filter: a compiled BPF program tested against bytes already captured (pcap_offline_filter).
class Filter : public Napi::ObjectWrap<Filter> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Filter",
                       {
                           InstanceMethod("test", &Filter::Test),
                           InstanceMethod("testBatch", &Filter::TestBatch),
                           InstanceMethod("free", &Filter::Free),
                       });
  }

  // new Filter(expr, linkType, snaplen)
  explicit Filter(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Filter>(info) {
    Napi::Env env = info.Env();
    std::string expr = info[0].ToString().Utf8Value();
    const int dlt = info.Length() > 1 && info[1].IsNumber() ? info[1].ToNumber().Int32Value() : DLT_EN10MB;
    const int snaplen = info.Length() > 2 && info[2].IsNumber() ? info[2].ToNumber().Int32Value() : 262144;
    pcap_t* dead = pcap_open_dead(dlt, snaplen);
    if (!dead) {
      ThrowError(env, "pcap_open_dead failed");
      return;
    }
    if (pcap_compile(dead, &prog_, expr.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      std::string msg = std::string("bad filter \"") + expr + "\": " + pcap_geterr(dead);
      pcap_close(dead);
      ThrowError(env, msg);
      return;
    }
    pcap_close(dead);
    compiled_ = true;
  }

  ~Filter() override {
    if (compiled_) pcap_freecode(&prog_);
  }

 private:
  // test(buf: Uint8Array, off, caplen, wirelen) -> boolean
  Napi::Value Test(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!compiled_) return ThrowError(env, "filter freed");
    if (!info[0].IsTypedArray()) return ThrowError(env, "test(buf, off, caplen, wirelen): Uint8Array expected");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    const uint32_t off = info[1].ToNumber().Uint32Value();
    const uint32_t caplen = info[2].ToNumber().Uint32Value();
    const uint32_t wirelen = info.Length() > 3 && info[3].IsNumber() ? info[3].ToNumber().Uint32Value() : caplen;
    if (static_cast<size_t>(off) + caplen > buf.ByteLength()) return ThrowError(env, "test: off + caplen beyond the buffer");
    struct pcap_pkthdr h;
    std::memset(&h, 0, sizeof h);
    h.caplen = caplen;
    h.len = wirelen;
    return Napi::Boolean::New(env, pcap_offline_filter(&prog_, &h, buf.Data() + off) != 0);
  }

  // testBatch(buf, count, out: Uint8Array) -> matches; out[i] = 1 when packet i matches
  Napi::Value TestBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!compiled_) return ThrowError(env, "filter freed");
    if (!info[0].IsTypedArray() || !info[2].IsTypedArray()) return ThrowError(env, "testBatch(buf, count, out) expected");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    const uint32_t count = info[1].ToNumber().Uint32Value();
    Napi::Uint8Array out = info[2].As<Napi::Uint8Array>();
    if (out.ByteLength() < count) return ThrowError(env, "testBatch: out is shorter than count");
    const uint8_t* base = buf.Data();
    const size_t len = buf.ByteLength();
    uint8_t* o = out.Data();
    size_t off = 0;
    uint32_t matches = 0;
    struct pcap_pkthdr h;
    std::memset(&h, 0, sizeof h);
    for (uint32_t i = 0; i < count; i++) {
      if (off + kRecordHeader > len) return ThrowError(env, "testBatch: batch ends early");
      const uint32_t caplen = GetU32(base + off + 8);
      if (off + kRecordHeader + caplen > len) return ThrowError(env, "testBatch: record beyond the buffer");
      h.caplen = caplen;
      h.len = GetU32(base + off + 12);
      const bool m = pcap_offline_filter(&prog_, &h, base + off + kRecordHeader) != 0;
      o[i] = m ? 1 : 0;
      matches += m ? 1 : 0;
      off += kRecordHeader + Pad4(caplen);
    }
    return Napi::Number::New(env, matches);
  }

  Napi::Value Free(const Napi::CallbackInfo& info) {
    if (compiled_) pcap_freecode(&prog_);
    compiled_ = false;
    return info.Env().Undefined();
  }

  struct bpf_program prog_ {};
  bool compiled_ = false;
};

// ---------------------------------------------------------------------------------------------
// Writer: pcap savefiles through pcap_dump (what tcpdump -w writes; tshark reads them).
class Writer : public Napi::ObjectWrap<Writer> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Writer",
                       {
                           InstanceMethod("writeBatch", &Writer::WriteBatch),
                           InstanceMethod("write", &Writer::Write),
                           InstanceMethod("flush", &Writer::Flush),
                           InstanceMethod("close", &Writer::Close),
                       });
  }

  // new Writer(path, linkType, snaplen, nano)
  explicit Writer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Writer>(info) {
    Napi::Env env = info.Env();
    std::string path = info[0].ToString().Utf8Value();
    const int dlt = info[1].ToNumber().Int32Value();
    const int snaplen = info[2].ToNumber().Int32Value();
    nano_ = info[3].ToBoolean().Value();
    dead_ = pcap_open_dead_with_tstamp_precision(dlt, snaplen, nano_ ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
    if (!dead_) {
      ThrowError(env, "pcap_open_dead failed");
      return;
    }
    dumper_ = pcap_dump_open(dead_, path.c_str());
    if (!dumper_) {
      std::string msg = std::string("cannot write \"") + path + "\": " + pcap_geterr(dead_);
      pcap_close(dead_);
      dead_ = nullptr;
      ThrowError(env, msg);
      return;
    }
  }

  ~Writer() override { Shut(); }

 private:
  void Dump(uint32_t sec, uint32_t nsec, uint32_t caplen, uint32_t wirelen, const uint8_t* data) {
    struct pcap_pkthdr h;
    h.ts.tv_sec = sec;
    h.ts.tv_usec = nano_ ? nsec : nsec / 1000u;
    h.caplen = caplen;
    h.len = wirelen;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &h, data);
  }

  // writeBatch(buf, count)
  Napi::Value WriteBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!dumper_) return ThrowError(env, "writer is closed");
    if (!info[0].IsTypedArray()) return ThrowError(env, "writeBatch(buf, count) expected");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    const uint32_t count = info[1].ToNumber().Uint32Value();
    const uint8_t* base = buf.Data();
    const size_t len = buf.ByteLength();
    size_t off = 0;
    for (uint32_t i = 0; i < count; i++) {
      if (off + kRecordHeader > len) return ThrowError(env, "writeBatch: batch ends early");
      const uint32_t caplen = GetU32(base + off + 8);
      if (off + kRecordHeader + caplen > len) return ThrowError(env, "writeBatch: record beyond the buffer");
      Dump(GetU32(base + off), GetU32(base + off + 4), caplen, GetU32(base + off + 12), base + off + kRecordHeader);
      off += kRecordHeader + Pad4(caplen);
    }
    return env.Undefined();
  }

  // write(buf, off, caplen, wirelen, tsSec, tsNsec)
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!dumper_) return ThrowError(env, "writer is closed");
    if (!info[0].IsTypedArray()) return ThrowError(env, "write(buf, off, caplen, wirelen, tsSec, tsNsec) expected");
    Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
    const uint32_t off = info[1].ToNumber().Uint32Value();
    const uint32_t caplen = info[2].ToNumber().Uint32Value();
    if (static_cast<size_t>(off) + caplen > buf.ByteLength()) return ThrowError(env, "write: off + caplen beyond the buffer");
    Dump(info[4].ToNumber().Uint32Value(), info[5].ToNumber().Uint32Value(), caplen, info[3].ToNumber().Uint32Value(),
         buf.Data() + off);
    return env.Undefined();
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (dumper_ && pcap_dump_flush(dumper_) != 0) return ThrowError(env, std::string("flush: ") + std::strerror(errno));
    return env.Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    Shut();
    return info.Env().Undefined();
  }

  void Shut() {
    if (dumper_) {
      pcap_dump_close(dumper_);
      dumper_ = nullptr;
    }
    if (dead_) {
      pcap_close(dead_);
      dead_ = nullptr;
    }
  }

  pcap_t* dead_ = nullptr;
  pcap_dumper_t* dumper_ = nullptr;
  bool nano_ = true;
};

// ---------------------------------------------------------------------------------------------
class PcapAddon : public Napi::Addon<PcapAddon> {
 public:
  PcapAddon(Napi::Env env, Napi::Object exports) {
    DefineAddon(exports, {
                             InstanceValue("Handle", Handle::Init(env), napi_enumerable),
                             InstanceValue("Filter", Filter::Init(env), napi_enumerable),
                             InstanceValue("Writer", Writer::Init(env), napi_enumerable),
                             InstanceValue("libVersion", Napi::String::New(env, pcap_lib_version()), napi_enumerable),
                             InstanceMethod("findAllDevs", &PcapAddon::FindAllDevs, napi_enumerable),
                         });
  }

 private:
  Napi::Value FindAllDevs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    char errbuf[PCAP_ERRBUF_SIZE] = {0};
    pcap_if_t* all = nullptr;
    if (pcap_findalldevs(&all, errbuf) != 0) return ThrowError(env, std::string("pcap_findalldevs: ") + errbuf);
    Napi::Array arr = Napi::Array::New(env);
    uint32_t i = 0;
    for (pcap_if_t* d = all; d; d = d->next) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", Napi::String::New(env, d->name));
      o.Set("description", d->description ? Napi::String::New(env, d->description) : env.Null());
      o.Set("flags", Napi::Number::New(env, d->flags));
      arr.Set(i++, o);
    }
    pcap_freealldevs(all);
    return arr;
  }
};

}  // namespace

NODE_API_ADDON(PcapAddon)
