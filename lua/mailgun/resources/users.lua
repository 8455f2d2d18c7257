-- Users of the account (read only).
return {
  name = "users",
  endpoints = {
    { name = "list", method = "GET", path = "/v5/users", paging = "skip", items = "users" },
    { name = "me", method = "GET", path = "/v5/users/me" },
    { name = "get", method = "GET", path = "/v5/users/{user_id}" },
  },
}
