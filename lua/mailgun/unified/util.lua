-- Small readers of decoded provider JSON, shared by the unified modules:
-- json.null counts as absent, empty strings too.
local json = require("mailgun.engine.json")

local type, tostring = type, tostring

local _M = {}

local null = json.null

function _M.val(v)
  if v == null then return nil end
  return v
end

-- A non-empty string (numbers as text), else nil.
function _M.str(v)
  if v == null then return nil end
  if type(v) == "number" then return tostring(v) end
  if type(v) ~= "string" or v == "" then return nil end
  return v
end

-- A table field, else an empty table.
function _M.tab(v)
  if type(v) == "table" then return v end
  return {}
end

return _M
