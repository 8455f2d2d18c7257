-- The account's sending IPs.
return {
  name = "ips",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/ips", items = "items" },
    { name = "get", method = "GET", path = "/v3/ips/{ip}" },
    { name = "list_domains", method = "GET", path = "/v3/ips/{ip}/domains", paging = "skip",
      items = "items" },
    -- assigns the IP to every domain of the account
    { name = "add_to_domains", method = "POST", path = "/v3/ips/{ip}/domains",
      encoding = "query" },
    -- removes it from every domain; alternative= replaces it
    { name = "remove_from_domains", method = "DELETE", path = "/v3/ips/{ip}/domains" },
    { name = "set_band", method = "POST", path = "/v3/ips/{addr}/ip_band", encoding = "multipart" },
    -- how many more IPs the plan allows (kept for compatibility by Mailgun)
    { name = "quota", method = "GET", path = "/v3/ips/request/new" },
    { name = "request_new", method = "POST", path = "/v3/ips/request/new", encoding = "query" },
  },
}
