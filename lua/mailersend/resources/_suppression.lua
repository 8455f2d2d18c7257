-- The five suppression lists share one shape: GET lists (domain_id, page,
-- limit), POST adds {domain_id, recipients = {...}} (the blocklist also
-- takes patterns = {...}), DELETE removes with a JSON body {ids = {...}} or
-- {all = true} (and an optional domain_id). The on-hold list has no POST.
-- Not a resource itself.
return function(name, kind, can_add)
  local path = "/suppressions/" .. kind
  local endpoints = {
    { name = "list", method = "GET", path = path, paging = "page", items = "data" },
  }
  if can_add then
    endpoints[#endpoints + 1] = { name = "create", method = "POST", path = path, encoding = "json" }
  end
  endpoints[#endpoints + 1] = { name = "delete", method = "DELETE", path = path, encoding = "json" }
  return { name = name, endpoints = endpoints }
end
