-- The IP addresses and networks allowed to use the API keys.
return {
  name = "ip_allowlist",
  endpoints = {
    { name = "list", method = "GET", path = "/v2/ip_whitelist", items = "addresses" },
    { name = "create", method = "POST", path = "/v2/ip_whitelist", encoding = "multipart" },
    { name = "update", method = "PUT", path = "/v2/ip_whitelist", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v2/ip_whitelist" },
  },
}
