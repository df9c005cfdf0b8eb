// Messages of the admin service (registry name `admin`): one REST request in, one reply out.
#pragma once

#include <cstdint>
#include <string>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>

namespace parley::actors {

/// (admin_atom, admin_request) → admin_reply. The service authenticates the bearer token and
/// requires an administrator itself: the edge only forwards.
using admin_atom = caf::atom_constant<caf::atom("ad_req")>;
/// (metering_control_atom, std::string action) → ok_atom, to the supervisor: "stop" holds the
/// metering service down, "start" brings it back, "kill" kills it (and it is restarted).
using metering_control_atom = caf::atom_constant<caf::atom("sv_meter")>;

struct admin_request {
  std::string method;
  std::string path;  // without the query
  std::string query; // after '?', still percent-encoded
  std::string body;
  std::string token; // from Authorization: Bearer
  std::string address;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_request& x) {
  return f(caf::meta::type_name("parley.admin_request"), x.method, x.path, x.query, x.body, x.token, x.address);
}

struct admin_reply {
  uint16_t status = 200;
  std::string content_type = "application/json";
  std::string body;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, admin_reply& x) {
  return f(caf::meta::type_name("parley.admin_reply"), x.status, x.content_type, x.body);
}

} // namespace parley::actors
