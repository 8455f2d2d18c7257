-- Bulk validation jobs: a CSV or gzip file with an email column, validated
-- in the background; {list_id} is chosen by the caller.
return {
  name = "bulk_validations",
  endpoints = {
    { name = "list", method = "GET", path = "/v4/address/validate/bulk", paging = "url",
      items = "jobs" },
    -- file = {path=} or {data=, filename=}
    { name = "create", method = "POST", path = "/v4/address/validate/bulk/{list_id}",
      encoding = "multipart" },
    { name = "get", method = "GET", path = "/v4/address/validate/bulk/{list_id}" },
    -- cancels a running job or deletes the results of a finished one
    { name = "delete", method = "DELETE", path = "/v4/address/validate/bulk/{list_id}" },
  },
}
