-- Email preview test results (rendering across mail clients).
return {
  name = "email_previews",
  endpoints = {
    { name = "get_results", method = "GET", path = "/v1/preview/tests/{test_id}/results" },
  },
}
