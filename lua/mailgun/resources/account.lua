-- The account itself: settings, webhook signing key, sandbox authorised
-- recipients and the custom monthly sending limit.
return {
  name = "account",
  endpoints = {
    { name = "update", method = "PUT", path = "/v5/accounts", encoding = "query" },
    { name = "get_signing_key", method = "GET", path = "/v5/accounts/http_signing_key" },
    { name = "regenerate_signing_key", method = "POST", path = "/v5/accounts/http_signing_key",
      encoding = "query" },
    { name = "list_sandbox_recipients", method = "GET", path = "/v5/sandbox/auth_recipients",
      items = "recipients" },
    { name = "add_sandbox_recipient", method = "POST", path = "/v5/sandbox/auth_recipients",
      encoding = "query" },
    { name = "delete_sandbox_recipient", method = "DELETE",
      path = "/v5/sandbox/auth_recipients/{email}" },
    { name = "resend_activation_email", method = "POST",
      path = "/v5/accounts/resend_activation_email", encoding = "query" },
    { name = "get_limit", method = "GET", path = "/v5/accounts/limit/custom/monthly" },
    { name = "set_limit", method = "PUT", path = "/v5/accounts/limit/custom/monthly",
      encoding = "query" },
    { name = "delete_limit", method = "DELETE", path = "/v5/accounts/limit/custom/monthly" },
    { name = "enable_limit", method = "PUT", path = "/v5/accounts/limit/custom/enable",
      encoding = "query" },
  },
}
