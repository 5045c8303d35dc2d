#include "tools/export/gzip_stream.h"

#include <cstring>
#include <vector>

#if GILSIM_HAVE_ZLIB
#include <zlib.h>
#endif

namespace gilsim {

bool wants_gzip(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

#if GILSIM_HAVE_ZLIB

bool gzip_available() { return true; }

// Deflates its put area into the sink each time it fills. Level 6 (zlib's default): level 9
// saves a few per cent more of a trace for twice the time.
class GzipOstream::Buffer : public std::streambuf {
 public:
  explicit Buffer(std::ostream& sink) : sink_(sink), in_(1 << 16), out_(1 << 16) {
    std::memset(&z_, 0, sizeof z_);
    // 15 + 16: the largest window, with a gzip header and trailer instead of zlib's.
    ok_ = deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    setp(in_.data(), in_.data() + in_.size());
  }
  ~Buffer() override { deflateEnd(&z_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  bool finish() {
    if (finished_) return ok_;
    finished_ = true;
    deflate_put_area(Z_FINISH);
    return ok_;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!deflate_put_area(Z_NO_FLUSH)) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return ok_ ? 0 : -1; }

 private:
  bool deflate_put_area(int flush) {
    if (!ok_ || finished_ != (flush == Z_FINISH)) return false;
    z_.next_in = reinterpret_cast<Bytef*>(pbase());
    z_.avail_in = static_cast<uInt>(pptr() - pbase());
    int r;
    do {
      z_.next_out = reinterpret_cast<Bytef*>(out_.data());
      z_.avail_out = static_cast<uInt>(out_.size());
      r = deflate(&z_, flush);
      if (r == Z_STREAM_ERROR) {
        ok_ = false;
        return false;
      }
      sink_.write(out_.data(), static_cast<std::streamsize>(out_.size() - z_.avail_out));
    } while (z_.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
    setp(in_.data(), in_.data() + in_.size());
    if (!sink_) ok_ = false;
    return ok_;
  }

  std::ostream& sink_;
  std::vector<char> in_, out_;
  z_stream z_;
  bool ok_ = false, finished_ = false;
};

bool maybe_gunzip(std::string& data, std::string& error) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b)
    return true;
  z_stream z;
  std::memset(&z, 0, sizeof z);
  if (inflateInit2(&z, 15 + 32) != Z_OK) {  // + 32: detect gzip or zlib headers
    error = "zlib could not start";
    return false;
  }
  std::string out;
  std::vector<char> chunk(1 << 18);
  z.next_in = reinterpret_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  int r = Z_OK;
  while (r != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    r = inflate(&z, Z_NO_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END) {
      error = r == Z_BUF_ERROR ? "the gzip stream is cut short"
                               : std::string("corrupt gzip data: ") + (z.msg ? z.msg : "?");
      inflateEnd(&z);
      return false;
    }
    out.append(chunk.data(), chunk.size() - z.avail_out);
  }
  inflateEnd(&z);
  data = std::move(out);
  return true;
}

#else  // no zlib in this build (the playground)

bool gzip_available() { return false; }

class GzipOstream::Buffer : public std::streambuf {
 public:
  explicit Buffer(std::ostream&) {}
  bool finish() { return false; }

 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
};

bool maybe_gunzip(std::string& data, std::string& error) {
  if (data.size() < 2 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b)
    return true;
  error = "this build of gilsim cannot read gzip (no zlib)";
  return false;
}

#endif

GzipOstream::GzipOstream(std::ostream& sink)
    : std::ostream(nullptr), buffer_(std::make_unique<Buffer>(sink)) {
  rdbuf(buffer_.get());
}

GzipOstream::~GzipOstream() { buffer_->finish(); }

bool GzipOstream::finish() {
  flush();
  bool ok = buffer_->finish();
  if (!ok) setstate(std::ios::badbit);
  return ok;
}

}  // namespace gilsim
