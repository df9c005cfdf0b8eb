// The only thing a session actor knows of its connection: a place to put frames, and a way to close.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace parley::actors {

class outbound_sink {
public:
  virtual ~outbound_sink() = default;
  /// Queues one binary frame. Thread-safe and never blocks; if the connection's bounded queue
  /// is full the connection is closed instead (a slow reader must not grow server memory).
  virtual void send(std::vector<uint8_t> frame) = 0;
  /// The same for an encoded frame other connections send too: queued by reference, never copied.
  virtual void send_shared(std::shared_ptr<const std::vector<uint8_t>> frame) = 0;
  /// Closes the connection with a WebSocket close code after queued frames are written.
  virtual void close(uint16_t code, std::string reason) = 0;
};

} // namespace parley::actors
