-- Single address validation (v4).
return {
  name = "validation",
  endpoints = {
    { name = "validate", method = "GET", path = "/v4/address/validate" },
    -- the same fields (address, provider_lookup) as a form
    { name = "validate_form", method = "POST", path = "/v4/address/validate",
      encoding = "multipart" },
  },
}
