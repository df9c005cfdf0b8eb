// Master key file handling: created exclusively with 0600, checked on every start.
#include "storage/master_key.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

namespace parley::storage {

namespace {

std::string create_key_file(const std::string& path, std::string& key) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty())
    std::filesystem::create_directories(parent, ec);
  key.assign(master_key_size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
    return "cannot generate a master key: the random source failed";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return "cannot create the master key file " + path + ": " + std::strerror(errno);
  bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written)
    return "cannot write the master key file " + path;
  return {};
}

} // namespace

std::string load_master_key(const std::string& path, std::string& key) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT)
      return "cannot read the master key file " + path + ": " + std::strerror(errno);
    return create_key_file(path, key);
  }
  if ((info.st_mode & 077) != 0)
    return "the master key file " + path + " may be read or written by other users; make it mode 0600 "
           "(chmod 600 " + path + ")";
  if (info.st_size != static_cast<off_t>(master_key_size))
    return "the master key file " + path + " must hold exactly 32 bytes";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return "cannot open the master key file " + path + ": " + std::strerror(errno);
  key.assign(master_key_size, '\0');
  auto n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(master_key_size))
    return "cannot read the master key file " + path;
  return {};
}

} // namespace parley::storage
