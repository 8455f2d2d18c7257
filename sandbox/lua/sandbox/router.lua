-- A tiny method + path router. Paths use the specs' placeholder form
-- ("/v3/{domain}/messages"); a placeholder matches one segment, except a
-- trailing "{name*}" that matches the rest of the path.
local setmetatable, ipairs, pairs = setmetatable, ipairs, pairs

local _M = {}
local Router = {}
Router.__index = Router

function _M.new()
  return setmetatable({ routes = {} }, Router)
end

local function compile(path)
  local names, parts = {}, {}
  for seg in path:gmatch("[^/]+") do
    local rest = seg:match("^{([^}]+)%*}$")
    local one = seg:match("^{([^}]+)}$")
    if rest then
      names[#names + 1] = rest
      parts[#parts + 1] = "(.+)"
    elseif one then
      names[#names + 1] = one
      parts[#parts + 1] = "([^/]+)"
    else
      parts[#parts + 1] = (seg:gsub("[%-%.%+%[%]%(%)%$%^%%%?%*]", "%%%0"))
    end
  end
  return "^/" .. table.concat(parts, "/") .. "$", names
end
_M.compile = compile

-- method may be "*" for any method; fixed: params every match carries.
function Router:add(method, path, handler, fixed)
  local pat, names = compile(path)
  self.routes[#self.routes + 1] = { method = method, path = path, pat = pat, names = names,
    handler = handler, fixed = fixed }
  return self
end

-- -> handler, params, route | nil, path_matched (true when only the method differs)
function Router:match(method, path)
  local path_matched = false
  for _, r in ipairs(self.routes) do
    local caps = { path:match(r.pat) }
    if caps[1] ~= nil or (#r.names == 0 and path:match(r.pat)) then
      if r.method == method or r.method == "*" then
        local params = {}
        for k, v in pairs(r.fixed or {}) do params[k] = v end
        for i, name in ipairs(r.names) do params[name] = ngx.unescape_uri(caps[i]) end
        return r.handler, params, r
      end
      path_matched = true
    end
  end
  return nil, path_matched
end

return _M
