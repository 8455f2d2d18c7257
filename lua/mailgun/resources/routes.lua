-- Inbound routes (account level): expression + actions, urlencoded bodies.
return {
  name = "routes",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/routes", paging = "skip", items = "items" },
    { name = "create", method = "POST", path = "/v3/routes", encoding = "urlencoded" },
    { name = "get", method = "GET", path = "/v3/routes/{id}" },
    { name = "update", method = "PUT", path = "/v3/routes/{id}", encoding = "urlencoded" },
    { name = "delete", method = "DELETE", path = "/v3/routes/{id}" },
    -- the route that would handle address=
    { name = "match", method = "GET", path = "/v3/routes/match" },
  },
}
