-- Blocklist monitoring of domains, IPs and CIDR ranges: list (page, limit,
-- query, sort_by, order); create {name, address, notify, notify_email or
-- notify_address}; update the same.
return require("mailersend.resources._crud")("blocklist_monitoring", "/blocklist-monitoring",
  "monitor_id", { "list", "create", "get", "update", "delete" })
