// TOTP through liboath against RFC 6238 Appendix B, plus single use and the otpauth URI.
#include <catch2/catch.hpp>

#include "accounts/qr_png.hpp"
#include "accounts/totp.hpp"

using namespace parley::accounts;

TEST_CASE("TOTP codes match RFC 6238 Appendix B for SHA-1, SHA-256 and SHA-512", "[accounts][totp]") {
  const std::string sha1_key = "12345678901234567890";
  const std::string sha256_key = "12345678901234567890123456789012";
  const std::string sha512_key = "1234567890123456789012345678901234567890123456789012345678901234";
  struct vector {
    int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const vector vectors[] = {
    {59, "94287082", "46119246", "90693936"},
    {1111111109, "07081804", "68084774", "25091201"},
    {1111111111, "14050471", "67062674", "99943326"},
    {1234567890, "89005924", "91819424", "93441116"},
    {2000000000, "69279037", "90698825", "38618901"},
    {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& v : vectors) {
    CHECK(totp_code(sha1_key, v.time, {8, 30, totp_hash::sha1}) == v.sha1);
    CHECK(totp_code(sha256_key, v.time, {8, 30, totp_hash::sha256}) == v.sha256);
    CHECK(totp_code(sha512_key, v.time, {8, 30, totp_hash::sha512}) == v.sha512);
    // And the validator accepts exactly those codes at those times.
    CHECK(totp_accept(sha1_key, v.sha1, v.time, 0, 0, {8, 30, totp_hash::sha1}) == v.time / 30);
    CHECK(totp_accept(sha512_key, v.sha512, v.time, 0, 0, {8, 30, totp_hash::sha512}) == v.time / 30);
  }
}

TEST_CASE("a TOTP code is accepted within one step and only once", "[accounts][totp]") {
  const auto secret = generate_totp_secret();
  REQUIRE(secret.size() == 20);
  const int64_t now = 1700000000;
  const auto code = totp_code(secret, now);
  REQUIRE(code.size() == 6);
  auto step = totp_accept(secret, code, now + 30, 0);
  REQUIRE(step);
  CHECK(*step == now / 30);
  CHECK_FALSE(totp_accept(secret, code, now, *step));        // replay
  CHECK_FALSE(totp_accept(secret, code, now + 90, 0));       // too late
  CHECK_FALSE(totp_accept(secret, "12a456", now, 0));        // not digits
  CHECK_FALSE(totp_accept(secret, code + "0", now, 0));      // wrong length
  CHECK_FALSE(totp_accept("", code, now, 0));
}

TEST_CASE("the otpauth URI carries the base32 secret and the parameters apps need", "[accounts][totp]") {
  CHECK(base32_encode("12345678901234567890") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  CHECK(otpauth_uri("Parley", "alice smith", "12345678901234567890")
        == "otpauth://totp/Parley:alice%20smith?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Parley"
           "&algorithm=SHA1&digits=6&period=30");
  auto png = qr_png("otpauth://totp/Parley:alice?secret=GEZDGNBVGY3TQOJQ");
  REQUIRE(png);
  CHECK(png->substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(png->substr(png->size() - 8, 4) == "IEND");
}
