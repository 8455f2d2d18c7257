-- Account users. invite {email, role, permissions, templates, domains}
-- (role "Custom User" needs permissions); update takes the same minus email.
return require("mailersend.resources._crud")("users", "/users", "user_id",
  { "list", "get", "update", "delete" }, {
    { name = "invite", method = "POST", path = "/users", encoding = "json" },
  })
