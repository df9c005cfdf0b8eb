// Accounts: the state is the store (users, hashed tokens); this actor holds only throttling and
// the usernames being registered right now, so it can be restarted at any time.
#include "actors/accounts_service.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <caf/all.hpp>
#include <rocksdb/db.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/login_throttle.hpp"
#include "accounts/mfa_challenge_repository.hpp"
#include "accounts/request_nonce_repository.hpp"
#include "accounts/organisation.hpp"
#include "actors/accounts_messages.hpp"
#include "actors/accounts_state.hpp"
#include "actors/audit_log.hpp"
#include "actors/messaging_directory.hpp"
#include "actors/account_closing_messages.hpp"
#include "actors/organisation_erasure.hpp"
#include "accounts/organisation_repository.hpp"
#include "actors/security_audit.hpp"
#include "actors/password_worker.hpp"
#include "actors/service_error.hpp"
#include "actors/supervisor.hpp"
#include "storage/data_key_ring.hpp"
#include "storage/data_owner.hpp"
#include "storage/database.hpp"
#include "storage/store_messages.hpp"
#include "storage/value_codec.hpp"
#include "telemetry/logger.hpp"

namespace parley::actors {

namespace {

using protocol::error_code;
constexpr auto sweep_interval = std::chrono::minutes{10};

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
  if (auto problem = st.policy_of(accounts::user_record{}.org_id).password_rules().check(req.password))
    return make_service_error(error_code::weak_password, *problem);
  if (st.registering.count(*normalized) || st.find_user_by_name(*normalized))
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
        user.password_changed_at = user.created_at;
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

/// Admin unlock: forgets the throttle's failures and the account's lock, durably.
caf::result<caf::ok_atom> handle_unlock(accounts_actor* self, const std::string& normalized) {
  auto& st = self->state;
  st.throttle.record_success(normalized);
  auto user = st.find_user_by_name(normalized);
  if (!user || (user->failed_logins == 0 && user->locked_until == 0))
    return caf::ok_atom::value;
  user->failed_logins = 0;
  user->locked_until = 0;
  storage::write_set writes;
  accounts::account_repository::add_user(writes, *user);
  auto rp = self->make_response_promise<caf::ok_atom>();
  write_then(self, std::move(writes), [rp](std::optional<caf::error> err) mutable {
    if (err)
      rp.deliver(*err);
    else
      rp.deliver(caf::ok_atom::value);
  });
  return rp;
}

caf::result<login_grant> handle_login(accounts_actor* self, const login_attempt& req) {
  auto& st = self->state;
  auto normalized = accounts::normalize_username(req.username).value_or(req.username);
  if (normalized.size() > 64)
    normalized.resize(64);
  if (auto wait = st.throttle.retry_after(normalized, req.address); wait.count() > 0)
    return make_retry_error("too many failed sign-ins; try again in " + std::to_string(wait.count()) + " s",
                            wait.count());
  auto user = st.find_user_by_name(normalized);
  if (user && !user->disabled && user->locked_until > accounts::unix_now()) {
    auto wait = user->locked_until - accounts::unix_now();
    return make_service_error_after(error_code::account_locked,
                                    "the account is locked after repeated failed sign-ins; try again in "
                                      + std::to_string(wait) + " s or ask an administrator to unlock it",
                                    wait);
  }
  // Unknown names cost the same hash as known ones, so timing does not reveal which exist.
  auto hash = user && !user->disabled ? user->password_hash : st.dummy_hash;
  auto rp = self->make_response_promise<login_grant>();
  self->request(st.workers, worker_timeout, verify_atom::value, hash, req.password)
    .then(
      [self, rp, user_id = user ? user->id : 0, normalized, address = req.address](bool matches) mutable {
        auto& st = self->state;
        // Read again: other sign-ins may have changed the record while the hash ran.
        auto user = user_id ? st.find_user(user_id) : std::nullopt;
        if (!matches || !user || user->disabled) {
          audit_sign_in(self->system(), user ? &*user : nullptr, normalized, address, false);
          st.throttle.record_failure(normalized, address);
          auto failed = [rp]() mutable {
            rp.deliver(make_service_error(error_code::unauthenticated, "wrong username or password"));
          };
          if (!user || user->disabled)
            return failed();
          st.policy_of(user->org_id).record_failure(*user, accounts::unix_now());
          if (user->locked_until > accounts::unix_now())
            audit_security_event(self, "user.locked", user->id, user->id,
                                 std::to_string(user->failed_logins) + " failed sign-ins");
          storage::write_set writes;
          accounts::account_repository::add_user(writes, *user);
          write_then(self, std::move(writes), [failed](std::optional<caf::error>) mutable { failed(); });
          return;
        }
        st.throttle.record_success(normalized);
        storage::write_set writes;
        if (user->failed_logins != 0 || user->locked_until != 0) {
          user->failed_logins = 0;
          user->locked_until = 0;
          accounts::account_repository::add_user(writes, *user);
        }
        auto policy = st.policy_of(user->org_id);
        if (policy.password_expired(*user, accounts::unix_now())) {
          audit_security_event(self, "auth.password_expired", user->id, user->id, "");
          write_then(self, std::move(writes), [rp](std::optional<caf::error>) mutable {
            rp.deliver(make_service_error(error_code::password_expired,
                                          "the password has expired; change it with POST /api/v1/auth/password"));
          });
          return;
        }
        if (user->mfa_enabled || policy.require_mfa) {
          auto grant = open_challenge(self, *user, !user->mfa_enabled, writes);
          if (grant.mfa_challenge.empty()) {
            rp.deliver(make_service_error(error_code::unavailable, "too many sign-ins in progress; try again"));
            return;
          }
          write_then(self, std::move(writes), [rp, grant](std::optional<caf::error> err) mutable {
            if (err)
              rp.deliver(*err);
            else
              rp.deliver(grant);
          });
          return;
        }
        audit_sign_in(self->system(), &*user, normalized, address, true);
        issue_token(self, rp, *user, std::move(writes));
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

/// Closes every connection of `user` on this node, telling the client why (`reason`).
void close_connections(accounts_actor* self, uint64_t user, std::string reason, std::string message) {
  if (auto directory = lookup_service(self->system(), messaging_service_name))
    self->send(directory, im_close_atom::value, user, std::move(reason), std::move(message));
}

/// An administrator's change to a user record, applied to the record as this actor last wrote it.
caf::result<caf::ok_atom> change_user(accounts_actor* self, const user_change& change) {
  auto& st = self->state;
  auto user = st.find_user(change.user_id);
  if (!user || user->org_id != change.org_id)
    return make_service_error(error_code::not_found, "no such user");
  storage::write_set writes;
  if (change.action == "disable" || change.action == "enable") {
    user->disabled = change.action == "disable";
    accounts::account_repository::add_user(writes, *user);
  } else if (change.action == "make_admin" || change.action == "revoke_admin") {
    user->is_admin = change.action == "make_admin";
    accounts::account_repository::add_user(writes, *user);
  } else if (change.action == "delete") {
    // Crypto-shredding: the user's data key goes first (durably, compacted out of the files), so
    // everything sealed under it (profile, messages, chat, uploads) is unreadable from here on.
    if (auto* ring = st.ctx->db->key_ring()) {
      if (auto status = ring->destroy(storage::user_owner(user->id)); !status.ok()) {
        telemetry::logger("accounts")->error("destroying a user's data key failed: {}", status.ToString());
        return make_service_error(error_code::internal,
                                  "the user's data key could not be destroyed; nothing was deleted");
      }
    }
    accounts::account_repository::remove_user(writes, *user);
  } else {
    return make_service_error(error_code::bad_request, "no such user change: " + change.action);
  }
  auto rp = self->make_response_promise<caf::ok_atom>();
  write_then(self, std::move(writes), [self, rp, id = user->id, action = change.action](std::optional<caf::error> err) mutable {
    if (err)
      return void(rp.deliver(*err));
    if (action == "disable")
      close_connections(self, id, "account_disabled", "an administrator disabled this account");
    else if (action == "delete")
      close_connections(self, id, "account_deleted", "an administrator deleted this account");
    rp.deliver(caf::ok_atom::value);
  });
  return rp;
}

/// Runs erase_organisation on a thread of its own (it scans and syncs) and answers its outcome.
/// Runs one blocking step of an organisation's deletion on its own thread, so the accounts actor
/// goes on serving: destroying the data keys (`keys_only`), or erasing every record.
caf::behavior organisation_eraser(caf::event_based_actor* self, std::shared_ptr<storage::database> db, uint64_t org_id,
                                  std::vector<uint64_t> members, bool keys_only) {
  return {
    [self, db, org_id, members, keys_only](org_delete_atom) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      rp.deliver(keys_only ? destroy_organisation_keys(*db, org_id, members) : erase_organisation(*db, org_id, members));
      self->quit();
      return rp;
    },
  };
}

/// The keys are gone: the members' records go (sign-in stops at once), their connections are
/// closed, and the rest of the organisation is erased on its own thread.
void remove_organisation_members(accounts_actor* self, caf::typed_response_promise<caf::ok_atom> rp, uint64_t org_id,
                                 const std::vector<accounts::user_record>& members, std::vector<uint64_t> member_ids) {
  storage::write_set removals;
  for (const auto& user : members)
    accounts::account_repository::remove_user(removals, user);
  write_then(self, std::move(removals), [self, rp, org_id, members, member_ids](std::optional<caf::error> err) mutable {
    if (err)
      return void(rp.deliver(*err));
    for (const auto& user : members)
      close_connections(self, user.id, "account_deleted", "the account's organisation was deleted");
    auto eraser = self->spawn<caf::detached>(organisation_eraser, self->state.ctx->db, org_id, member_ids, false);
    self->request(eraser, caf::infinite, org_delete_atom::value)
      .then(
        [rp](const std::string& error) mutable {
          if (error.empty())
            return void(rp.deliver(caf::ok_atom::value));
          telemetry::logger("accounts")->error("erasing an organisation: {}", error);
          rp.deliver(make_service_error(error_code::internal,
                                        "the organisation's keys are destroyed but not all its records are erased "
                                        "yet; a retry or the next start finishes"));
        },
        [rp](caf::error& err) mutable { rp.deliver(err); });
  });
}

/// A server operator deletes an organisation. The deletion is marked durably first, so a node
/// that stops at any later point finishes it at its next start; then every data key of the
/// organisation and its members is destroyed (each durably); then the members' records go
/// (sign-in stops at once) and their connections are closed; the other records are erased last.
caf::result<caf::ok_atom> delete_organisation(accounts_actor* self, uint64_t org_id, uint64_t operator_id) {
  auto& st = self->state;
  auto op = st.find_user(operator_id);
  if (!op || op->disabled || !op->is_admin || op->org_id != accounts::default_org_id)
    return make_service_error(error_code::forbidden,
                              "only server operators (administrators of the default organisation) delete organisations");
  if (org_id == accounts::default_org_id)
    return make_service_error(error_code::forbidden, "the default organisation cannot be deleted");
  if (!accounts::organisation_repository{*st.ctx->db}.find(org_id))
    return make_service_error(error_code::not_found, "no such organisation");
  std::vector<accounts::user_record> members;
  std::vector<uint64_t> member_ids;
  for (const auto& listed : st.repository->list_users())
    if (auto user = st.find_user(listed.id); user && user->org_id == org_id) {
      members.push_back(*user);
      member_ids.push_back(user->id);
    }
  // A retry keeps the members an earlier attempt recorded: their records may already be gone.
  for (auto earlier : members_marked_for_deletion(*st.ctx->db, org_id))
    if (std::find(member_ids.begin(), member_ids.end(), earlier) == member_ids.end())
      member_ids.push_back(earlier);
  storage::write_set mark;
  mark_organisation_deletion(mark, org_id, member_ids);
  auto rp = self->make_response_promise<caf::ok_atom>();
  write_then(self, std::move(mark), [self, rp, org_id, members, member_ids](std::optional<caf::error> err) mutable {
    if (err)
      return void(rp.deliver(*err));
    auto shredder = self->spawn<caf::detached>(organisation_eraser, self->state.ctx->db, org_id, member_ids, true);
    self->request(shredder, caf::infinite, org_delete_atom::value)
      .then(
        [self, rp, org_id, members, member_ids](const std::string& error) mutable {
          if (!error.empty()) {
            telemetry::logger("accounts")->error("destroying an organisation's data keys failed: {}", error);
            return void(rp.deliver(make_service_error(error_code::internal,
                                                      "the organisation's data keys could not be destroyed; it is "
                                                      "marked for deletion, which a retry or the next start finishes")));
          }
          remove_organisation_members(self, rp, org_id, members, member_ids);
        },
        [rp](caf::error& err) mutable { rp.deliver(err); });
  });
  return rp;
}

/// Reads the nonces and MFA challenges that were live when the node stopped (or this actor was
/// restarted), and deletes the expired ones.
void load_sign_in_state(accounts_actor* self) {
  auto& st = self->state;
  const auto now = accounts::unix_now();
  storage::write_set expired;
  for (auto& entry : accounts::load_request_nonces(*st.ctx->db, now, st.nonces.capacity(), expired))
    st.nonces.remember(entry.nonce, entry.forget_at, now);
  for (auto& [digest, challenge] : accounts::load_mfa_challenges(*st.ctx->db, now, expired))
    if (st.challenges.size() < max_challenges)
      st.challenges.emplace(std::move(digest), challenge);
  if (!expired.ops.empty())
    self->send(st.store, storage::write_atom::value, std::move(expired));
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
  // Nonces and challenges that expired on disk (the caches forget them by themselves).
  accounts::load_request_nonces(*db, now, 0, writes);
  accounts::load_mfa_challenges(*db, now, writes);
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
  load_sign_in_state(self);
  self->delayed_send(self, sweep_interval, sweep_atom::value);
  return {
    [self](register_atom, registration& req) { return handle_register(self, req); },
    [self](login_atom, const login_attempt& req) { return handle_login(self, req); },
    [self](logout_atom, const std::string& token) { return handle_logout(self, token); },
    [self](unlock_atom, const std::string& username) { return handle_unlock(self, username); },
    [self](account_atom, account_command& cmd) { return handle_account_command(self, cmd); },
    [self](grant_atom, account_command& cmd) { return handle_grant_command(self, cmd); },
    [self](signed_atom, signed_command& cmd) { return handle_signed_command(self, cmd); },
    [self](user_change_atom, const user_change& change) { return change_user(self, change); },
    [self](org_delete_atom, uint64_t org_id, uint64_t operator_id) {
      return delete_organisation(self, org_id, operator_id);
    },
    [self](sweep_atom) {
      self->spawn<caf::detached>(sweep_expired_tokens, self->state.ctx->db, self->state.store);
      self->delayed_send(self, sweep_interval, sweep_atom::value);
    },
  };
}

} // namespace

void write_then(accounts_actor* self, storage::write_set writes,
                std::function<void(std::optional<caf::error>)> done) {
  if (writes.ops.empty()) {
    done(std::nullopt);
    return;
  }
  // Stage the user records so reads in the meantime see them; unstage once the store answers.
  auto& staged = self->state.staged_users;
  std::vector<uint64_t> users;
  for (const auto& op : writes.ops)
    if (auto id = accounts::account_repository::user_written_by(op)) {
      auto& entry = staged[*id];
      entry.record = op.erase ? std::nullopt : storage::decode_value<accounts::user_record>(op.value);
      ++entry.writes_in_flight;
      users.push_back(*id);
    }
  auto unstage = [self, users] {
    auto& staged = self->state.staged_users;
    for (auto id : users)
      if (auto it = staged.find(id); it != staged.end() && --it->second.writes_in_flight == 0)
        staged.erase(it);
  };
  self->request(self->state.store, store_timeout, storage::write_atom::value, std::move(writes))
    .then(
      [done, unstage](caf::ok_atom) {
        unstage();
        done(std::nullopt);
      },
      [done, unstage](caf::error& err) {
        unstage();
        done(err);
      });
}

std::optional<accounts::user_record> accounts_state::find_user(uint64_t id) const {
  if (auto it = staged_users.find(id); it != staged_users.end())
    return it->second.record;
  return repository->find_by_id(id);
}

std::optional<accounts::user_record> accounts_state::find_user_by_name(std::string_view normalized) const {
  auto user = repository->find_by_username(normalized);
  return user ? find_user(user->id) : std::nullopt;
}

void issue_token(accounts_actor* self, caf::typed_response_promise<login_grant> rp, const accounts::user_record& user,
                 storage::write_set extra, std::vector<std::string> recovery_codes) {
  auto& st = self->state;
  login_grant grant;
  grant.token = accounts::generate_token();
  grant.user = user.profile();
  grant.recovery_codes = std::move(recovery_codes);
  accounts::token_record record;
  record.user_id = user.id;
  record.created_at = accounts::unix_now();
  record.expires_at = record.created_at + st.ctx->accounts.token_ttl;
  grant.expires_at = record.expires_at;
  accounts::account_repository::add_token(extra, accounts::token_digest(grant.token), record);
  write_then(self, std::move(extra), [rp, grant](std::optional<caf::error> err) mutable {
    if (err)
      rp.deliver(*err);
    else
      rp.deliver(grant);
  });
}

login_grant open_challenge(accounts_actor* self, const accounts::user_record& user, bool enrolment,
                           storage::write_set& writes) {
  auto& st = self->state;
  auto now = accounts::unix_now();
  if (st.challenges.size() >= max_challenges)
    for (auto it = st.challenges.begin(); it != st.challenges.end();)
      it = it->second.expires_at <= now ? st.challenges.erase(it) : std::next(it);
  login_grant grant;
  if (st.challenges.size() >= max_challenges)
    return grant;
  grant.user = user.profile();
  grant.mfa_challenge = accounts::generate_token();
  grant.challenge_expires_at
    = accounts::unix_now() + std::chrono::duration_cast<std::chrono::seconds>(challenge_lifetime).count();
  grant.mfa_enrolment_required = enrolment;
  auto digest = accounts::token_digest(grant.mfa_challenge);
  auto& challenge = st.challenges[digest] = mfa_challenge{user.id, enrolment, grant.challenge_expires_at, 0};
  accounts::put_mfa_challenge(writes, digest, challenge);
  return grant;
}

void close_challenge(accounts_actor* self, const std::string& digest) {
  self->state.challenges.erase(digest);
  storage::write_set writes;
  accounts::erase_mfa_challenge(writes, digest);
  self->send(self->state.store, storage::write_atom::value, std::move(writes));
}

bool is_scoped_bearer(const accounts_state& st, const std::string& bearer) {
  if (!accounts::looks_like_token(bearer))
    return false;
  auto record = st.repository->find_token(accounts::token_digest(bearer));
  return record && !record->scopes.empty();
}

std::optional<accounts::user_record> bearer_user(const accounts_state& st, const std::string& bearer) {
  if (!accounts::looks_like_token(bearer))
    return std::nullopt;
  auto record = st.repository->find_token(accounts::token_digest(bearer));
  if (!record || record->expires_at <= accounts::unix_now())
    return std::nullopt;
  auto user = st.find_user(record->user_id);
  if (!user || user->disabled)
    return std::nullopt;
  return user;
}

caf::actor spawn_accounts_service(caf::actor_system& system, std::shared_ptr<const node_context> ctx,
                                  caf::actor store) {
  return system.spawn(accounts_service, std::move(ctx), std::move(store));
}

} // namespace parley::actors
