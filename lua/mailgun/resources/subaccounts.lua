-- Subaccounts of the primary account, their monthly limits, features and
-- delegated dedicated IP pools. Calls as a subaccount: mailgun.new{subaccount=}.
return {
  name = "subaccounts",
  endpoints = {
    { name = "list", method = "GET", path = "/v5/accounts/subaccounts", paging = "skip",
      items = "subaccounts" },
    { name = "create", method = "POST", path = "/v5/accounts/subaccounts", encoding = "query" },
    { name = "get", method = "GET", path = "/v5/accounts/subaccounts/{subaccount_id}" },
    -- deletes the subaccount named by the X-Mailgun-On-Behalf-Of header
    -- (a client made with subaccount=, or opts.headers)
    { name = "delete", method = "DELETE", path = "/v5/accounts/subaccounts" },
    { name = "disable", method = "POST", path = "/v5/accounts/subaccounts/{subaccount_id}/disable",
      encoding = "query" },
    { name = "enable", method = "POST", path = "/v5/accounts/subaccounts/{subaccount_id}/enable",
      encoding = "query" },
    { name = "get_limit", method = "GET",
      path = "/v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly" },
    { name = "set_limit", method = "PUT",
      path = "/v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly", encoding = "query" },
    { name = "delete_limit", method = "DELETE",
      path = "/v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly" },
    -- each feature as JSON text, e.g. sending = '{"enabled":true}'
    { name = "update_features", method = "PUT",
      path = "/v5/accounts/subaccounts/{subaccount_id}/features", encoding = "urlencoded" },
    { name = "list_ip_pools", method = "GET", path = "/v5/accounts/subaccounts/ip_pools/all",
      items = "items" },
    { name = "set_ip_pool", method = "PUT", path = "/v5/accounts/subaccounts/{subaccountId}/ip_pool",
      encoding = "multipart" },
    { name = "remove_ip_pool", method = "DELETE",
      path = "/v5/accounts/subaccounts/{subaccountId}/ip_pool" },
  },
}
