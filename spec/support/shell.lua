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

-- A throw-away self-signed EC certificate (cert.pem, key.pem in dir).
-- san: "DNS:localhost", "IP:127.0.0.1" ...
function M.certificate(dir, cn, san, env)
  assert(M.execute((env or "") .. "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
    .. " -nodes -keyout '" .. dir .. "/key.pem' -out '" .. dir .. "/cert.pem'"
    .. " -subj /CN=" .. cn .. " -addext subjectAltName=" .. san .. " -days 2"
    .. " >/dev/null 2>&1"), "openssl could not make a certificate")
end

-- Starts `nginx` with the config config_for(port) returns, on a random free
-- port of 127.0.0.1 (20 tries); pid ${prefix}/nginx.pid, logs in prefix.
-- -> port, pid once the port answers.
function M.start_nginx(nginx, prefix, config_for)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  for _ = 1, 20 do
    local port = math.random(20000, 60000)
    M.write_file(prefix .. "/nginx.conf", config_for(port))
    if M.execute(nginx .. " -p '" .. prefix .. "' -c '" .. prefix .. "/nginx.conf' -e '"
        .. prefix .. "/error.log' 2>>'" .. prefix .. "/start.log'") then
      local pid
      for _ = 1, 100 do
        pid = tonumber(M.read_file(prefix .. "/nginx.pid") or "")
        if pid then break end
        M.execute("sleep 0.02")
      end
      assert(pid, "nginx wrote no pid file")
      for _ = 1, 100 do
        if M.execute("bash -c 'exec 3<>/dev/tcp/127.0.0.1/" .. port .. "' 2>/dev/null") then break end
        M.execute("sleep 0.02")
      end
      return port, pid
    end
  end
  error("could not start nginx: " .. (M.read_file(prefix .. "/start.log") or "?"))
end

return M
