-- Sender identities, by id or by email address.
local by_email = "/identities/email/{email}"
return require("mailersend.resources._crud")("identities", "/identities", "identity_id",
  { "list", "create", "get", "update", "delete" }, {
    { name = "get_by_email", method = "GET", path = by_email },
    { name = "update_by_email", method = "PUT", path = by_email, encoding = "json" },
    { name = "delete_by_email", method = "DELETE", path = by_email },
    { name = "resend", method = "POST", path = "/identities/{identity_id}/resend", encoding = "json" },
  })
