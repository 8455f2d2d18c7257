-- The daily request quota: {quota, remaining, reset}. Does not count
-- against the quota.
return {
  name = "api_quota",
  endpoints = {
    { name = "get", method = "GET", path = "/api-quota" },
  },
}
