-- Representative arguments for any endpoint, built from the reference's wire
-- facts (lua/<provider>/resources/_reference.lua): every path value, every
-- required parameter and field, each of the type and enum the API declares.
local _M = {}

local function text_for(name, f)
  if f and f.enum then return f.enum[1] end
  local n = name:lower()
  if n:find("domain") then return "sandbox.test" end
  if n:find("email") or n:find("address") or n == "to" or n == "from" or n:find("recipient") then
    return "ann@sandbox.test"
  end
  if n:find("url") then return "https://hooks.example.com/x" end
  if n:find("ip") and not n:find("pool") and not n:find("description") then return "127.0.0.1" end
  if n:find("time") or n:find("date") or n == "start" or n == "end" then
    return "Mon, 01 Dec 2026 10:00:00 +0000"
  end
  return "x-" .. name
end

-- One value of the declared type.
function _M.value(name, f)
  local t = f and f.type or "string"
  if f and f.file then return { data = "address\nann@sandbox.test\n", filename = name .. ".csv" } end
  if t == "integer" or t == "number" then return f.min or 1 end
  if t == "boolean" then return true end
  if t == "object" then return { key = "value" } end
  if t == "array" then
    local item = f.items == "integer" and 1 or f.items == "object" and { key = "value" }
      or text_for(name, { enum = f.enum })
    return { item }
  end
  return text_for(name, f)
end

local function add_required(params, fields, all)
  for name, f in pairs(fields or {}) do
    if (f.required or all) and params[name] == nil and f.at ~= "path" then
      params[name] = _M.value(name, f)
    end
  end
end

-- params for ep ({method, path, ...}) given its facts (or nil); all: every
-- declared parameter and field, not only the required ones.
function _M.params(ep, facts, all)
  local params = {}
  for name in ep.path:gmatch("{([^}]+)}") do
    local f = facts and facts.params and facts.params[name]
    params[name] = f and f.type == "integer" and 1 or text_for(name)
  end
  if ep.path:find("/domains/{name}", 1, true) then params.name = "sandbox.test" end
  if facts then
    add_required(params, facts.params, all)
    local b = facts.bodies
    local body = b and (b.json or b.form)
    if body and body.array then
      local item = {}
      add_required(item, body.fields, all)
      params = { body = { item }, domain_name = params.domain_name }
    elseif body then
      add_required(params, body.fields, all)
    end
  end
  return params
end

return _M
