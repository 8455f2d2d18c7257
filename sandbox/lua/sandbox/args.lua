-- Reading a request's parameters: form fields, then JSON body, then query.
local type = type

local _M = {}

local function first(v)
  if type(v) == "table" then return v[1] end
  if v == true then return "" end
  return v
end

-- The first value of a parameter (string) or nil.
function _M.get(ctx, name)
  local b = ctx.body
  local v = b.fields[name]
  if v ~= nil then return first(v) end
  if type(b.json) == "table" and b.json[name] ~= nil then
    local j = b.json[name]
    if type(j) == "table" then return j end
    if type(j) == "boolean" then return j and "true" or "false" end
    return j
  end
  return first(ctx.query[name])
end

-- Every value of a repeatable parameter (list of strings).
function _M.all(ctx, name)
  local b = ctx.body
  local v = b.fields[name]
  if v == nil and type(b.json) == "table" then v = b.json[name] end
  if v == nil then v = ctx.query[name] end
  if v == nil then return {} end
  if type(v) == "table" then return v end
  return { v }
end

return _M
