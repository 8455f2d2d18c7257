-- Domain webhooks. v3: one list of URLs per event id (accepted, delivered,
-- opened, clicked, unsubscribed, complained, permanent_fail, temporary_fail).
-- v4: one URL for many event_types. Verifying a posted webhook is
-- mailgun.webhooks.verify, not a call.
return {
  name = "webhooks",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/domains/{domain}/webhooks" },
    { name = "create", method = "POST", path = "/v3/domains/{domain}/webhooks",
      encoding = "multipart" },
    { name = "get", method = "GET", path = "/v3/domains/{domain_name}/webhooks/{webhook_name}" },
    { name = "update", method = "PUT", path = "/v3/domains/{domain_name}/webhooks/{webhook_name}",
      encoding = "multipart" },
    { name = "delete", method = "DELETE",
      path = "/v3/domains/{domain_name}/webhooks/{webhook_name}" },
    { name = "add_url", method = "POST", path = "/v4/domains/{domain}/webhooks",
      encoding = "urlencoded" },
    { name = "update_url", method = "PUT", path = "/v4/domains/{domain}/webhooks",
      encoding = "urlencoded" },
    { name = "remove_url", method = "DELETE", path = "/v4/domains/{domain}/webhooks" },
  },
}
