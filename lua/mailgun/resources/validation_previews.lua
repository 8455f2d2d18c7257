-- List health previews: a sample of a list, promoted to a full bulk job on demand.
return {
  name = "validation_previews",
  endpoints = {
    { name = "list", method = "GET", path = "/v4/address/validate/preview", items = "previews" },
    { name = "create", method = "POST", path = "/v4/address/validate/preview/{list_id}",
      encoding = "multipart" },
    { name = "get", method = "GET", path = "/v4/address/validate/preview/{list_id}" },
    { name = "promote", method = "PUT", path = "/v4/address/validate/preview/{list_id}",
      encoding = "query" },
    { name = "delete", method = "DELETE", path = "/v4/address/validate/preview/{list_id}" },
  },
}
