-- API tokens: create {name, domain_id, scopes} returns data.accessToken
-- once; update {name, status}; update_settings {status = "pause"|"unpause"}
-- is the older form of the same change.
return require("mailersend.resources._crud")("tokens", "/token", "token_id",
  { "list", "create", "get", "update" }, {
    { name = "update_settings", method = "PUT", path = "/token/{token_id}/settings", encoding = "json" },
    { name = "delete", method = "DELETE", path = "/token/{token_id}" },
  })
