-- Sending domains (v4; deleting is still v3).
return {
  name = "domains",
  endpoints = {
    { name = "list", method = "GET", path = "/v4/domains", paging = "skip", items = "items" },
    { name = "create", method = "POST", path = "/v4/domains", encoding = "multipart" },
    { name = "get", method = "GET", path = "/v4/domains/{name}" },
    { name = "update", method = "PUT", path = "/v4/domains/{name}", encoding = "multipart" },
    { name = "verify", method = "PUT", path = "/v4/domains/{name}/verify", encoding = "query" },
    { name = "delete", method = "DELETE", path = "/v3/domains/{name}" },
  },
}
