-- SMTP users of a domain: {domain_id=} on every call; create/update
-- {name, enabled}.
return require("mailersend.resources._crud")("smtp_users", "/domains/{domain_id}/smtp-users",
  "smtp_user_id", { "list", "create", "get", "update", "delete" })
