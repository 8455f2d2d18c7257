-- Tags of a domain, v3. Deprecated: use analytics_tags.
return {
  name = "tags",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/{domain}/tags", paging = "url", items = "items",
      deprecated = true },
    { name = "get", method = "GET", path = "/v3/{domain}/tag", deprecated = true },
    -- tag and description travel in the query string, as the spec says
    { name = "update", method = "PUT", path = "/v3/{domain}/tag", encoding = "query",
      deprecated = true },
    { name = "delete", method = "DELETE", path = "/v3/{domain}/tag", deprecated = true },
    { name = "stats", method = "GET", path = "/v3/{domain}/tag/stats", deprecated = true },
    { name = "aggregates", method = "GET", path = "/v3/{domain}/tag/stats/aggregates",
      deprecated = true },
    { name = "devices", method = "GET", path = "/v3/domains/{domain}/tag/devices",
      deprecated = true },
    { name = "providers", method = "GET", path = "/v3/domains/{domain}/tag/providers",
      deprecated = true },
    { name = "countries", method = "GET", path = "/v3/domains/{domain}/tag/countries",
      deprecated = true },
    { name = "limits", method = "GET", path = "/v3/domains/{domain}/limits/tag",
      deprecated = true },
  },
}
