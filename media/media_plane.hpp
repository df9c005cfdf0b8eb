// The node's media workers: one thread and UDP port each, with its forwarding table.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "media/forwarding_table.hpp"
#include "media/media_worker.hpp"

namespace parley::media {

struct media_plane_config {
  std::string address = "127.0.0.1";  // bound and announced (replies leave from it)
  uint16_t first_port = 0;             // worker i binds first_port + i; 0: ephemeral ports
  size_t workers = 1;
};

class media_plane {
 public:
  // Nullptr and a message in `error` if a port cannot be bound.
  [[nodiscard]] static std::unique_ptr<media_plane> start(const media_plane_config& config, std::string& error);
  ~media_plane();
  media_plane(const media_plane&) = delete;
  media_plane& operator=(const media_plane&) = delete;

  [[nodiscard]] size_t size() const noexcept { return units_.size(); }
  // A meeting's transports all live on one worker, chosen by its id.
  [[nodiscard]] forwarding_table& for_meeting(uint64_t meeting_id) noexcept;
  [[nodiscard]] std::vector<uint16_t> ports() const;
  // Prometheus text of every transport's quality figures (no identities, no media).
  [[nodiscard]] std::string render_quality_metrics() const;

 private:
  struct unit {
    std::unique_ptr<forwarding_table> table;  // outlives the worker that calls it
    std::unique_ptr<media_worker> worker;
  };
  media_plane() = default;
  std::vector<unit> units_;
};

}  // namespace parley::media
