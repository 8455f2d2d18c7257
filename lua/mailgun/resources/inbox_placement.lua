-- Inbox placement test results (Optimize).
return {
  name = "inbox_placement",
  endpoints = {
    { name = "get_results", method = "GET", path = "/v4/inbox/results/{result}" },
  },
}
