-- Small process and file helpers shared by the fixture-server launchers
-- (Lua 5.4 and LuaJIT).
local M = {}

function M.execute(command)
  local ok, how, code = os.execute(command)
  if type(ok) == "number" then return ok == 0 end -- Lua 5.1
  return ok == true and how == "exit" and code == 0
end

-- Runs a shell command; returns its output (stdout and stderr) and exit code.
function M.capture(command)
  local p = assert(io.popen("(" .. command .. ") 2>&1; echo \"exit=$?\""))
  local out = p:read("*a")
  p:close()
  local code = tonumber(out:match("exit=(%d+)%s*$"))
  return (out:gsub("exit=%d+%s*$", "")), code
end

function M.read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local data = f:read("*a")
  f:close()
  return data
end

function M.write_file(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

function M.cwd()
  local p = assert(io.popen("pwd"))
  local dir = p:read("*l")
  p:close()
  return dir
end

return M
