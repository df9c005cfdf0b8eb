# Imported targets for every dependency; all come from Debian packages (see README).
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(msgpack 4 CONFIG REQUIRED)
find_package(RocksDB 7 CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json 3 CONFIG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SRTP2 REQUIRED IMPORTED_TARGET libsrtp2)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(OATH REQUIRED IMPORTED_TARGET liboath)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(XMLSEC REQUIRED IMPORTED_TARGET xmlsec1-openssl)
find_package(ZLIB REQUIRED)

# CAF 0.17 ships no CMake config and no pkg-config file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
foreach(_c core io)
  find_library(CAF_${_c}_LIBRARY caf_${_c} REQUIRED)
  add_library(CAF::${_c} SHARED IMPORTED)
  set_target_properties(CAF::${_c} PROPERTIES
    IMPORTED_LOCATION "${CAF_${_c}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}")
endforeach()
set_property(TARGET CAF::core PROPERTY INTERFACE_LINK_LIBRARIES Threads::Threads)
set_property(TARGET CAF::io PROPERTY INTERFACE_LINK_LIBRARIES CAF::core)
