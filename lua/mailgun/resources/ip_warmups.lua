-- Warm-up plans of dedicated IPs.
return {
  name = "ip_warmups",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/ip_warmups", paging = "url", items = "items" },
    { name = "get", method = "GET", path = "/v3/ip_warmups/{addr}" },
    { name = "create", method = "POST", path = "/v3/ip_warmups/{addr}", encoding = "query" },
    { name = "cancel", method = "DELETE", path = "/v3/ip_warmups/{addr}" },
  },
}
