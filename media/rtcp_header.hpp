// The 4-byte header every RTCP packet starts with (RFC 3550 §6.4) and the feedback
// header shared by RTPFB/PSFB messages (RFC 4585 §6.1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "media/parse_result.hpp"

namespace parley::media {

namespace rtcp_type {
constexpr uint8_t sender_report = 200;
constexpr uint8_t receiver_report = 201;
constexpr uint8_t sdes = 202;
constexpr uint8_t bye = 203;
constexpr uint8_t app = 204;
constexpr uint8_t rtp_feedback = 205;      // RTPFB
constexpr uint8_t payload_feedback = 206;  // PSFB
constexpr uint8_t extended_report = 207;
}  // namespace rtcp_type

namespace rtcp_fmt {
constexpr uint8_t generic_nack = 1;         // RTPFB
constexpr uint8_t transport_feedback = 15;  // RTPFB, draft-holmer
constexpr uint8_t pli = 1;                  // PSFB
constexpr uint8_t fir = 4;                  // PSFB
constexpr uint8_t application_layer = 15;   // PSFB, REMB lives here
}  // namespace rtcp_fmt

constexpr size_t rtcp_header_size = 4;
constexpr size_t rtcp_feedback_header_size = 12;  // common header + sender and media SSRC

struct rtcp_header {
  uint8_t count = 0;  // RC / SC / FMT, depending on the packet type
  uint8_t packet_type = 0;
  size_t size = 0;                // whole packet in bytes, from the length field
  std::span<const uint8_t> body;  // after the 4-byte header, without padding
};

// Validates one packet at the start of the buffer; size may be less than buffer.size().
[[nodiscard]] parse_result<rtcp_header> parse_rtcp_header(std::span<const uint8_t> buffer) noexcept;

// Writes the header for a packet of `size` bytes (a multiple of 4, at least 4).
void write_rtcp_header(std::span<uint8_t> out, uint8_t count, uint8_t packet_type, size_t size) noexcept;

// Parses the header of a feedback message and checks its type and format.
struct rtcp_feedback_header {
  uint32_t sender_ssrc = 0;
  uint32_t media_ssrc = 0;
  std::span<const uint8_t> fci;  // feedback control information
};
[[nodiscard]] parse_result<rtcp_feedback_header> parse_rtcp_feedback(std::span<const uint8_t> packet,
                                                                     uint8_t packet_type, uint8_t fmt) noexcept;
void write_rtcp_feedback_header(std::span<uint8_t> out, uint8_t fmt, uint8_t packet_type, size_t size,
                                uint32_t sender_ssrc, uint32_t media_ssrc) noexcept;

}  // namespace parley::media
