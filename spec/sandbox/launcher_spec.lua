-- bin/mailgun-sandbox itself: daemon start/stop, options, watchdog.
local sandbox = require("support.sandbox")

local LAUNCHER = "bin/mailgun-sandbox"

local function run(args)
  local p = assert(io.popen(LAUNCHER .. " " .. args .. " 2>&1"))
  local out = p:read("a")
  local ok, _, code = p:close()
  return out, ok and 0 or code
end

local function alive(pid)
  local f = io.open("/proc/" .. pid .. "/stat")
  if not f then return false end
  local state = f:read("l"):match("^%d+ %b() (%a)")
  f:close()
  return state ~= "Z"
end

local function read(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function wait_gone(pid, seconds)
  return sandbox.wait(function() return not alive(pid) end, seconds)
end

describe("sandbox: launcher", function()
  it("prints its usage", function()
    local out, code = run("--help")
    assert.equal(0, code)
    assert.matches("%-%-pid%-file", out)
    local _, bad = run("--bogus")
    assert.is_not.equal(0, bad)
  end)

  it("starts a daemon with keys, domains and a token, and stops it by pid file", function()
    local pidfile = os.tmpname()
    os.remove(pidfile)
    local out, code = run("--daemon --quiet --pid-file " .. pidfile .. " --mailgun-key key-a"
      .. " --domain one.test --domain two.test --mailersend-token tok-a --rate-limit 50")
    assert.equal(0, code, out)
    local url = out:match("(http://127%.0%.0%.1:%d+)")
    assert.truthy(url, out)
    local pid = assert(tonumber(read(pidfile)))
    local prefix = read("/proc/" .. pid .. "/cmdline"):match("%-p[%s\0]([^%s\0]+)")
    assert.truthy(prefix)
    local res = sandbox.request({ url = url .. "/v4/domains", auth = sandbox.basic("api", "key-a") })
    assert.equal(200, res.status)
    assert.equal(2, res.json.total_count)
    res = sandbox.request({ url = url .. "/v4/domains", auth = sandbox.basic("api", "key-sandbox") })
    assert.equal(401, res.status)
    res = sandbox.request({ url = url .. "/v1/domains", auth = "Bearer tok-a" })
    assert.equal(200, res.status)
    assert.equal("50", res.headers["x-ratelimit-limit"])
    local _, stop = run("--stop --pid-file " .. pidfile)
    assert.equal(0, stop)
    assert.truthy(wait_gone(pid, 5))
    assert.is_nil(io.open(prefix .. "/conf/nginx.conf"), "temp prefix removed")
  end)

  it("listens on a given port and prefix", function()
    local dir = os.tmpname()
    os.remove(dir)
    local pidfile = dir .. ".pid"
    -- a port from a first run, reused (free again once stopped)
    local out = run("--daemon --quiet --pid-file " .. pidfile)
    local port = assert(out:match(":(%d+)"))
    run("--stop --pid-file " .. pidfile)
    out = run("--daemon --quiet --port " .. port .. " --prefix " .. dir .. " --pid-file " .. pidfile)
    assert.equal("http://127.0.0.1:" .. port, out:match("(http://%S+)"))
    assert.truthy(read(dir .. "/conf/nginx.conf"):find("listen 127.0.0.1:" .. port, 1, true))
    run("--stop --pid-file " .. pidfile)
    assert.truthy(read(dir .. "/conf/nginx.conf"), "a given prefix is kept")
    os.execute("rm -rf '" .. dir .. "'")
  end)

  it("stops by itself when the watched process is gone", function()
    local p = io.popen("sleep 2 >/dev/null & echo $!")
    local watched = p:read("l")
    p:close()
    local pidfile = os.tmpname()
    os.remove(pidfile)
    local out, code = run("--daemon --quiet --pid-file " .. pidfile .. " --watch-pid " .. watched)
    assert.equal(0, code, out)
    local pid = assert(tonumber(read(pidfile)))
    assert.is_true(alive(pid))
    assert.truthy(wait_gone(pid, 8), "nginx still running after its watched process ended")
  end)

  it("stops a foreground sandbox on SIGTERM", function()
    local log = os.tmpname()
    os.execute(LAUNCHER .. " --quiet > " .. log .. " 2>&1 & echo $! > " .. log .. ".pid")
    local launcher = tonumber(sandbox.wait(function() return read(log .. ".pid") end))
    local url = sandbox.wait(function() return (read(log) or ""):match("(http://%S+)") end, 30)
    assert.truthy(url)
    assert.equal(200, sandbox.request({ url = url .. "/sandbox" }).status)
    os.execute("kill -TERM " .. launcher)
    assert.truthy(wait_gone(launcher, 5))
    local res = sandbox.request({ url = url .. "/sandbox", raw_errors = true, fresh = true })
    assert.is_nil(res)
    os.remove(log)
    os.remove(log .. ".pid")
  end)
end)
