-- Used by the mailersend_* examples: the MailerSend base URL is
-- MAILERSEND_BASE_URL, or else the bundled sandbox (bin/mailgun-sandbox),
-- started for this run and stopped by exit(). Not an example itself.
local _M = {}

local started -- {pidfile=, bin=} when this run started a sandbox

local function own_pid()
  local f = io.open("/proc/self/stat", "r")
  if not f then return nil end
  local pid = f:read("*l"):match("^(%d+)")
  f:close()
  return pid
end

function _M.base_url()
  local url = os.getenv("MAILERSEND_BASE_URL")
  if url then return url end
  local root = (arg and arg[0] and arg[0]:match("^(.*)/examples/[^/]+$")) or "."
  local bin = root .. "/bin/mailgun-sandbox"
  local pidfile = os.tmpname()
  os.remove(pidfile)
  -- --watch-pid: the sandbox also stops itself when this process is gone
  local cmd = bin .. " --daemon --quiet --pid-file " .. pidfile
  local pid = own_pid()
  if pid then cmd = cmd .. " --watch-pid " .. pid end
  local p = assert(io.popen(cmd .. " 2>&1", "r"))
  local out = p:read("*a")
  p:close()
  local base = out:match("(http://[%w%.%-]+:%d+)")
  if not base then error("could not start the sandbox (set MAILERSEND_BASE_URL):\n" .. out, 2) end
  started = { pidfile = pidfile, bin = bin }
  io.stderr:write("no MAILERSEND_BASE_URL: using the bundled sandbox at ", base, "\n")
  return base .. "/v1"
end

-- Stops the sandbox this run started (if any), then exits with code.
function _M.exit(code)
  if started then
    os.execute(started.bin .. " --stop --pid-file " .. started.pidfile .. " >/dev/null 2>&1")
    os.remove(started.pidfile)
    started = nil
  end
  os.exit(code)
end

return _M
