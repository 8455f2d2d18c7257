-- Dynamic IP pools: domains moved between pools by reputation.
return {
  name = "dynamic_pools",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/dynamic_pools" },
    -- turns the feature on with good_reputation, poor_reputation, new_senders
    { name = "enable", method = "POST", path = "/v3/dynamic_pools/all", encoding = "multipart" },
    { name = "disable", method = "DELETE", path = "/v3/dynamic_pools/all" },
    { name = "add_ip", method = "POST", path = "/v3/dynamic_pools/{pool_name}/{ip}",
      encoding = "query" },
    -- add_ip= / remove_ip=
    { name = "update", method = "PATCH", path = "/v3/dynamic_pools/{pool_name}",
      encoding = "multipart" },
    { name = "enroll_domain", method = "POST", path = "/v3/domains/{name}/dynamic_pools",
      encoding = "query" },
    { name = "remove_domain", method = "DELETE", path = "/v3/domains/{name}/dynamic_pools" },
    { name = "assignable_domains", method = "GET", path = "/v3/domains/dynamic_pools/assignable",
      items = "items" },
    { name = "enroll_all", method = "POST", path = "/v3/domains/all/dynamic_pools/enroll",
      encoding = "query" },
    -- pages carry paging.Next (capitalised) and no skip: not iterable by a
    -- standard style, so no paging here
    { name = "list_domains", method = "GET", path = "/v1/dynamic_pools/domains", items = "items" },
    { name = "preview", method = "GET", path = "/v1/dynamic_pools/domains/{name}/preview" },
    { name = "domain_history", method = "GET", path = "/v1/dynamic_pools/domains/{name}/history" },
    { name = "set_override", method = "PUT", path = "/v1/dynamic_pools/domains/{name}/override",
      encoding = "multipart" },
    { name = "remove_override", method = "DELETE",
      path = "/v1/dynamic_pools/domains/{name}/override" },
    { name = "history", method = "GET", path = "/v1/dynamic_pools/history", items = "items" },
  },
}
