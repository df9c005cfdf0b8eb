// What the WSS benchmarks say to parleyd: starting it, a signed-in benchmark user, and the msgpack frames.
#pragma once

#include <msgpack.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "benchmarks/child_process.hpp"
#include "benchmarks/wss_load_client.hpp"

namespace parley::bench {

/// Starts parleyd on 127.0.0.1 and an ephemeral port with the benchmark settings (fast
/// password hashing, rate limits out of the way, room for 30,000 connections), data in
/// `data_dir`, log in `data_dir`/parleyd.log.
std::unique_ptr<child_process> start_parleyd(const std::string& binary, const std::string& data_dir,
                                             std::string& error, const std::vector<std::string>& extra_options = {});

/// Signs in as the server's admin (started by start_parleyd) and sets the organisation's
/// subscription tier, whose cap limits participants per meeting (basic: 100, enterprise: 1000).
bool set_organisation_tier(const std::string& host, uint16_t port, const std::string& tier, std::string& error);

/// A benchmark account after sign-in.
struct signed_in_user {
  std::string username;
  std::string id;
  std::string token;
};

/// Registers a fresh user over HTTPS and logs in; an empty token (and `error` set) on failure.
signed_in_user sign_up_user(const std::string& host, uint16_t port, std::string& error);

/// Registers a fresh user over HTTPS and logs in; returns the token, or "" with `error` set.
std::string sign_up_and_log_in(const std::string& host, uint16_t port, std::string& error);

/// The bytes of `{op, id, args}`; `args` is a map of string fields.
frame request_frame(std::string_view op, uint64_t id,
                    const std::vector<std::pair<std::string, std::string>>& args = {});

/// True if `reply` is a response `{re, ok: true, ...}`.
bool is_ok_reply(const frame& reply);

/// The string a msgpack object holds, or "" if it is absent or not a string.
std::string text_of(const msgpack::object* o);

} // namespace parley::bench
