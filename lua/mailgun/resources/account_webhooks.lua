-- Account-level webhooks (all domains of the account; set up per region).
return {
  name = "account_webhooks",
  endpoints = {
    { name = "list", method = "GET", path = "/v1/webhooks" },
    { name = "create", method = "POST", path = "/v1/webhooks", encoding = "multipart" },
    -- all = true, or webhook_ids
    { name = "delete_all", method = "DELETE", path = "/v1/webhooks" },
    { name = "get", method = "GET", path = "/v1/webhooks/{webhook_id}" },
    { name = "update", method = "PUT", path = "/v1/webhooks/{webhook_id}", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v1/webhooks/{webhook_id}" },
  },
}
