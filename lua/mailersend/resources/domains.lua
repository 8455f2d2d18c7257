-- Sending domains: create {name, return_path_subdomain,
-- custom_tracking_subdomain, inbound_routing_subdomain}; settings take
-- send_paused, track_clicks, track_opens, track_unsubscribe, ...
return require("mailersend.resources._crud")("domains", "/domains", "domain_id",
  { "list", "create", "get", "delete" }, {
    { name = "dns_records", method = "GET", path = "/domains/{domain_id}/dns-records" },
    { name = "verify", method = "GET", path = "/domains/{domain_id}/verify" },
    { name = "update_settings", method = "PUT", path = "/domains/{domain_id}/settings", encoding = "json" },
    { name = "recipients", method = "GET", path = "/domains/{domain_id}/recipients", paging = "page",
      items = "data" },
  })
