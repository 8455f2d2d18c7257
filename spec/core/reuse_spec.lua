-- One easy handle carries requests of every kind one after another: the
-- core resets it only when a request's kind differs from the last one's,
-- so nothing of a request may leak into the next (its method, body, form
-- sent whole or streamed, timeout, HEAD). Every ordered pair of kinds, on a session and on a
-- multi of one connection, against the echo server (an independent
-- multipart parser reads the forms).
local core = require "mailgun.core"
local cjson = require "cjson"
local servers = require "support.core_server"

local FILE, FILE_DATA = os.tmpname(), ("file part bytes\n"):rep(100)
do
  local f = assert(io.open(FILE, "wb"))
  f:write(FILE_DATA)
  f:close()
end

-- name -> function(url) -> request, check(got, res)
local KINDS = {
  get = function(url)
    return { url = url }, function(got)
      assert.are.equal("GET", got.method)
      assert.are.equal(0, got.body_size)
    end
  end,
  get_body = function(url)
    return { url = url, method = "GET", body = "get body" }, function(got)
      assert.are.equal("GET", got.method)
      assert.are.equal("get body", got.body)
    end
  end,
  post = function(url)
    return { url = url, method = "POST", body = '{"a":1}', headers = { ["content-type"] = "application/json" } },
      function(got)
        assert.are.equal("POST", got.method)
        assert.are.equal('{"a":1}', got.body)
      end
  end,
  post_once = function(url)
    return { url = url, method = "POST", body = "once body", once = true }, function(got)
      assert.are.equal("POST", got.method)
      assert.are.equal("once body", got.body)
    end
  end,
  post_empty = function(url)
    return { url = url, method = "POST" }, function(got)
      assert.are.equal("POST", got.method)
      assert.are.equal(0, got.body_size)
    end
  end,
  form = function(url)
    local form = core.form()
    form:field("to", "a@example.com")
    form:field("text", "hello")
    return { url = url, method = "POST", form = form, once = true }, function(got)
      assert.are.equal("POST", got.method)
      assert.is_nil(got.multipart_error)
      assert.are.equal(2, #got.parts)
      assert.are.equal("text", got.parts[2].name)
      assert.are.equal("hello", got.parts[2].data)
    end
  end,
  -- a file part: streamed through the read callback (a small form
  -- without one goes whole, as POSTFIELDS)
  form_file = function(url)
    local form = core.form()
    form:field("to", "a@example.com")
    assert(form:file("attachment", FILE, { filename = "a.txt", content_type = "text/plain" }))
    return { url = url, method = "POST", form = form, once = true }, function(got)
      assert.are.equal("POST", got.method)
      assert.is_nil(got.multipart_error)
      assert.are.equal(2, #got.parts)
      assert.are.equal("a.txt", got.parts[2].filename)
      assert.are.equal(FILE_DATA, got.parts[2].data)
    end
  end,
  put_once = function(url)
    return { url = url, method = "PUT", body = "put body", once = true }, function(got)
      assert.are.equal("PUT", got.method)
      assert.are.equal("put body", got.body)
    end
  end,
  delete = function(url)
    return { url = url, method = "DELETE" }, function(got)
      assert.are.equal("DELETE", got.method)
      assert.are.equal(0, got.body_size)
    end
  end,
  propfind = function(url)
    return { url = url, method = "PROPFIND", body = "<x/>", timeout = 5000 }, function(got)
      assert.are.equal("PROPFIND", got.method)
      assert.are.equal("<x/>", got.body)
    end
  end,
  head = function(url)
    return { url = url, method = "HEAD" }, function(_, res)
      assert.are.equal("", res.body)
    end
  end,
}
local NAMES = {}
for name in pairs(KINDS) do NAMES[#NAMES + 1] = name end
table.sort(NAMES)

-- a then b for every ordered pair of kinds (a, b), as one sequence
local function sequence()
  local seq = {}
  for _, a in ipairs(NAMES) do
    for _, b in ipairs(NAMES) do
      seq[#seq + 1] = a
      seq[#seq + 1] = b
    end
  end
  return seq
end

local function check(name, check_fn, res, err, code, detail)
  assert(res, name .. ": " .. tostring(err) .. " " .. tostring(code) .. " " .. tostring(detail))
  assert.are.equal(200, res.status, name)
  check_fn(res.body ~= "" and cjson.decode(res.body) or nil, res)
end

describe("core: one handle, requests of every kind in turn", function()
  local server

  setup(function() server = servers.start() end)
  teardown(function()
    server:stop()
    os.remove(FILE)
  end)

  it("a session sends each kind right after each other kind", function()
    local session = core.session{ timeout = 10000 }
    for i, name in ipairs(sequence()) do
      local req, check_fn = KINDS[name](server.url .. "/echo?i=" .. i)
      check(name, check_fn, session:request(req))
      if req.form then req.form:close() end
    end
    session:close()
  end)

  it("a multi of one connection does the same with its pooled handle", function()
    local multi = core.multi{ max_connections = 1 }
    for i, name in ipairs(sequence()) do
      local req, check_fn = KINDS[name](server.url .. "/echo?i=" .. i)
      local id = multi:add(req)
      local done
      while not done do
        for _, c in ipairs(multi:poll(1000)) do
          assert.are.equal(id, c.id)
          check(name, check_fn, c.res, c.err, c.code, c.detail)
          done = true
        end
      end
      if req.form then req.form:close() end
    end
    multi:close()
  end)
end)
