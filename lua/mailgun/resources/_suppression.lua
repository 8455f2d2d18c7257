-- The four suppression lists of a domain share one shape; each resource
-- module calls this with its own path segment. Not a resource itself.
--   kind:     path segment ("bounces", "unsubscribes", "complaints", "whitelists")
--   key:      placeholder of one record ("address", or "value" for whitelists)
--   encoding: of create: "json" takes a list of up to 1000 records (a
--             single record goes as a list of one); "multipart" one record
return function(name, kind, key, encoding)
  local base = "/v3/{domain_name}/" .. kind
  local one = base .. "/{" .. key .. "}"
  return {
    name = name,
    endpoints = {
      -- params: the query fields the API documents (others raise, see options.lua);
      -- address is the pivot of the API's own next/previous links, bounces too
      { name = "list", method = "GET", path = base, paging = "url", items = "items",
        params = { "limit", "page", "term", "address" } },
      { name = "get", method = "GET", path = one },
      { name = "create", method = "POST", path = base, encoding = encoding },
      -- a CSV file (<= 25 MB) as the multipart field "file"
      { name = "import", method = "POST", path = base .. "/import", encoding = "multipart" },
      { name = "delete", method = "DELETE", path = one },
      { name = "delete_all", method = "DELETE", path = base },
    },
  }
end
