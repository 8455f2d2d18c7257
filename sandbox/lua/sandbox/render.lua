-- Text substitution: Mailgun %recipient.x% and {{var}} (Handlebars /
-- Twig-like: {{ var }}, {{{var}}}, dotted paths, {{#if x}}..{{else}}..{{/if}}).
local type, tostring, gsub = type, tostring, string.gsub

local _M = {}

-- vars.a.b for "a.b"
local function lookup(vars, path)
  local v = vars
  for part in path:gmatch("[^%.]+") do
    if type(v) ~= "table" then return nil end
    v = v[part]
  end
  return v
end

_M.lookup = lookup

local function str(v)
  if v == nil or v == ngx.null then return "" end
  if type(v) == "table" then return "" end
  return tostring(v)
end

function _M.recipient(s, vars, address)
  if type(s) ~= "string" then return s end
  vars = vars or {}
  s = gsub(s, "%%recipient%.([%w_%-%.]+)%%", function(k) return str(lookup(vars, k)) end)
  s = gsub(s, "%%recipient%%", function() return address or "" end)
  return s
end

local function truthy(v)
  return v ~= nil and v ~= false and v ~= "" and v ~= 0 and v ~= ngx.null
end

function _M.handlebars(s, vars)
  if type(s) ~= "string" then return s end
  vars = vars or {}
  -- {{#if x}}a{{else}}b{{/if}} (not nested)
  s = gsub(s, "{{#if%s+([%w_%.]+)%s*}}(.-){{/if}}", function(k, inner)
    local yes, no = inner:match("^(.-){{else}}(.*)$")
    if not yes then yes, no = inner, "" end
    return truthy(lookup(vars, k)) and yes or no
  end)
  s = gsub(s, "{{{%s*([%w_%.%-]+)%s*}}}", function(k) return str(lookup(vars, k)) end)
  s = gsub(s, "{{%s*([%w_%.%-]+)%s*}}", function(k) return str(lookup(vars, k)) end)
  return s
end

return _M
