-- Most MailerSend resources share one shape: a collection at `base` and
-- one record at base/{id}. This builds the endpoint list of such a
-- resource from the operations it has; `more` appends the endpoints that
-- do not fit the shape. Not a resource itself.
--   ops: any of "list", "create", "get", "update", "delete", in the order
--        the endpoints should be declared
-- list  GET    base        (page/limit, items in "data")
-- create POST  base        (JSON body)
-- get   GET    base/{id}
-- update PUT   base/{id}   (JSON body)
-- delete DELETE base/{id}
local ipairs, error = ipairs, error

local SHAPES = {
  list = function(base) return { method = "GET", path = base, paging = "page", items = "data" } end,
  create = function(base) return { method = "POST", path = base, encoding = "json" } end,
  get = function(_, one) return { method = "GET", path = one } end,
  update = function(_, one) return { method = "PUT", path = one, encoding = "json" } end,
  delete = function(_, one) return { method = "DELETE", path = one } end,
}

return function(name, base, id, ops, more)
  local one = base .. "/{" .. id .. "}"
  local endpoints = {}
  for _, op in ipairs(ops) do
    local shape = SHAPES[op]
    if not shape then error("mailersend.resources." .. name .. ": unknown operation " .. op, 2) end
    local ep = shape(base, one)
    ep.name = op
    endpoints[#endpoints + 1] = ep
  end
  for _, ep in ipairs(more or {}) do endpoints[#endpoints + 1] = ep end
  return { name = name, endpoints = endpoints }
end
