// Keyframe detection decides where a subscriber's video may start or switch layers.
#include <catch2/catch.hpp>

#include <vector>

#include "media/video_keyframe.hpp"

using namespace parley::media;

TEST_CASE("VP8: the first packet of a key frame is recognised, with and without extensions", "[keyframe]") {
  // S=1, PID=0, no X; payload header with P=0 (key frame).
  const std::vector<uint8_t> plain_key{0x10, 0x00, 0x9d, 0x01, 0x2a};
  CHECK(vp8_starts_keyframe(plain_key));
  // X with I (15-bit picture id), L and T/K: descriptor is 1 + 1 + 2 + 1 + 1 bytes.
  const std::vector<uint8_t> extended_key{0x90, 0xF0, 0x80, 0x01, 0x05, 0x20, 0x00, 0x9d};
  CHECK(vp8_starts_keyframe(extended_key));
  // The same descriptor with P=1: an inter frame.
  const std::vector<uint8_t> extended_delta{0x90, 0xF0, 0x80, 0x01, 0x05, 0x20, 0x01, 0x9d};
  CHECK_FALSE(vp8_starts_keyframe(extended_delta));
  // A continuation packet of a key frame (S=0) does not start one.
  const std::vector<uint8_t> continuation{0x00, 0x00, 0x9d};
  CHECK_FALSE(vp8_starts_keyframe(continuation));
  // Truncated descriptors are not key frames (and are not read past their end).
  CHECK_FALSE(vp8_starts_keyframe(std::vector<uint8_t>{0x90, 0x80}));
  CHECK_FALSE(vp8_starts_keyframe(std::vector<uint8_t>{}));
}

TEST_CASE("H.264: IDR and SPS as single NAL units, in STAP-A and as the first FU-A fragment", "[keyframe]") {
  CHECK(h264_starts_keyframe(std::vector<uint8_t>{0x65, 0x88}));  // IDR slice
  CHECK(h264_starts_keyframe(std::vector<uint8_t>{0x67, 0x42}));  // SPS
  CHECK_FALSE(h264_starts_keyframe(std::vector<uint8_t>{0x41, 0x9a}));  // non-IDR slice
  // STAP-A holding an SPS (2 bytes) and a PPS.
  CHECK(h264_starts_keyframe(std::vector<uint8_t>{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce}));
  CHECK(h264_starts_keyframe(std::vector<uint8_t>{0x7c, 0x85, 0x88}));        // FU-A start of an IDR
  CHECK_FALSE(h264_starts_keyframe(std::vector<uint8_t>{0x7c, 0x05, 0x88}));  // FU-A middle
  CHECK_FALSE(h264_starts_keyframe(std::vector<uint8_t>{0x78, 0x00, 0x09, 0x67}));  // STAP-A size past the end
}
