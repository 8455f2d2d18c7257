-- Email activity of a domain: date_from, date_to (epoch seconds), event
-- (a list: sent, delivered, opened, ...), page, limit. 10 requests/minute.
return {
  name = "activity",
  endpoints = {
    { name = "list", method = "GET", path = "/activity/{domain_id}", paging = "page", items = "data" },
    { name = "get", method = "GET", path = "/activities/{activity_id}" },
  },
}
