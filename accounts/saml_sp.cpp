// libxml2 parses (no network, no DTDs, no entity expansion); xmlsec1 (OpenSSL) verifies the
// XML signature with the configured IdP certificate only. The signed element must be the
// Response or the one Assertion, referenced by its own ID, so wrapped copies are never read.
#include "accounts/saml_sp.hpp"

#include <ctime>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>
#include <xmlsec/crypto.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <zlib.h>

#include "accounts/password_hasher.hpp"

namespace parley::accounts {

namespace {

constexpr const char* ns_protocol = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr const char* ns_assertion = "urn:oasis:names:tc:SAML:2.0:assertion";
constexpr const char* ns_dsig = "http://www.w3.org/2000/09/xmldsig#";
constexpr size_t max_response_bytes = 256 * 1024;

void initialize_xmlsec() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0)
      throw std::runtime_error("xmlsec1 failed to initialise");
  });
}

struct doc_deleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using doc_ptr = std::unique_ptr<xmlDoc, doc_deleter>;

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out.push_back(c);
    }
  }
  return out;
}

std::string iso_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

/// xs:dateTime in UTC ("2024-01-02T03:04:05Z", optional fraction); nullopt otherwise.
std::optional<int64_t> parse_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end)
    return std::nullopt;
  if (*end == '.')
    while (*++end >= '0' && *end <= '9') {
    }
  if (std::string_view{end} != "Z")
    return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

bool is(const xmlNode* node, const char* name, const char* ns) {
  return node && node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, BAD_CAST name) && node->ns
         && xmlStrEqual(node->ns->href, BAD_CAST ns);
}

std::vector<xmlNode*> children(xmlNode* parent, const char* name, const char* ns) {
  std::vector<xmlNode*> out;
  for (auto* c = parent ? parent->children : nullptr; c; c = c->next)
    if (is(c, name, ns))
      out.push_back(c);
  return out;
}

xmlNode* only_child(xmlNode* parent, const char* name, const char* ns) {
  auto found = children(parent, name, ns);
  return found.size() == 1 ? found.front() : nullptr;
}

std::string attribute(const xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, BAD_CAST name);
  if (!value)
    return {};
  std::string out{reinterpret_cast<const char*>(value)};
  xmlFree(value);
  return out;
}

std::string text_of(xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  if (!value)
    return {};
  std::string out{reinterpret_cast<const char*>(value)};
  xmlFree(value);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\t' || out.back() == '\r'))
    out.pop_back();
  size_t start = out.find_first_not_of(" \n\t\r");
  return start == std::string::npos ? std::string{} : out.substr(start);
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), " \r\n\t",
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL)
      != 0)
    return std::nullopt;
  out.resize(length);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string raw_deflate(std::string_view input) {
  z_stream stream{};
  deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(input.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

/// The Algorithm of every SignatureMethod and DigestMethod under `node`.
void signing_algorithms(xmlNode* node, std::vector<std::string>& out) {
  for (auto* child = node->children; child; child = child->next) {
    if (child->type != XML_ELEMENT_NODE)
      continue;
    auto name = std::string_view{reinterpret_cast<const char*>(child->name)};
    if (name == "SignatureMethod" || name == "DigestMethod")
      out.push_back(attribute(child, "Algorithm"));
    signing_algorithms(child, out);
  }
}

/// Allows only SHA-2 signatures and digests (and the canonicalisations SAML uses): SHA-1
/// collisions are practical, so an assertion signed or digested with SHA-1 is refused.
void allow_only_sha2(xmlSecDSigCtx& ctx) {
  for (auto id : {xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId, xmlSecTransformInclC14NId,
                  xmlSecTransformInclC14NWithCommentsId, xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha384Id,
                  xmlSecTransformRsaSha512Id})
    xmlSecDSigCtxEnableSignatureTransform(&ctx, id);
  for (auto id : {xmlSecTransformEnvelopedId, xmlSecTransformExclC14NId, xmlSecTransformExclC14NWithCommentsId,
                  xmlSecTransformInclC14NId, xmlSecTransformInclC14NWithCommentsId, xmlSecTransformSha256Id,
                  xmlSecTransformSha384Id, xmlSecTransformSha512Id})
    xmlSecDSigCtxEnableReferenceTransform(&ctx, id);
}

/// Verifies the ds:Signature that is a direct child of `signed_element` and references it by ID.
std::optional<std::string> verify_signature(xmlNode* signed_element, const std::string& cert_pem) {
  auto* signature = only_child(signed_element, "Signature", ns_dsig);
  if (!signature)
    return "the " + std::string{reinterpret_cast<const char*>(signed_element->name)} + " is not signed";
  std::vector<std::string> algorithms;
  signing_algorithms(signature, algorithms);
  for (const auto& algorithm : algorithms)
    if (algorithm.find("sha1") != std::string::npos)
      return "the signature uses SHA-1 (" + algorithm + "), which is refused; the IdP must sign with RSA-SHA256 or stronger";
  std::unique_ptr<xmlSecDSigCtx, void (*)(xmlSecDSigCtxPtr)> ctx{xmlSecDSigCtxCreate(nullptr), xmlSecDSigCtxDestroy};
  if (!ctx)
    return std::string{"cannot verify signatures right now"};
  ctx->signKey = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(cert_pem.data()),
                                              static_cast<xmlSecSize>(cert_pem.size()), xmlSecKeyDataFormatCertPem,
                                              nullptr, nullptr, nullptr);
  if (!ctx->signKey)
    return std::string{"the configured IdP certificate cannot be loaded"};
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  allow_only_sha2(*ctx);
  if (xmlSecDSigCtxVerify(ctx.get(), signature) < 0 || ctx->status != xmlSecDSigStatusSucceeded)
    return std::string{"the signature does not verify with the IdP's certificate"};
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1)
    return std::string{"the signature must have exactly one reference"};
  auto* reference = static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  auto expected = "#" + attribute(signed_element, "ID");
  if (!reference || !reference->uri || expected == "#" || expected != reinterpret_cast<const char*>(reference->uri))
    return std::string{"the signature does not cover the signed element"};
  return std::nullopt;
}

} // namespace

std::string url_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
        || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out.push_back(' ');
      } else if (s[i] == '%' && i + 2 < s.size()) {
        auto hexval = [](char c) {
          return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        };
        int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
        if (hi < 0 || lo < 0) {
          out.push_back(s[i]);
          continue;
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  };
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at < body.size()) {
    auto amp = body.find('&', at);
    auto item = body.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
    auto eq = item.find('=');
    if (eq != std::string_view::npos)
      out[decode(item.substr(0, eq))] = decode(item.substr(eq + 1));
    if (amp == std::string_view::npos)
      break;
    at = amp + 1;
  }
  return out;
}

authn_request make_authn_request(const saml_settings& settings, int64_t now) {
  initialize_crypto();
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  char hex[33];
  sodium_bin2hex(hex, sizeof hex, random, sizeof random);
  authn_request request;
  request.id = std::string{"_"} + hex;
  request.xml = "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" "
                "xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\""
                + request.id + "\" Version=\"2.0\" IssueInstant=\"" + iso_time(now) + "\" Destination=\""
                + xml_escape(settings.idp_sso_url)
                + "\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
                  "AssertionConsumerServiceURL=\""
                + xml_escape(settings.acs_url) + "\"><saml:Issuer>" + xml_escape(settings.sp_entity_id)
                + "</saml:Issuer><samlp:NameIDPolicy AllowCreate=\"true\" "
                  "Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified\"/></samlp:AuthnRequest>";
  return request;
}

std::string redirect_binding_url(const saml_settings& settings, const authn_request& request,
                                 std::string_view relay_state) {
  auto url = settings.idp_sso_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "SAMLRequest=" + url_encode(base64_encode(raw_deflate(request.xml)));
  if (!relay_state.empty())
    url += "&RelayState=" + url_encode(relay_state);
  return url;
}

std::string sp_metadata(const saml_settings& settings) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\""
         + xml_escape(settings.sp_entity_id)
         + "\">\n  <md:SPSSODescriptor AuthnRequestsSigned=\"false\" WantAssertionsSigned=\"true\" "
           "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n"
           "    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>\n"
           "    <md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\""
         + xml_escape(settings.acs_url)
         + "\" index=\"0\" isDefault=\"true\"/>\n  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n";
}

std::string check_idp_certificate(const std::string& pem) {
  initialize_xmlsec();
  auto* key = xmlSecCryptoAppKeyLoadMemory(reinterpret_cast<const xmlSecByte*>(pem.data()),
                                           static_cast<xmlSecSize>(pem.size()), xmlSecKeyDataFormatCertPem, nullptr,
                                           nullptr, nullptr);
  if (!key)
    return "the SAML IdP certificate is not a PEM certificate";
  xmlSecKeyDestroy(key);
  return {};
}

std::variant<saml_assertion, std::string> validate_saml_response(const saml_settings& settings,
                                                                 std::string_view base64_response, int64_t now) {
  if (!settings.enabled())
    return std::string{"SAML sign-in is not configured on this server"};
  if (base64_response.empty() || base64_response.size() > max_response_bytes)
    return std::string{"SAMLResponse is missing or too large"};
  auto xml = base64_decode(base64_response);
  if (!xml)
    return std::string{"SAMLResponse is not base64"};
  initialize_xmlsec();
  doc_ptr doc{xmlReadMemory(xml->data(), static_cast<int>(xml->size()), "response.xml", nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)};
  if (!doc)
    return std::string{"SAMLResponse is not well-formed XML"};
  if (doc->intSubset || doc->extSubset)
    return std::string{"SAMLResponse must not have a DOCTYPE"};
  auto* response = xmlDocGetRootElement(doc.get());
  if (!is(response, "Response", ns_protocol))
    return std::string{"the document is not a samlp:Response"};
  auto* assertion = only_child(response, "Assertion", ns_assertion);
  if (!assertion)
    return std::string{"the Response must hold exactly one Assertion (encrypted assertions are not supported)"};
  // Make ID attributes known to the XPointer lookups of the signature references.
  const xmlChar* ids[] = {BAD_CAST "ID", nullptr};
  xmlSecAddIDs(doc.get(), response, ids);

  auto* status = only_child(response, "Status", ns_protocol);
  auto* status_code = status ? only_child(status, "StatusCode", ns_protocol) : nullptr;
  if (!status_code || attribute(status_code, "Value") != "urn:oasis:names:tc:SAML:2.0:status:Success")
    return std::string{"the IdP did not report success"};

  // A signed Assertion is required unless the whole Response is signed.
  std::optional<std::string> problem;
  if (only_child(assertion, "Signature", ns_dsig))
    problem = verify_signature(assertion, settings.idp_cert_pem);
  else if (only_child(response, "Signature", ns_dsig))
    problem = verify_signature(response, settings.idp_cert_pem);
  else
    problem = "the assertion is not signed";
  if (problem)
    return *problem;

  if (auto destination = attribute(response, "Destination"); !destination.empty() && destination != settings.acs_url)
    return std::string{"the Response's Destination is not this service's ACS URL"};
  auto* issuer = only_child(assertion, "Issuer", ns_assertion);
  if (!issuer || text_of(issuer) != settings.idp_entity_id)
    return std::string{"the assertion's Issuer is not the configured IdP"};

  saml_assertion result;
  result.assertion_id = attribute(assertion, "ID");
  if (result.assertion_id.empty() || result.assertion_id.size() > 256)
    return std::string{"the assertion has no usable ID"};

  auto* conditions = only_child(assertion, "Conditions", ns_assertion);
  if (!conditions)
    return std::string{"the assertion has no Conditions"};
  auto not_before = parse_time(attribute(conditions, "NotBefore"));
  auto not_on_or_after = parse_time(attribute(conditions, "NotOnOrAfter"));
  if (!not_before || !not_on_or_after)
    return std::string{"the assertion's Conditions need NotBefore and NotOnOrAfter"};
  if (now + settings.clock_skew_seconds < *not_before)
    return std::string{"the assertion is not valid yet"};
  if (now - settings.clock_skew_seconds >= *not_on_or_after)
    return std::string{"the assertion has expired"};
  result.not_on_or_after = *not_on_or_after;
  bool audience_ok = false;
  for (auto* restriction : children(conditions, "AudienceRestriction", ns_assertion))
    for (auto* audience : children(restriction, "Audience", ns_assertion))
      audience_ok = audience_ok || text_of(audience) == settings.sp_entity_id;
  if (!audience_ok)
    return std::string{"the assertion is not meant for this service (Audience)"};

  auto* subject = only_child(assertion, "Subject", ns_assertion);
  auto* name_id = subject ? only_child(subject, "NameID", ns_assertion) : nullptr;
  if (!name_id || text_of(name_id).empty())
    return std::string{"the assertion has no Subject NameID"};
  result.name_id = text_of(name_id);
  bool bearer_ok = false;
  for (auto* confirmation : children(subject, "SubjectConfirmation", ns_assertion)) {
    if (attribute(confirmation, "Method") != "urn:oasis:names:tc:SAML:2.0:cm:bearer")
      continue;
    auto* data = only_child(confirmation, "SubjectConfirmationData", ns_assertion);
    if (!data)
      continue;
    if (attribute(data, "Recipient") != settings.acs_url)
      return std::string{"the assertion's Recipient is not this service's ACS URL"};
    auto until = parse_time(attribute(data, "NotOnOrAfter"));
    if (!until || now - settings.clock_skew_seconds >= *until)
      return std::string{"the assertion has expired"};
    result.in_response_to = attribute(data, "InResponseTo");
    bearer_ok = true;
  }
  if (!bearer_ok)
    return std::string{"the assertion has no bearer SubjectConfirmation"};
  if (auto response_irt = attribute(response, "InResponseTo");
      !response_irt.empty() && response_irt != result.in_response_to)
    return std::string{"InResponseTo differs between Response and assertion"};

  for (auto* statement : children(assertion, "AttributeStatement", ns_assertion))
    for (auto* attr : children(statement, "Attribute", ns_assertion)) {
      auto& values = result.attributes[attribute(attr, "Name")];
      for (auto* value : children(attr, "AttributeValue", ns_assertion))
        values.push_back(text_of(value));
    }
  return result;
}

} // namespace parley::accounts
