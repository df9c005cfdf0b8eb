// SRTP index estimation and sliding replay windows kept as bitmaps (no allocation).
#include "media/srtp_packet_index.hpp"

namespace parley::media {
namespace {

constexpr int64_t seq_median = 1 << 15;
constexpr int64_t seq_range = 1 << 16;

// Shifts a bitmap (bit 0 = newest) towards older positions by `by`, dropping what falls out.
template <size_t N>
void shift_older(std::array<uint64_t, N>& bits, uint64_t by) noexcept {
  if (by >= N * 64) {
    bits.fill(0);
    return;
  }
  const size_t words = static_cast<size_t>(by / 64);
  const unsigned shift = static_cast<unsigned>(by % 64);
  for (size_t i = N; i-- > 0;) {
    uint64_t v = 0;
    if (i >= words) {
      v = bits[i - words] << shift;
      if (shift != 0 && i > words) v |= bits[i - words - 1] >> (64 - shift);
    }
    bits[i] = v;
  }
}

template <size_t N>
bool test_bit(const std::array<uint64_t, N>& bits, uint64_t age) noexcept {
  return ((bits[age / 64] >> (age % 64)) & 1u) != 0;
}

template <size_t N>
void set_bit(std::array<uint64_t, N>& bits, uint64_t age) noexcept {
  bits[age / 64] |= uint64_t{1} << (age % 64);
}

}  // namespace

srtp_packet_index::estimate srtp_packet_index::estimate_for(uint16_t sequence) const noexcept {
  const auto s = static_cast<int64_t>(sequence);
  if (highest_ <= static_cast<uint64_t>(seq_median)) {
    // Early in a stream a sequence number far ahead must not be read as the previous roll.
    return {static_cast<uint64_t>(s), s - static_cast<int64_t>(highest_)};
  }
  const auto local_roc = static_cast<int64_t>(highest_ >> 16);
  const auto local_seq = static_cast<int64_t>(highest_ & 0xFFFF);
  int64_t roc = local_roc;
  int64_t delta = s - local_seq;
  if (local_seq < seq_median) {
    if (s - local_seq > seq_median) {
      roc = local_roc - 1;
      delta = s - local_seq - seq_range;
    }
  } else if (local_seq - seq_median > s) {
    roc = local_roc + 1;
    delta = s - local_seq + seq_range;
  }
  const uint64_t index = ((static_cast<uint64_t>(roc) & 0xFFFFFFFFu) << 16) | sequence;
  return {index, delta};
}

replay_check srtp_packet_index::check(int64_t delta) const noexcept {
  if (delta > 0) return replay_check::fresh;
  if (-delta >= static_cast<int64_t>(window)) return replay_check::too_old;
  return test_bit(seen_, static_cast<uint64_t>(-delta)) ? replay_check::repeated : replay_check::fresh;
}

void srtp_packet_index::accept(const estimate& e) noexcept {
  if (e.delta > 0) {
    shift_older(seen_, static_cast<uint64_t>(e.delta));
    highest_ = e.index;
    set_bit(seen_, 0);
  } else if (-e.delta < static_cast<int64_t>(window)) {
    set_bit(seen_, static_cast<uint64_t>(-e.delta));
  }
}

replay_check srtcp_replay_list::check(uint32_t index) const noexcept {
  if (!any_ || index > highest_) return replay_check::fresh;
  const uint32_t age = highest_ - index;
  if (age >= window) return replay_check::too_old;
  return test_bit(seen_, age) ? replay_check::repeated : replay_check::fresh;
}

void srtcp_replay_list::accept(uint32_t index) noexcept {
  if (!any_) {
    any_ = true;
    highest_ = index;
    set_bit(seen_, 0);
    return;
  }
  if (index > highest_) {
    shift_older(seen_, index - highest_);
    highest_ = index;
    set_bit(seen_, 0);
  } else if (highest_ - index < window) {
    set_bit(seen_, highest_ - index);
  }
}

}  // namespace parley::media
