// SAML 2.0 service provider: AuthnRequests for the HTTP-Redirect binding, SP metadata, and
// validation of the IdP's Response on the HTTP-POST binding (XML signature with xmlsec1,
// issuer, audience, recipient, destination, time window). Replay and InResponseTo bookkeeping
// belong to the caller, which owns the state.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace parley::accounts {

struct saml_settings {
  std::string sp_entity_id;  // our EntityID, the Audience the IdP must name
  std::string acs_url;       // our public ACS URL, the Recipient/Destination the IdP must name
  std::string idp_entity_id; // the Issuer we accept
  std::string idp_sso_url;   // where AuthnRequests go (HTTP-Redirect)
  std::string idp_cert_pem;  // the IdP's signing certificate
  std::string role_attribute = "role";
  std::vector<std::string> admin_roles{"admin"};
  int64_t clock_skew_seconds = 120;

  bool enabled() const { return !idp_cert_pem.empty() && !idp_sso_url.empty() && !idp_entity_id.empty(); }
};

/// A fresh request ID ("_" + 32 hex digits) and the AuthnRequest XML for it.
struct authn_request {
  std::string id;
  std::string xml;
};
authn_request make_authn_request(const saml_settings& settings, int64_t now);

/// The IdP URL with SAMLRequest (raw DEFLATE, base64, URL-encoded) and RelayState.
std::string redirect_binding_url(const saml_settings& settings, const authn_request& request,
                                 std::string_view relay_state);

/// The SP's EntityDescriptor (ACS on HTTP-POST, AuthnRequestsSigned=false, WantAssertionsSigned=true).
std::string sp_metadata(const saml_settings& settings);

/// What a valid, signed assertion says.
struct saml_assertion {
  std::string assertion_id;
  std::string in_response_to;
  std::string name_id;
  int64_t not_on_or_after = 0; // of the assertion's conditions: remember its ID until then
  std::map<std::string, std::vector<std::string>> attributes;
};

/// Validates the base64 `SAMLResponse` form value at unix time `now`. Either the assertion or
/// a sentence saying what is wrong (never a crash for hostile input).
std::variant<saml_assertion, std::string> validate_saml_response(const saml_settings& settings,
                                                                 std::string_view base64_response, int64_t now);

/// Checks that the certificate parses (for start-up); an error text or "".
std::string check_idp_certificate(const std::string& pem);

/// Decodes application/x-www-form-urlencoded text into name → value.
std::map<std::string, std::string> parse_form(std::string_view body);
std::string url_encode(std::string_view text);

} // namespace parley::accounts
