-- Email verification: lists ({name, emails}) verified in the background,
-- and single addresses, synchronously (verify) or not (verify_async, then
-- async_status). 60 requests/minute.
local base = "/email-verification"
return require("mailersend.resources._crud")("email_verification", base, "email_verification_id",
  { "list", "create", "get" }, {
    { name = "verify_list", method = "GET", path = base .. "/{email_verification_id}/verify" },
    { name = "results", method = "GET", path = base .. "/{email_verification_id}/results",
      paging = "page", items = "data" },
    { name = "verify", method = "POST", path = base .. "/verify", encoding = "json" },
    { name = "verify_async", method = "POST", path = base .. "/verify-async", encoding = "json" },
    { name = "async_status", method = "GET", path = base .. "/verify-async/{email_verification_id}" },
  })
