// Accounts: the state is the store (users, hashed tokens); this actor holds only throttling and
// the usernames being registered right now, so it can be restarted at any time.
#include "actors/accounts_service.hpp"

#include <chrono>
#include <set>
#include <thread>

#include <caf/all.hpp>
#include <rocksdb/db.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/organisation.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/audit_log.hpp"
#include "actors/password_worker.hpp"
#include "actors/service_error.hpp"
#include "storage/database.hpp"
#include "storage/store_messages.hpp"
#include "storage/value_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
constexpr auto worker_timeout = std::chrono::seconds{30};
constexpr auto store_timeout = std::chrono::seconds{30};
constexpr auto sweep_interval = std::chrono::minutes{10};

struct accounts_state {
  std::shared_ptr<const node_context> ctx;
  caf::actor store;
  caf::actor workers;
  std::unique_ptr<accounts::account_repository> repository;
  accounts::login_throttle throttle;
  std::set<std::string> registering; // usernames claimed by a registration in progress
  std::string dummy_hash;            // verified against when a username does not exist
  static inline const char* name = "parley.accounts";
};

using accounts_actor = caf::stateful_actor<accounts_state>;

caf::result<accounts::user_profile> handle_register(accounts_actor* self, registration& req) {
  auto& st = self->state;
  if (!st.ctx->accounts.registration_open)
    return make_service_error(error_code::forbidden, "registration is closed on this server");
  auto normalized = accounts::normalize_username(req.username);
  if (!normalized)
    return make_service_error(error_code::bad_request,
                              "username must be 3-32 characters of letters, digits, '.', '_' or '-'");
  if (req.display_name.empty())
    req.display_name = req.username;
  if (req.display_name.size() > 64)
    return make_service_error(error_code::bad_request, "display_name must be at most 64 bytes");
  if (auto problem = st.ctx->accounts.policy.check(req.password))
    return make_service_error(error_code::weak_password, *problem);
  if (st.registering.count(*normalized) || st.repository->find_by_username(*normalized))
    return make_service_error(error_code::conflict, "that username is taken");
  st.registering.insert(*normalized);
  auto rp = self->make_response_promise<accounts::user_profile>();
  auto release = [self, name = *normalized] { self->state.registering.erase(name); };
  self->request(st.workers, worker_timeout, hash_atom::value, req.password)
    .then(
      [self, rp, release, req](const std::string& hash) mutable {
        accounts::user_record user;
        user.id = accounts::random_id();
        user.username = req.username;
        user.display_name = req.display_name;
        user.password_hash = hash;
        user.created_at = accounts::unix_now();
        storage::write_set writes;
        accounts::account_repository::add_user(writes, user);
        self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
          .then(
            [rp, release, user](caf::ok_atom) mutable {
              release();
              rp.deliver(user.profile());
            },
            [rp, release](caf::error& err) mutable {
              release();
              rp.deliver(err);
            });
      },
      [rp, release](caf::error& err) mutable {
        release();
        rp.deliver(err);
      });
  return rp;
}

void issue_token(accounts_actor* self, caf::typed_response_promise<login_grant> rp,
                 const accounts::user_record& user) {
  auto& st = self->state;
  login_grant grant;
  grant.token = accounts::generate_token();
  grant.user = user.profile();
  accounts::token_record record;
  record.user_id = user.id;
  record.created_at = accounts::unix_now();
  record.expires_at = record.created_at + st.ctx->accounts.token_ttl;
  grant.expires_at = record.expires_at;
  storage::write_set writes;
  accounts::account_repository::add_token(writes, accounts::token_digest(grant.token), record);
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([rp, grant](caf::ok_atom) mutable { rp.deliver(grant); },
          [rp](caf::error& err) mutable { rp.deliver(err); });
}

/// Every sign-in attempt goes to the audit log; a failure names the username tried, never the password.
void audit_sign_in(caf::actor_system& system, const accounts::user_record* user, const std::string& username,
                   const std::string& address, bool succeeded) {
  audit::audit_event event;
  event.kind = succeeded ? "auth.login" : "auth.login_failed";
  event.actor_id = user ? user->id : 0;
  event.actor_name = username;
  event.org_id = user ? user->org_id : accounts::default_org_id;
  event.target = user ? accounts::id_to_hex(user->id) : std::string{};
  event.address = address;
  if (!succeeded)
    event.detail = !user ? "unknown username" : user->disabled ? "account disabled" : "wrong password";
  record_audit(system, std::move(event));
}

caf::result<login_grant> handle_login(accounts_actor* self, const login_attempt& req) {
  auto& st = self->state;
  auto normalized = accounts::normalize_username(req.username).value_or(req.username);
  if (normalized.size() > 64)
    normalized.resize(64);
  if (auto wait = st.throttle.retry_after(normalized, req.address); wait.count() > 0)
    return make_retry_error("too many failed sign-ins; try again in " + std::to_string(wait.count()) + " s",
                            wait.count());
  auto user = st.repository->find_by_username(normalized);
  // Unknown names cost the same hash as known ones, so timing does not reveal which exist.
  auto hash = user && !user->disabled ? user->password_hash : st.dummy_hash;
  auto rp = self->make_response_promise<login_grant>();
  self->request(st.workers, worker_timeout, verify_atom::value, hash, req.password)
    .then(
      [self, rp, user, normalized, address = req.address](bool matches) mutable {
        auto& st = self->state;
        audit_sign_in(self->system(), user ? &*user : nullptr, normalized, address,
                      matches && user && !user->disabled);
        if (!matches || !user || user->disabled) {
          st.throttle.record_failure(normalized, address);
          rp.deliver(make_service_error(error_code::unauthenticated, "wrong username or password"));
          return;
        }
        st.throttle.record_success(normalized);
        issue_token(self, rp, *user);
      },
      [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

caf::result<caf::ok_atom> handle_logout(accounts_actor* self, const std::string& token) {
  auto& st = self->state;
  if (!accounts::looks_like_token(token))
    return make_service_error(error_code::unauthenticated, "invalid token");
  auto digest = accounts::token_digest(token);
  auto record = st.repository->find_token(digest);
  if (!record || record->expires_at <= accounts::unix_now())
    return make_service_error(error_code::unauthenticated, "invalid or expired token");
  storage::write_set writes;
  accounts::account_repository::remove_token(writes, digest);
  auto rp = self->make_response_promise<caf::ok_atom>();
  self->request(st.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then([rp](caf::ok_atom) mutable { rp.deliver(caf::ok_atom::value); },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

// A full scan of the tokens family: run on its own thread, never on a scheduler thread.
void sweep_expired_tokens(caf::event_based_actor* self, std::shared_ptr<storage::database> db, caf::actor store) {
  storage::write_set writes;
  auto now = accounts::unix_now();
  std::unique_ptr<rocksdb::Iterator> it{
    db->raw().NewIterator(rocksdb::ReadOptions{}, db->handle(storage::column_family::tokens))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto token = storage::decode_value<accounts::token_record>(it->value().ToStringView());
    if (!token || token->expires_at <= now)
      writes.erase(storage::column_family::tokens, it->key().ToString());
    if (writes.ops.size() >= 1000) {
      self->send(store, storage::write_atom::value, std::move(writes));
      writes = storage::write_set{};
    }
  }
  if (!writes.ops.empty())
    self->send(store, storage::write_atom::value, std::move(writes));
}

caf::behavior accounts_service(accounts_actor* self, std::shared_ptr<const node_context> ctx, caf::actor store) {
  auto& st = self->state;
  st.ctx = ctx;
  st.store = std::move(store);
  st.repository = std::make_unique<accounts::account_repository>(*ctx->db);
  st.workers = spawn_password_workers(self->system(), ctx->accounts.cost,
                                      std::max(2u, std::thread::hardware_concurrency()));
  self->link_to(st.workers);
  st.dummy_hash = accounts::password_hasher{ctx->accounts.cost}.hash("parley-dummy-password").value_or("");
  self->delayed_send(self, sweep_interval, sweep_atom::value);
  return {
    [self](register_atom, registration& req) { return handle_register(self, req); },
    [self](login_atom, const login_attempt& req) { return handle_login(self, req); },
    [self](logout_atom, const std::string& token) { return handle_logout(self, token); },
    [self](unlock_atom, const std::string& username) {
      self->state.throttle.record_success(username);
      return caf::ok_atom::value;
    },
    [self](sweep_atom) {
      self->spawn<caf::detached>(sweep_expired_tokens, self->state.ctx->db, self->state.store);
      self->delayed_send(self, sweep_interval, sweep_atom::value);
    },
  };
}

} // namespace

caf::actor spawn_accounts_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                  caf::actor store) {
  return system.spawn(accounts_service, std::move(ctx), std::move(store));
}

} // namespace parley::actors
