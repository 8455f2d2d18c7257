-- once = true: a request goes out on the wire at most once, even when
-- libcurl would resend it on a fresh connection because a reused
-- keep-alive connection died after the server had read it; and every
-- transport failure says whether the request may have reached the server
-- (sent).  Against spec/core/raw_server.py, a raw server on 127.0.0.1
-- that reads /drop requests fully, then closes without answering.
local core = require "mailgun.core"
local shell = require "support.shell"

local execute, read_file = shell.execute, shell.read_file

local function start_server()
  local dir = os.tmpname()
  os.remove(dir)
  assert(execute("mkdir -p '" .. dir .. "'"))
  local log, portfile = dir .. "/requests.log", dir .. "/port"
  local pipe = assert(io.popen("env -u LD_PRELOAD /usr/bin/python3 spec/core/raw_server.py '"
    .. log .. "' '" .. portfile .. "' >'" .. dir .. "/stderr' 2>&1 & echo $!"))
  local pid = tonumber(pipe:read("*l"))
  pipe:close()
  local port
  for _ = 1, 250 do
    port = tonumber(read_file(portfile) or "")
    if port then break end
    execute("sleep 0.02")
  end
  assert(port, "raw_server.py did not start: " .. (read_file(dir .. "/stderr") or "?"))
  return {
    url = "http://127.0.0.1:" .. port, port = port, pid = pid,
    -- how many requests for `path` the server has read completely
    seen = function(_, path)
      local n = 0
      for line in (read_file(log) or ""):gmatch("[^\n]+") do
        if line:match("^%S+ (%S+)") == path then n = n + 1 end
      end
      return n
    end,
    stop = function()
      execute("kill " .. pid .. " 2>/dev/null")
      execute("rm -rf '" .. dir .. "'")
    end,
  }
end

describe("core once = true and sent", function()
  local server, session

  setup(function()
    server = start_server()
  end)

  teardown(function()
    server:stop()
  end)

  before_each(function()
    session = core.session{ timeout = 10000 }
  end)

  after_each(function()
    session:close()
  end)

  -- a first request leaves a keep-alive connection for the next one
  local function warm(s)
    local res, err = s:request{ url = server.url .. "/ok" }
    assert(res, err)
    assert.are.equal(200, res.status)
  end

  it("without once, libcurl resends on a fresh connection (the hazard)", function()
    warm(session)
    local res = session:request{ url = server.url .. "/drop-plain", method = "POST", body = "x" }
    assert.is_nil(res)
    assert.are.equal(2, server:seen("/drop-plain"))
  end)

  it("sends a string body at most once and says it was sent", function()
    warm(session)
    local res, word, code, detail, sent = session:request{
      url = server.url .. "/drop-body", method = "POST", body = "payload", once = true }
    assert.is_nil(res)
    assert.are.equal("send", word)
    assert.are.equal("number", type(code))
    assert.are.equal("string", type(detail))
    assert.is_true(sent)
    assert.are.equal(1, server:seen("/drop-body"))
  end)

  it("sends a form at most once", function()
    warm(session)
    local form = core.form():field("a", "1"):data("f", "bytes", { filename = "f.bin" })
    local res, word, _, _, sent = session:request{
      url = server.url .. "/drop-form", method = "POST", form = form, once = true }
    assert.is_nil(res)
    assert.are.equal("send", word)
    assert.is_true(sent)
    assert.are.equal(1, server:seen("/drop-form"))
    form:close()
  end)

  it("sends requests without a body at most once", function()
    for _, method in ipairs{ "GET", "DELETE", "POST" } do
      local path = "/drop-empty-" .. method
      warm(session)
      local res, word, _, _, sent = session:request{
        url = server.url .. path, method = method, once = true }
      assert.is_nil(res)
      assert.are.equal("send", word)
      assert.is_true(sent)
      assert.are.equal(1, server:seen(path))
    end
  end)

  it("still works normally with once when nothing fails", function()
    local res = session:request{ url = server.url .. "/ok", method = "POST", body = "x", once = true }
    assert.are.equal(200, res.status)
    res = session:request{ url = server.url .. "/ok", once = true }
    assert.are.equal(200, res.status)
    assert.has_error(function() session:request{ url = server.url, once = "yes" } end)
  end)

  it("says sent = false when the connection is refused", function()
    local closed = start_server()
    closed:stop()
    execute("sleep 0.1")
    local res, word, _, _, sent = session:request{ url = closed.url .. "/x", method = "POST",
      body = "x", once = true }
    assert.is_nil(res)
    assert.are.equal("connect", word)
    assert.is_false(sent)
  end)

  it("gives multi completions the same guarantee and a sent field", function()
    local multi = core.multi{ max_connections = 1 }
    multi:add{ url = server.url .. "/ok" }
    assert.are.equal(200, multi:wait()[1].res.status)
    multi:add{ url = server.url .. "/drop-multi", method = "POST", body = "x", once = true }
    local c = multi:wait()[1]
    assert.is_nil(c.res)
    assert.are.equal("send", c.err)
    assert.is_true(c.sent)
    assert.are.equal(1, server:seen("/drop-multi"))
    multi:add{ url = "http://127.0.0.1:1/", once = true }
    c = multi:wait()[1]
    assert.are.equal("connect", c.err)
    assert.is_false(c.sent)
    multi:close()
  end)
end)
