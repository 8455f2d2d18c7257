-- busted helper (named in .busted): make spec/support/* requirable as
-- "support.x" whatever the working directory's package.path holds.
if not package.path:find("spec/?.lua", 1, true) then
  package.path = "spec/?.lua;" .. package.path
end

-- The reference as the oracle (sandbox/lua/sandbox/oracle.lua): after every
-- test that ran while a sandbox was up, the requests it sent that broke the
-- API reference fail that test. support.sandbox fills oracle.url.
local oracle = { url = nil }
package.loaded["support.oracle"] = oracle

local function violations_since()
  local core = require("mailgun.core")
  local cjson = require("cjson.safe")
  local s = core.session({ timeout = 10000 })
  local res = s:request({ method = "GET", url = oracle.url .. "/sandbox/violations" })
  local items = res and res.status == 200 and (cjson.decode(res.body) or {}).items or {}
  if items[1] then s:request({ method = "DELETE", url = oracle.url .. "/sandbox/violations" }) end
  s:close()
  return items
end

local ok, busted = pcall(require, "busted")
if ok and busted.subscribe then
  busted.subscribe({ "test", "start" }, function(element)
    local run = element.run
    if type(run) ~= "function" or element.oracle_wrapped then return nil, true end
    element.oracle_wrapped = true
    element.run = function(...)
      local ok_run, err = pcall(run, ...)
      if not oracle.url then
        if not ok_run then error(err, 0) end
        return
      end
      local items = violations_since() -- cleared even when the test failed
      if not ok_run then error(err, 0) end
      if items[1] then
        local lines = {}
        for i, v in ipairs(items) do
          lines[i] = v.method .. " " .. v.path .. ": " .. table.concat(v.problems, "; ")
        end
        error("requests that break the API reference:\n  " .. table.concat(lines, "\n  "), 0)
      end
    end
    return nil, true
  end)
end
