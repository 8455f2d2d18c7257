-- Pending user invites.
return require("mailersend.resources._crud")("invites", "/invites", "invite_id",
  { "list", "get" }, {
    { name = "resend", method = "POST", path = "/invites/{invite_id}/resend", encoding = "json" },
    { name = "delete", method = "DELETE", path = "/invites/{invite_id}" },
  })
