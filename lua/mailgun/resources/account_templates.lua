-- Account-level templates (v4), usable from every domain. {name} is the
-- template's name, {tag} the version's.
return {
  name = "account_templates",
  endpoints = {
    { name = "list", method = "GET", path = "/v4/templates", paging = "url", items = "items" },
    { name = "create", method = "POST", path = "/v4/templates", encoding = "multipart" },
    { name = "delete_all", method = "DELETE", path = "/v4/templates" },
    { name = "get", method = "GET", path = "/v4/templates/{name}" },
    { name = "update", method = "PUT", path = "/v4/templates/{name}", encoding = "multipart" },
    { name = "delete", method = "DELETE", path = "/v4/templates/{name}" },
    { name = "list_versions", method = "GET", path = "/v4/templates/{name}/versions",
      paging = "url", items = "template.versions" },
    { name = "create_version", method = "POST", path = "/v4/templates/{name}/versions",
      encoding = "multipart" },
    { name = "get_version", method = "GET", path = "/v4/templates/{name}/versions/{tag}" },
    { name = "update_version", method = "PUT", path = "/v4/templates/{name}/versions/{tag}",
      encoding = "multipart" },
    { name = "delete_version", method = "DELETE", path = "/v4/templates/{name}/versions/{tag}" },
  },
}
