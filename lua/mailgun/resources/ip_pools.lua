-- Dedicated IP pools (DIPPs).
return {
  name = "ip_pools",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/ip_pools", items = "ip_pools" },
    { name = "create", method = "POST", path = "/v3/ip_pools", encoding = "multipart" },
    { name = "get", method = "GET", path = "/v3/ip_pools/{pool_id}" },
    { name = "update", method = "PATCH", path = "/v3/ip_pools/{pool_id}", encoding = "multipart" },
    -- the spec's replacement query parameters are ip and pool_id; pool_id is
    -- also the placeholder, so only ip= can be given as a replacement
    { name = "delete", method = "DELETE", path = "/v3/ip_pools/{pool_id}" },
    { name = "list_domains", method = "GET", path = "/v3/ip_pools/{pool_id}/domains",
      paging = "url", items = "domains" },
    { name = "add_ip", method = "PUT", path = "/v3/ip_pools/{pool_id}/ips/{ip}",
      encoding = "query" },
    { name = "remove_ip", method = "DELETE", path = "/v3/ip_pools/{pool_id}/ips/{ip}" },
    -- ips = a list of addresses
    { name = "add_ips", method = "POST", path = "/v3/ip_pools/{pool_id}/ips.json",
      encoding = "json" },
  },
}
