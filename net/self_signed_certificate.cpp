// OpenSSL 3 key generation and X.509 signing for the first-start certificate.
#include "net/self_signed_certificate.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace parley::net {

namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
  void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext)
    return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

} // namespace

std::string ensure_self_signed_certificate(const std::string& cert_path, const std::string& key_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(cert_path, ec) && fs::exists(key_path, ec))
    return {};
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    return "cannot generate an EC P-256 key";
  x509_ptr cert{X509_new()};
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  RAND_bytes(serial_bytes, sizeof serial_bytes);
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Parley"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1")
      || !add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE")
      || !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature")
      || !add_extension(cert.get(), NID_ext_key_usage, "serverAuth"))
    return "cannot add certificate extensions";
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return "cannot sign the certificate";

  fs::create_directories(fs::path(key_path).parent_path(), ec);
  int fd = ::open(key_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return "cannot write " + key_path;
  FILE* key_file = ::fdopen(fd, "w");
  bool key_ok = PEM_write_PrivateKey(key_file, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
  key_ok = (std::fflush(key_file) == 0) && (::fsync(fd) == 0) && key_ok;
  std::fclose(key_file);
  FILE* cert_file = std::fopen(cert_path.c_str(), "w");
  if (!cert_file || !key_ok)
    return "cannot write " + cert_path;
  bool cert_ok = PEM_write_X509(cert_file, cert.get()) == 1;
  std::fclose(cert_file);
  return cert_ok ? std::string{} : "cannot write " + cert_path;
}

} // namespace parley::net
