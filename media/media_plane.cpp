// Starting and stopping the media workers.
#include "media/media_plane.hpp"

#include <cstring>

#include "media/quality_metrics.hpp"

namespace parley::media {

std::unique_ptr<media_plane> media_plane::start(const media_plane_config& config, std::string& error) {
  std::unique_ptr<media_plane> plane(new media_plane());
  const size_t count = config.workers == 0 ? 1 : config.workers;
  for (size_t i = 0; i < count; ++i) {
    unit u;
    u.table = std::make_unique<forwarding_table>();
    media_worker_config wc;
    wc.listen_ip = config.address;
    wc.port = config.first_port == 0 ? uint16_t{0} : static_cast<uint16_t>(config.first_port + i);
    int err = 0;
    u.worker = media_worker::start(wc, *u.table, &err);
    if (!u.worker) {
      error = "cannot start media worker on " + config.address + ":" + std::to_string(wc.port) + ": " + std::strerror(err);
      return nullptr;
    }
    u.table->attach(*u.worker);
    plane->units_.push_back(std::move(u));
  }
  return plane;
}

media_plane::~media_plane() {
  for (auto& u : units_) u.worker.reset();  // join each thread before its table goes
}

forwarding_table& media_plane::for_meeting(uint64_t meeting_id) noexcept {
  return *units_[meeting_id % units_.size()].table;
}

std::vector<uint16_t> media_plane::ports() const {
  std::vector<uint16_t> out;
  for (const auto& u : units_) out.push_back(u.worker->local_address().port);
  return out;
}

std::string media_plane::render_quality_metrics() const {
  std::vector<worker_quality> workers;
  for (size_t i = 0; i < units_.size(); ++i) workers.push_back({i, units_[i].table->quality_snapshot()});
  return media::render_quality_metrics(workers);
}

}  // namespace parley::media
