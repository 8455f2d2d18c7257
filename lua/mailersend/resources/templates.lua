-- Templates (domain_id, page, limit).
return require("mailersend.resources._crud")("templates", "/templates", "template_id",
  { "list", "create", "get", "update", "delete" })
