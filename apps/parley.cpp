// parley: the admin command line — users, backups and restores of a node's data folder.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <termios.h>
#include <unistd.h>

#include "accounts/access_token.hpp"
#include "accounts/account_repository.hpp"
#include "accounts/user_provisioning.hpp"
#include "apps/data_archive.hpp"
#include "audit/audit_repository.hpp"
#include "storage/backup.hpp"
#include "storage/database.hpp"
#include "storage/encryption_at_rest.hpp"

using namespace parley;

namespace {

constexpr int exit_usage = 2;

const char* main_help = R"(usage: parley <command> [options]

Administers the data folder of a Parley node. Commands that open the database need the node
stopped (RocksDB allows one process per folder); backups are consistent snapshots.

commands:
  user add    create a user (optionally an administrator)
  user list   list users
  backup      make a verified backup of the data folder
  restore     restore a backup into an empty data folder
  audit verify  check the audit log's hash chain; names the first broken entry
  export      write a user's or an organisation's data to an archive folder
  import      load an archive folder made by 'parley export' (on this or another node)
  verify      check every stored block against its checksum

common options:
  --data-dir=PATH   the node's data folder (default ./var, or PARLEY_DATA_DIR)
  --master-key-file=PATH  the master key of encryption at rest (default <data-dir>/master.key,
                    or PARLEY_MASTER_KEY_FILE)

Run 'parley <command> --help' for a command's options.
)";

const char* user_add_help = R"(usage: parley user add --username=NAME [--display-name=TEXT] [--admin] [--data-dir=PATH]

Creates a user. The password is read from PARLEY_USER_PASSWORD, else from the terminal (twice),
else from the first line of standard input. It must meet the password policy
(--password-min-length=10, --password-min-classes=3 by default).
)";

const char* user_list_help = R"(usage: parley user list [--data-dir=PATH]

Lists every user: id, username, display name, whether administrator, creation time.
)";

const char* backup_help = R"(usage: parley backup [--data-dir=PATH] [--backup-dir=PATH]

Makes a new backup (RocksDB BackupEngine, incremental against earlier ones in the same folder)
and verifies its checksums. Default backup folder: <data-dir>/backups.
)";

const char* restore_help = R"(usage: parley restore --backup-dir=PATH [--backup-id=N] [--data-dir=PATH]
       parley restore --backup-dir=PATH --list

Restores backup N (default: the latest) into --data-dir, which must not hold a database yet.
Copy the TLS certificate (<data-dir>/tls) yourself if you want to keep it.
)";

const char* audit_verify_help = R"(usage: parley audit verify [--data-dir=PATH]

Walks the audit log from its first entry and checks that each entry follows the one before it
(seq, previous hash) and still hashes to its stored hash. Exit status 0 if the chain is intact,
1 with the first broken entry named if it is not (an entry was altered, removed or inserted).
)";

const char* verify_help = R"(usage: parley verify [--data-dir=PATH]

Reads every table file of the database and checks its blocks against their checksums (RocksDB
VerifyChecksum), then checks the audit log's chain. Exit status 0 if all is sound, 1 otherwise.
)";

const char* export_help = R"(usage: parley export (--user=NAME | --org=ID) --out=DIR [--data-dir=PATH]

Writes the user's (or every user of organisation ID's) account, the meetings they host and
those meetings' chat to DIR as JSON: manifest.json, organisation.json, users.jsonl,
meetings.jsonl, chat.jsonl and attachments/. Password hashes are included so users keep their
passwords on the node that imports the archive. DIR must not exist or be empty.
)";

const char* import_help = R"(usage: parley import --in=DIR [--data-dir=PATH]

Imports an archive made by 'parley export' in one atomic write. Nothing is imported if a
username, user id or meeting id of the archive already exists on this node.
)";

struct arguments {
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::string>> options;
  bool has(std::string_view name) const {
    for (const auto& [k, v] : options)
      if (k == name)
        return true;
    return false;
  }
  std::string get(std::string_view name, std::string fallback = {}) const {
    for (const auto& [k, v] : options)
      if (k == name)
        return v;
    return fallback;
  }
  /// A whole number option (or `fallback` when absent); nullopt if it is not a number that fits.
  template <class Number>
  std::optional<Number> number(std::string_view name, Number fallback) const {
    if (!has(name))
      return fallback;
    const auto text = get(name);
    Number value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
      return std::nullopt;
    return value;
  }
};

arguments parse(int argc, char** argv) {
  arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.rfind("--", 0) == 0) {
      auto eq = a.find('=');
      if (eq == std::string_view::npos)
        args.options.emplace_back(std::string{a.substr(2)}, "");
      else
        args.options.emplace_back(std::string{a.substr(2, eq - 2)}, std::string{a.substr(eq + 1)});
    } else {
      args.words.emplace_back(a);
    }
  }
  return args;
}

std::string data_dir(const arguments& args) {
  const char* env = std::getenv("PARLEY_DATA_DIR");
  return args.get("data-dir", env ? env : "./var");
}

/// Opens the data folder with encryption at rest on, as parleyd runs it: the master key comes
/// from --master-key-file, PARLEY_MASTER_KEY_FILE or <data-dir>/master.key.
std::shared_ptr<storage::database> open_database(const arguments& args, const std::string& dir, std::string& error) {
  auto db = storage::database::open(dir, error);
  if (!db)
    return db;
  const char* env = std::getenv("PARLEY_MASTER_KEY_FILE");
  if (error = storage::enable_encryption_at_rest(*db, args.get("master-key-file", env ? env : dir + "/master.key"));
      !error.empty())
    return nullptr;
  return db;
}

int fail(const std::string& message) {
  std::cerr << "parley: " << message << "\n";
  return 1;
}

std::string format_time(int64_t unix_seconds) {
  char buf[32];
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string read_secret(const char* prompt) {
  termios old{};
  bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    std::cerr << prompt;
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  return line;
}

int user_add(const arguments& args) {
  if (args.has("help")) {
    std::cout << user_add_help;
    return 0;
  }
  accounts::new_user request;
  request.username = args.get("username");
  request.display_name = args.get("display-name");
  request.is_admin = args.has("admin");
  if (request.username.empty()) {
    std::cerr << user_add_help;
    return exit_usage;
  }
  if (const char* env = std::getenv("PARLEY_USER_PASSWORD")) {
    request.password = env;
  } else {
    request.password = read_secret("password: ");
    if (isatty(STDIN_FILENO) && read_secret("again: ") != request.password)
      return fail("the passwords differ");
  }
  accounts::password_policy policy;
  auto min_length = args.number<uint32_t>("password-min-length", 10);
  auto min_classes = args.number<uint32_t>("password-min-classes", 3);
  if (!min_length || !min_classes)
    return fail("--password-min-length and --password-min-classes take whole numbers");
  policy.min_length = *min_length;
  policy.min_classes = *min_classes;
  std::string error;
  auto db = open_database(args, data_dir(args), error);
  if (!db)
    return fail(error);
  accounts::password_hasher hasher{accounts::argon2_cost{}};
  accounts::user_record created;
  if (error = accounts::provision_user(*db, hasher, policy, request, created); !error.empty())
    return fail(error);
  std::cout << "created user " << created.username << " (id " << accounts::id_to_hex(created.id) << ")"
            << (created.is_admin ? " as administrator" : "") << "\n";
  return 0;
}

int user_list(const arguments& args) {
  if (args.has("help")) {
    std::cout << user_list_help;
    return 0;
  }
  std::string error;
  auto db = open_database(args, data_dir(args), error);
  if (!db)
    return fail(error);
  std::printf("%-16s  %-32s  %-5s  %-20s  %s\n", "id", "username", "admin", "created", "display name");
  for (const auto& user : accounts::account_repository{*db}.list_users())
    std::printf("%-16s  %-32s  %-5s  %-20s  %s\n", accounts::id_to_hex(user.id).c_str(), user.username.c_str(),
                user.is_admin ? "yes" : "no", format_time(user.created_at).c_str(), user.display_name.c_str());
  return 0;
}

int backup(const arguments& args) {
  if (args.has("help")) {
    std::cout << backup_help;
    return 0;
  }
  auto dir = data_dir(args);
  auto backup_dir = args.get("backup-dir", dir + "/backups");
  std::string error;
  auto db = storage::database::open(dir, error);
  if (!db)
    return fail(error);
  storage::backup_info info;
  if (error = storage::create_backup(*db, backup_dir, info); !error.empty())
    return fail(error);
  std::cout << "backup " << info.id << " written to " << backup_dir << " (" << info.size << " bytes, verified)\n";
  return 0;
}

int restore(const arguments& args) {
  if (args.has("help")) {
    std::cout << restore_help;
    return 0;
  }
  auto backup_dir = args.get("backup-dir");
  if (backup_dir.empty()) {
    std::cerr << restore_help;
    return exit_usage;
  }
  std::string error;
  if (args.has("list")) {
    auto backups = storage::list_backups(backup_dir, error);
    if (!error.empty())
      return fail(error);
    for (const auto& b : backups)
      std::cout << b.id << "  " << format_time(b.timestamp) << "  " << b.size << " bytes\n";
    return 0;
  }
  auto id_option = args.number<uint32_t>("backup-id", 0);
  if (!id_option)
    return fail("--backup-id takes a backup number (see --list)");
  const uint32_t id = *id_option;
  auto dir = data_dir(args);
  if (error = storage::restore_backup(backup_dir, id, dir); !error.empty())
    return fail(error);
  std::cout << "restored " << (id ? "backup " + std::to_string(id) : std::string{"the latest backup"}) << " into "
            << dir << "\n";
  return 0;
}

int export_data(const arguments& args) {
  if (args.has("help")) {
    std::cout << export_help;
    return 0;
  }
  apps::export_request request;
  request.username = args.get("user");
  request.out_dir = args.get("out");
  auto org = args.get("org");
  if (request.out_dir.empty() || request.username.empty() == org.empty()
      || (!org.empty() && !accounts::id_from_hex(org, request.org_id))) {
    std::cerr << export_help;
    return exit_usage;
  }
  std::string error;
  auto db = open_database(args, data_dir(args), error);
  if (!db)
    return fail(error);
  apps::archive_counts counts;
  if (error = apps::export_archive(*db, request, counts); !error.empty())
    return fail(error);
  std::cout << "exported " << counts.users << " users, " << counts.meetings << " meetings, " << counts.messages
            << " messages to " << request.out_dir << "\n";
  return 0;
}

int import_data(const arguments& args) {
  if (args.has("help")) {
    std::cout << import_help;
    return 0;
  }
  auto in = args.get("in");
  if (in.empty()) {
    std::cerr << import_help;
    return exit_usage;
  }
  std::string error;
  auto db = open_database(args, data_dir(args), error);
  if (!db)
    return fail(error);
  apps::archive_counts counts;
  if (error = apps::import_archive(*db, in, counts); !error.empty())
    return fail(error);
  std::cout << "imported " << counts.users << " users, " << counts.meetings << " meetings, " << counts.messages
            << " messages from " << in << "\n";
  return 0;
}

int audit_verify(const arguments& args) {
  if (args.has("help")) {
    std::cout << audit_verify_help;
    return 0;
  }
  std::string error;
  auto db = storage::database::open(data_dir(args), error);
  if (!db)
    return fail(error);
  auto report = audit::audit_repository{*db}.verify();
  if (!report.intact) {
    std::cout << "audit log BROKEN at entry " << report.first_broken << ": " << report.problem << " ("
              << report.entries << " entries before it verified)\n";
    return 1;
  }
  std::cout << "audit log intact: " << report.entries << " entries verified\n";
  return 0;
}

int verify(const arguments& args) {
  if (args.has("help")) {
    std::cout << verify_help;
    return 0;
  }
  std::string error;
  auto db = storage::database::open(data_dir(args), error);
  if (!db)
    return fail(error);
  auto status = db->raw().VerifyChecksum();
  if (!status.ok()) {
    std::cout << "store CORRUPT: " << status.ToString() << "\n";
    return 1;
  }
  std::cout << "store checksums verified\n";
  auto report = audit::audit_repository{*db}.verify();
  if (!report.intact) {
    std::cout << "audit log BROKEN at entry " << report.first_broken << ": " << report.problem << "\n";
    return 1;
  }
  std::cout << "audit log intact: " << report.entries << " entries verified\n";
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto args = parse(argc, argv);
  auto command = args.words.empty() ? std::string{} : args.words[0];
  auto sub = args.words.size() > 1 ? args.words[1] : std::string{};
  try {
    if (command == "user" && sub == "add")
      return user_add(args);
    if (command == "user" && sub == "list")
      return user_list(args);
    if (command == "backup")
      return backup(args);
    if (command == "restore")
      return restore(args);
    if (command == "audit" && sub == "verify")
      return audit_verify(args);
    if (command == "verify")
      return verify(args);
    if (command == "export")
      return export_data(args);
    if (command == "import")
      return import_data(args);
  } catch (const std::exception& e) {
    return fail(std::string{"invalid option value ("} + e.what() + ")");
  }
  if (command.empty() || command == "help" || args.has("help")) {
    std::cout << main_help;
    return 0;
  }
  std::cerr << "parley: unknown command '" << command << (sub.empty() ? "" : " " + sub) << "'\n\n" << main_help;
  return exit_usage;
}
