-- Mailing lists. list pages with paging.next URLs; list_legacy is the older
-- skip/limit listing.
return {
  name = "lists",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/lists/pages", paging = "url", items = "items" },
    { name = "list_legacy", method = "GET", path = "/v3/lists", paging = "skip", items = "items" },
    { name = "create", method = "POST", path = "/v3/lists", encoding = "multipart" },
    { name = "get", method = "GET", path = "/v3/lists/{list_address}" },
    { name = "update", method = "PUT", path = "/v3/lists/{list_address}", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v3/lists/{list_address}" },
  },
}
