-- Analytics logs: a JSON query whose cursor travels in the body.
return {
  name = "logs",
  endpoints = {
    { name = "query", method = "POST", path = "/v1/analytics/logs", encoding = "json",
      paging = "body_token", items = "items" },
  },
}
