-- Stop the sandbox when the process that started it is gone (the spec
-- helper passes its own pid): a timer checks /proc/PID every second and
-- sends SIGQUIT to the nginx master.
local ffi = require("ffi")

local io_open, tonumber = io.open, tonumber

local _M = {}

ffi.cdef [[ int kill(int pid, int sig); ]]

local SIGQUIT = 3

local function alive(pid)
  local f = io_open("/proc/" .. pid .. "/stat", "rb")
  if not f then return false end
  local stat = f:read("*l") or ""
  f:close()
  -- a zombie is gone for our purposes
  local state = stat:match("^%d+ %b() (%a)")
  return state ~= "Z" and state ~= "X"
end

function _M.start(pid)
  pid = tonumber(pid)
  if not pid or pid <= 1 then return end
  local function check(premature)
    if premature then return end
    if not alive(pid) then
      local master = require("ngx.process").get_master_pid()
      ngx.log(ngx.NOTICE, "sandbox: watched process ", pid, " is gone, stopping")
      if master then ffi.C.kill(master, SIGQUIT) end
      return
    end
    ngx.timer.at(1, check)
  end
  ngx.timer.at(1, check)
end

return _M
