-- core.session against a real nginx on 127.0.0.1: verbs, headers both
-- ways, bodies, keep-alive, errors, the response cap, TLS, lifetimes.
local core = require "mailgun.core"
local cjson = require "cjson"
local servers = require "support.core_server"

local now = servers.now
local SLACK = servers.slack

describe("core.session", function()
  local server, session

  setup(function()
    server = servers.start()
    session = core.session{ timeout = 10000 }
  end)

  teardown(function()
    session:close()
    server:stop()
  end)

  local function echo(req)
    req.url = req.url or server.url .. "/echo"
    local res, err, code, detail = session:request(req)
    assert(res, tostring(err) .. " " .. tostring(code) .. " " .. tostring(detail))
    return res, res.body ~= "" and cjson.decode(res.body) or nil
  end

  describe("verbs", function()
    for _, method in ipairs{ "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND" } do
      it("sends " .. method .. " without a body", function()
        local res, got = echo{ method = method }
        assert.are.equal(200, res.status)
        assert.are.equal(method, got.method)
        assert.are.equal(0, got.body_size)
      end)
      it("sends " .. method .. " with a body", function()
        local res, got = echo{ method = method, body = method .. " body" }
        assert.are.equal(200, res.status)
        assert.are.equal(method, got.method)
        assert.are.equal(method .. " body", got.body)
        assert.are.equal(tostring(#(method .. " body")), got.headers["content-length"])
      end)
    end

    it("sends HEAD without reading a body", function()
      local res = session:request{ method = "HEAD", url = server.url .. "/big?n=100000" }
      assert.are.equal(200, res.status)
      assert.are.equal("", res.body)
      assert.are.equal("100000", res.headers["content-length"])
    end)

    it("defaults to GET", function()
      local _, got = echo{}
      assert.are.equal("GET", got.method)
    end)

    it("sends POST without a body as an empty body", function()
      local _, got = echo{ method = "POST" }
      assert.are.equal("0", got.headers["content-length"])
    end)

    it("keeps the query string", function()
      local _, got = echo{ url = server.url .. "/echo?a=1&b=%C3%A9" }
      assert.are.equal("a=1&b=%C3%A9", got.args)
    end)

    it("returns non-2xx statuses as responses", function()
      local res = echo{ url = server.url .. "/echo?status=404" }
      assert.are.equal(404, res.status)
      res = echo{ url = server.url .. "/echo?status=503", method = "POST", body = "x" }
      assert.are.equal(503, res.status)
    end)
  end)

  describe("bodies", function()
    it("sends binary bodies byte for byte", function()
      local bytes = {}
      for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
      local body = table.concat(bytes):rep(64)
      local _, got = echo{ method = "POST", body = body,
                           headers = { ["Content-Type"] = "application/octet-stream" } }
      assert.are.equal(#body, got.body_size)
      assert.are.equal(body, got.body)
    end)

    it("adds no Content-Type of its own to a raw body", function()
      local _, got = echo{ method = "POST", body = "{}" }
      assert.is_nil(got.headers["content-type"])
      _, got = echo{ method = "POST", body = "{}",
                     headers = { ["Content-Type"] = "application/json" } }
      assert.are.equal("application/json", got.headers["content-type"])
    end)

    it("sends no Expect: 100-continue on large bodies", function()
      local _, got = echo{ method = "PUT", body = ("x"):rep(2 * 1024 * 1024) }
      assert.is_nil(got.headers.expect)
      assert.are.equal(2 * 1024 * 1024, got.body_size)
    end)

    it("returns large response bodies whole", function()
      local res = session:request{ url = server.url .. "/big?n=3000000" }
      assert.are.equal(3000000, #res.body)
      res = session:request{ url = server.url .. "/big?n=300000&chunked=1" }
      assert.are.equal(300000, #res.body)
    end)
  end)

  describe("headers", function()
    it("sends request headers, repeated ones and numbers", function()
      local _, got = echo{ headers = {
        ["X-One"] = "1", ["X-List"] = { "a", "b", "c" }, ["X-Number"] = 42,
        ["Authorization"] = core.basic_auth("api", "key"),
      } }
      assert.are.equal("1", got.headers["x-one"])
      assert.are.same({ "a", "b", "c" }, got.headers["x-list"])
      assert.are.equal("42", got.headers["x-number"])
      assert.are.equal("Basic YXBpOmtleQ==", got.headers.authorization)
    end)

    it("sends an empty header value", function()
      local _, got = echo{ headers = { ["X-Empty"] = "" } }
      assert.are.equal("", got.headers["x-empty"])
    end)

    it("lower-cases response header names and keeps repeated ones", function()
      local res = echo{ url = server.url .. "/echo?reply_headers=1" }
      assert.are.equal("yes", res.headers["x-reply"])
      assert.are.same({ "one", "two" }, res.headers["x-multi"])
      assert.are.equal("application/json", res.headers["content-type"])
      for name in pairs(res.headers) do
        assert.are.equal(name:lower(), name)
      end
    end)

    it("goes through a proxy when given one", function()
      -- nginx answers absolute-form requests itself: the host below is
      -- never resolved, so the request can only have gone to the proxy
      local s = core.session{ proxy = server.url }
      local res, err = s:request{ url = "http://mailgun.invalid/echo?via=proxy" }
      s:close()
      assert(res, err)
      local got = cjson.decode(res.body)
      assert.are.equal("via=proxy", got.args)
      assert.are.equal("mailgun.invalid", got.headers.host)
    end)

    it("sets the user agent", function()
      local s = core.session{ user_agent = "mailgun-lua-spec/1" }
      local res = s:request{ url = server.url .. "/echo" }
      s:close()
      assert.are.equal("mailgun-lua-spec/1", cjson.decode(res.body).headers["user-agent"])
    end)
  end)

  describe("keep-alive", function()
    it("uses one TCP connection for 1,000 sequential requests", function()
      session:request{ url = server.url .. "/reset" }
      for i = 1, 1000 do
        local res = session:request{ url = server.url .. "/echo?i=" .. i,
                                     method = (i % 2 == 0) and "POST" or "GET",
                                     body = (i % 2 == 0) and "x" or nil }
        assert(res and res.status == 200)
      end
      local stats = cjson.decode(session:request{ url = server.url .. "/stats" }.body)
      assert.are.equal(1000, stats.requests)
      assert.are.equal(1, stats.connections)
    end)
  end)

  describe("failures", function()
    it("reports a refused connection as 'connect'", function()
      local res, err, code, detail = session:request{ url = "http://127.0.0.1:1/" }
      assert.is_nil(res)
      assert.are.equal("connect", err)
      assert.are.equal(7, code)
      assert.is_string(detail)
    end)

    it("reports the session timeout as 'timeout' without waiting longer", function()
      local s = core.session{ timeout = 200 }
      local t0 = now()
      local res, err, code = s:request{ url = server.url .. "/sleep?ms=3000" }
      local elapsed = now() - t0
      s:close()
      assert.is_nil(res)
      assert.are.equal("timeout", err)
      assert.are.equal(28, code)
      assert.is_true(elapsed < 1.5 * SLACK, "took " .. elapsed .. " s")
    end)

    it("lets a request's timeout override the session's", function()
      local t0 = now()
      local res, err = session:request{ url = server.url .. "/sleep?ms=3000", timeout = 150 }
      assert.is_nil(res)
      assert.are.equal("timeout", err)
      assert.is_true(now() - t0 < 1.5 * SLACK)
      res = session:request{ url = server.url .. "/sleep?ms=50", timeout = 5000 }
      assert.are.equal(200, res.status)
    end)

    it("reports a connection closed without a reply as 'closed'", function()
      local res, err, code = session:request{ url = server.url .. "/close" }
      assert.is_nil(res)
      assert.are.equal("closed", err)
      assert.are.equal(52, code)
      -- and the session goes on working
      assert.are.equal(200, echo{}.status)
    end)

    it("reports bad URLs and other schemes as 'url'", function()
      local res, err = session:request{ url = "file:///etc/passwd" }
      assert.is_nil(res)
      assert.are.equal("url", err)
      res, err = session:request{ url = "http://[::1" }
      assert.is_nil(res)
      assert.are.equal("url", err)
    end)

    it("keeps secrets of the URL out of the detail", function()
      local _, _, _, detail = session:request{ url = "http://api:s3cr3t@127.0.0.1:1/" }
      assert.is_nil(detail:find("s3cr3t", 1, true))
    end)
  end)

  describe("max_body", function()
    local capped

    setup(function() capped = core.session{ max_body = 1000 } end)
    teardown(function() capped:close() end)

    it("aborts a response announced larger than the cap", function()
      local res, err, code, detail = capped:request{ url = server.url .. "/big?n=5000" }
      assert.is_nil(res)
      assert.are.equal("too_large", err)
      assert.are.equal(23, code)
      assert.is_string(detail)
    end)

    it("aborts a chunked response that grows past the cap", function()
      local res, err = capped:request{ url = server.url .. "/big?n=50000&chunked=1" }
      assert.is_nil(res)
      assert.are.equal("too_large", err)
    end)

    it("accepts a response exactly at the cap and goes on working", function()
      local res = capped:request{ url = server.url .. "/big?n=1000" }
      assert.are.equal(1000, #res.body)
      res = capped:request{ url = server.url .. "/big?n=1000&chunked=1" }
      assert.are.equal(1000, #res.body)
    end)

    it("does not apply to HEAD", function()
      local res = capped:request{ method = "HEAD", url = server.url .. "/big?n=5000" }
      assert.are.equal(200, res.status)
    end)
  end)

  describe("TLS", function()
    it("verifies certificates by default", function()
      local s = core.session()
      local res, err = s:request{ url = server.tls_url .. "/echo" }
      s:close()
      assert.is_nil(res)
      assert.are.equal("tls", err)
    end)

    it("trusts a given cafile and speaks HTTP/2", function()
      local s = core.session{ cafile = server.cafile }
      local res, err, _, detail = s:request{ url = server.tls_url .. "/echo", method = "POST",
                                             body = "over h2" }
      s:close()
      assert(res, tostring(err) .. ": " .. tostring(detail))
      local got = cjson.decode(res.body)
      assert.are.equal("HTTP/2.0", got.protocol)
      assert.are.equal("over h2", got.body)
    end)

    it("falls back to HTTP/1.1 when http2 = false", function()
      local s = core.session{ cafile = server.cafile, http2 = false }
      local res = s:request{ url = server.tls_url .. "/echo" }
      s:close()
      assert.are.equal("HTTP/1.1", cjson.decode(res.body).protocol)
    end)

    it("skips verification only when verify = false", function()
      local s = core.session{ verify = false }
      local res = s:request{ url = server.tls_url .. "/echo" }
      s:close()
      assert.are.equal(200, res.status)
    end)
  end)

  describe("programmer errors raise, naming the argument", function()
    local function raises(pattern, f)
      local ok, err = pcall(f)
      assert.is_false(ok)
      assert.truthy(tostring(err):find(pattern, 1, true), tostring(err))
    end

    it("for the request table", function()
      raises("table expected", function() session:request("http://x") end)
      raises("url", function() session:request{} end)
      raises("method", function() session:request{ url = "http://x", method = "BAD METHOD" } end)
      raises("body", function() session:request{ url = "http://x", body = 1 > 0 } end)
      raises("at most one of body and form", function()
        session:request{ url = "http://x", body = "a", form = core.form() }
      end)
      raises("form", function() session:request{ url = "http://x", form = {} } end)
      raises("timeout", function() session:request{ url = "http://x", timeout = "1" } end)
    end)

    it("for headers", function()
      raises("CR, LF", function()
        session:request{ url = "http://x", headers = { ["X-A"] = "a\r\nX-Injected: 1" } }
      end)
      raises("not a token", function()
        session:request{ url = "http://x", headers = { ["X A"] = "a" } }
      end)
      raises("X-B", function()
        session:request{ url = "http://x", headers = { ["X-B"] = true } }
      end)
      raises("headers", function() session:request{ url = "http://x", headers = "x" } end)
    end)

    it("for options", function()
      raises("timeout", function() core.session{ timeout = "fast" } end)
      raises("verify", function() core.session{ verify = "no" } end)
      raises("proxy", function() core.session{ proxy = 1 } end)
      raises("max_body", function() core.session{ max_body = -1 } end)
    end)

    it("and the session still works afterwards", function()
      assert.are.equal(200, echo{}.status)
    end)
  end)

  describe("lifetime", function()
    it("closes idempotently through close, __close and __gc", function()
      local s = core.session()
      local mt = getmetatable(s)
      assert.are.equal(mt.__gc, mt.__close)
      assert.are.equal(mt.__gc, mt.__index.close)
      s:close()
      s:close()
      mt.__gc(s)
      mt.__close(s)
      assert.truthy(tostring(s):find("closed", 1, true))
    end)

    it("raises when a closed session is used", function()
      local s = core.session()
      s:close()
      local ok, err = pcall(s.request, s, { url = server.url .. "/echo" })
      assert.is_false(ok)
      assert.truthy(err:find("closed", 1, true))
    end)

    it("is collected without being closed, also after use", function()
      for _ = 1, 200 do
        local s = core.session()
        s:request{ url = server.url .. "/echo" }
      end
      collectgarbage("collect")
      collectgarbage("collect")
      assert.are.equal(200, echo{}.status)
    end)

    it("does not answer session methods on other userdata", function()
      local ok = pcall(getmetatable(session).__index.request, core.form(), { url = "x" })
      assert.is_false(ok)
    end)
  end)
end)
