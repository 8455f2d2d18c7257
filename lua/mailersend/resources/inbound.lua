-- Inbound routes: domain_id, name, inbound_address/subdomain,
-- catch_filter, match_filter, forwards (webhook or email).
return require("mailersend.resources._crud")("inbound", "/inbound", "inbound_id",
  { "list", "create", "get", "update", "delete" })
