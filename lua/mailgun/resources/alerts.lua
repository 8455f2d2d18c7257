-- Send alerts (thresholds on sending metrics) and the alerts that fired.
-- {name} here is the alert's name, never the client's domain.
return {
  name = "alerts",
  endpoints = {
    { name = "list", method = "GET", path = "/v1/thresholds/alerts/send", items = "items" },
    { name = "create", method = "POST", path = "/v1/thresholds/alerts/send", encoding = "json" },
    { name = "get", method = "GET", path = "/v1/thresholds/alerts/send/{name}" },
    { name = "update", method = "PUT", path = "/v1/thresholds/alerts/send/{name}",
      encoding = "json" },
    { name = "delete", method = "DELETE", path = "/v1/thresholds/alerts/send/{name}" },
    { name = "hits", method = "GET", path = "/v1/thresholds/hits", items = "items" },
  },
}
