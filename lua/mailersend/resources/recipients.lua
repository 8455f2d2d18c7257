-- Recipients of the account (domain_id, page, limit).
return require("mailersend.resources._crud")("recipients", "/recipients", "recipient_id",
  { "list", "get", "delete" })
