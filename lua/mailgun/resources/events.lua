-- The v3 events log of a domain (Mailgun points to logs as its successor).
return {
  name = "events",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/{domain_name}/events", paging = "url",
      items = "items" },
  },
}
