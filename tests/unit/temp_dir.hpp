// A temporary folder for a test's database, removed when the test ends.
#pragma once

#include <string>

namespace parley::test {

class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::string& path() const noexcept { return path_; }

private:
  std::string path_;
};

} // namespace parley::test
