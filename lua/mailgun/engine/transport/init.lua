-- Picks the transport for where the code runs: OpenResty cosockets inside an
-- nginx request or timer, the C core's libcurl session everywhere else.
local _M = {}

local function in_nginx()
  local ngx = rawget(_G, "ngx")
  if type(ngx) ~= "table" or not ngx.get_phase then return false end
  return true
end

function _M.default(opts)
  if in_nginx() then
    return require("mailgun.engine.transport.resty").new(opts)
  end
  return require("mailgun.engine.transport.curl").new(opts)
end

return _M
