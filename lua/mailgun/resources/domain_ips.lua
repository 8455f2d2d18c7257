-- The IPs and dedicated IP pool a domain sends from.
return {
  name = "domain_ips",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/domains/{name}/ips" },
    { name = "add", method = "POST", path = "/v3/domains/{name}/ips", encoding = "multipart" },
    -- {ip}: an address, "all" or "ip_pool". The spec's replacement query
    -- parameter is also called "ip"; it cannot be told apart from the path
    -- placeholder, so only pool_id (replacement pool) is passed here.
    { name = "delete", method = "DELETE", path = "/v3/domains/{name}/ips/{ip}" },
    { name = "delete_pool", method = "DELETE", path = "/v3/domains/{name}/pool/{ip}" },
  },
}
