-- Members of a mailing list ({list_address}).
return {
  name = "list_members",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/lists/{list_address}/members/pages",
      paging = "url", items = "items" },
    { name = "list_legacy", method = "GET", path = "/v3/lists/{list_address}/members",
      paging = "skip", items = "items" },
    { name = "create", method = "POST", path = "/v3/lists/{list_address}/members",
      encoding = "multipart" },
    -- members = JSON text of up to 1000 addresses or member objects, upsert;
    -- the spec lists them as query parameters, the API and SDKs take form fields
    { name = "add_bulk", method = "POST", path = "/v3/lists/{list_address}/members.json",
      encoding = "multipart" },
    -- members = a CSV file part, subscribed, upsert
    { name = "import", method = "POST", path = "/v3/lists/{list_address}/members.csv",
      encoding = "multipart" },
    { name = "get", method = "GET", path = "/v3/lists/{list_address}/members/{member_address}" },
    { name = "update", method = "PUT", path = "/v3/lists/{list_address}/members/{member_address}",
      encoding = "multipart" },
    { name = "delete", method = "DELETE",
      path = "/v3/lists/{list_address}/members/{member_address}" },
  },
}
