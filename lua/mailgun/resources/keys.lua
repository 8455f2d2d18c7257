-- API keys. A new key's secret is returned only by create.
return {
  name = "keys",
  endpoints = {
    { name = "list", method = "GET", path = "/v1/keys", items = "items" },
    { name = "create", method = "POST", path = "/v1/keys", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v1/keys/{key_id}" },
    -- regenerates the public (validation) key
    { name = "regenerate_public", method = "POST", path = "/v1/keys/public", encoding = "query" },
  },
}
