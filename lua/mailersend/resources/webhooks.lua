-- Webhooks of a domain: list needs domain_id; create {name, domain_id,
-- url, enabled, events, version}. Verify deliveries with
-- mailersend.webhooks.verify.
return require("mailersend.resources._crud")("webhooks", "/webhooks", "webhook_id",
  { "list", "create", "get", "update", "delete" })
