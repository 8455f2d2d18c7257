-- DKIM keys: account-wide key store (v1), keys of an authority domain (v4),
-- a domain's authority and selector (v3) and automatic rotation.
return {
  name = "dkim",
  endpoints = {
    -- the spec puts page/limit/signing_domain/selector in a form body on a
    -- GET; they are sent as a query string, as the official SDKs do
    { name = "list", method = "GET", path = "/v1/dkim/keys", paging = "url", items = "items" },
    { name = "create", method = "POST", path = "/v1/dkim/keys", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v1/dkim/keys" },
    { name = "list_domain_keys", method = "GET", path = "/v4/domains/{authority_name}/keys",
      items = "items" },
    { name = "activate", method = "PUT",
      path = "/v4/domains/{authority_name}/keys/{selector}/activate", encoding = "query" },
    { name = "deactivate", method = "PUT",
      path = "/v4/domains/{authority_name}/keys/{selector}/deactivate", encoding = "query" },
    { name = "set_authority", method = "PUT", path = "/v3/domains/{name}/dkim_authority",
      encoding = "multipart" },
    { name = "set_selector", method = "PUT", path = "/v3/domains/{name}/dkim_selector",
      encoding = "multipart" },
    { name = "set_rotation", method = "PUT", path = "/v1/dkim_management/domains/{name}/rotation",
      encoding = "multipart" },
    { name = "rotate", method = "POST", path = "/v1/dkim_management/domains/{name}/rotate",
      encoding = "query" },
  },
}
