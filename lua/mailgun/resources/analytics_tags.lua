-- Tags of the analytics API (v1, JSON bodies; delete takes a JSON body too).
return {
  name = "analytics_tags",
  endpoints = {
    { name = "list", method = "POST", path = "/v1/analytics/tags", encoding = "json",
      paging = "body_skip", items = "items" },
    { name = "update", method = "PUT", path = "/v1/analytics/tags", encoding = "json" },
    { name = "delete", method = "DELETE", path = "/v1/analytics/tags", encoding = "json" },
    { name = "limits", method = "GET", path = "/v1/analytics/tags/limits" },
  },
}
