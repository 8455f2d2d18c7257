-- Email verification: lists ({name, emails}) verified in the background,
-- and single addresses, synchronously (verify) or in the background
-- (verify_in_background, then background_result). 60 requests/minute.
-- (No endpoint is named *_async: every method X gets an X_async form.)
local base = "/email-verification"
return require("mailersend.resources._crud")("email_verification", base, "email_verification_id",
  { "list", "create", "get" }, {
    { name = "verify_list", method = "GET", path = base .. "/{email_verification_id}/verify" },
    { name = "results", method = "GET", path = base .. "/{email_verification_id}/results",
      paging = "page", items = "data" },
    { name = "verify", method = "POST", path = base .. "/verify", encoding = "json" },
    { name = "verify_in_background", method = "POST", path = base .. "/verify-async", encoding = "json" },
    { name = "background_result", method = "GET", path = base .. "/verify-async/{email_verification_id}" },
  })
