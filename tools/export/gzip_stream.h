// gzip for traces: `--trace F.json.gz` writes the trace through zlib, and `gilsim check` reads a
// gzipped trace back. Perfetto and chrome://tracing open .json.gz files directly; a trace of a
// long run shrinks about tenfold, since its events repeat the same few keys and names.
//
// zlib is a build dependency of the command line only: the playground (Emscripten) build has no
// zlib, and there `gzip_available()` is false and the writer reports that it cannot compress.
#pragma once

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>

namespace gilsim {

// Whether this build can write and read gzip.
bool gzip_available();

// Whether a path names a gzip file to write: it ends in ".gz".
bool wants_gzip(const std::string& path);

// An ostream that deflates what is written into `sink` as one gzip member. finish() writes the
// trailer (the destructor does too); after it, `sink` holds a complete .gz file. Not thread-safe:
// one writer, as for any ostream.
class GzipOstream : public std::ostream {
 public:
  explicit GzipOstream(std::ostream& sink);
  ~GzipOstream() override;
  GzipOstream(const GzipOstream&) = delete;
  GzipOstream& operator=(const GzipOstream&) = delete;
  // False when compression failed (the ostream's badbit is set too).
  bool finish();

 private:
  class Buffer;
  std::unique_ptr<Buffer> buffer_;
};

// The bytes of `data`, inflated when they start with gzip's magic bytes (1f 8b), else unchanged.
// False (with `error` set) when a gzip stream is corrupt or this build cannot inflate.
bool maybe_gunzip(std::string& data, std::string& error);

}  // namespace gilsim
