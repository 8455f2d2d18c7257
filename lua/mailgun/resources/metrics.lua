-- Analytics metrics and billing usage metrics (JSON queries, skip/limit in
-- the body's pagination).
return {
  name = "metrics",
  endpoints = {
    { name = "query", method = "POST", path = "/v1/analytics/metrics", encoding = "json",
      paging = "body_skip", items = "items" },
    { name = "usage", method = "POST", path = "/v1/analytics/usage/metrics", encoding = "json",
      paging = "body_skip", items = "items" },
  },
}
