-- SMTP credentials of a domain; {spec} is the login (the part before @ or
-- the whole address).
return {
  name = "credentials",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/domains/{domain_name}/credentials",
      paging = "skip", items = "items" },
    { name = "create", method = "POST", path = "/v3/domains/{domain_name}/credentials",
      encoding = "multipart" },
    { name = "delete_all", method = "DELETE", path = "/v3/domains/{domain_name}/credentials" },
    { name = "update", method = "PUT", path = "/v3/domains/{domain_name}/credentials/{spec}",
      encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v3/domains/{domain_name}/credentials/{spec}" },
  },
}
