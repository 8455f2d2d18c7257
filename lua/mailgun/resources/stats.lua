-- Sending statistics, v3. Deprecated: use metrics.
return {
  name = "stats",
  endpoints = {
    { name = "total", method = "GET", path = "/v3/{domain}/stats/total", deprecated = true },
    { name = "account_total", method = "GET", path = "/v3/stats/total", deprecated = true },
    { name = "domains_total", method = "GET", path = "/v3/stats/total/domains",
      deprecated = true },
    { name = "filter", method = "GET", path = "/v3/stats/filter", deprecated = true },
    { name = "providers", method = "GET", path = "/v3/{domain}/aggregates/providers",
      deprecated = true },
    { name = "devices", method = "GET", path = "/v3/{domain}/aggregates/devices",
      deprecated = true },
    { name = "countries", method = "GET", path = "/v3/{domain}/aggregates/countries",
      deprecated = true },
  },
}
