-- Templates of a domain and their versions (v3). A versions page holds its
-- items at template.versions.
return {
  name = "templates",
  endpoints = {
    { name = "list", method = "GET", path = "/v3/{domain_name}/templates", paging = "url",
      items = "items" },
    { name = "create", method = "POST", path = "/v3/{domain_name}/templates",
      encoding = "multipart" },
    { name = "delete_all", method = "DELETE", path = "/v3/{domain_name}/templates" },
    { name = "get", method = "GET", path = "/v3/{domain_name}/templates/{template_name}" },
    { name = "update", method = "PUT", path = "/v3/{domain_name}/templates/{template_name}",
      encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v3/{domain_name}/templates/{template_name}" },
    { name = "list_versions", method = "GET",
      path = "/v3/{domain_name}/templates/{template_name}/versions",
      paging = "url", items = "template.versions" },
    { name = "create_version", method = "POST",
      path = "/v3/{domain_name}/templates/{template_name}/versions", encoding = "multipart" },
    { name = "get_version", method = "GET",
      path = "/v3/{domain_name}/templates/{template_name}/versions/{version_name}" },
    { name = "update_version", method = "PUT",
      path = "/v3/{domain_name}/templates/{template_name}/versions/{version_name}",
      encoding = "multipart" },
    { name = "delete_version", method = "DELETE",
      path = "/v3/{domain_name}/templates/{template_name}/versions/{version_name}" },
    -- comment= goes in the query string
    { name = "copy_version", method = "PUT",
      path = "/v3/{domain_name}/templates/{template_name}/versions/{version_name}/copy/"
        .. "{new_version_name}", encoding = "query" },
  },
}
