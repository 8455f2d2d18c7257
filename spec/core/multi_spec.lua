-- core.multi: parallel transfers, poll that never blocks longer than
-- asked, wait, cancel, pending, connection reuse and lifetimes.
local core = require "mailgun.core"
local cjson = require "cjson"
local servers = require "support.core_server"

local now = servers.now
local SLACK = servers.slack

describe("core.multi", function()
  local server, control

  setup(function()
    server = servers.start()
    control = core.session()
  end)

  teardown(function()
    control:close()
    server:stop()
  end)

  local function stats()
    return cjson.decode(control:request{ url = server.url .. "/stats" }.body)
  end

  local function reset()
    control:request{ url = server.url .. "/reset" }
  end

  local function by_id(completions)
    local map = {}
    for _, c in ipairs(completions) do
      assert.is_nil(map[c.id])
      map[c.id] = c
    end
    return map
  end

  it("runs 8 transfers in parallel", function()
    reset()
    local multi = core.multi{ max_connections = 8 }
    local ids = {}
    local t0 = now()
    for i = 1, 8 do
      ids[i] = multi:add{ url = server.url .. "/sleep?ms=400&i=" .. i }
    end
    assert.are.equal(8, multi:pending())
    local done = multi:wait()
    local elapsed = now() - t0
    assert.are.equal(8, #done)
    assert.are.equal(0, multi:pending())
    local map = by_id(done)
    for i = 1, 8 do
      local c = map[ids[i]]
      assert.is_nil(c.err)
      assert.are.equal(200, c.res.status)
      assert.are.equal("slept 400", c.res.body)
    end
    -- one after another it would take 3.2 s
    assert.is_true(elapsed < 1.6 * SLACK, "took " .. elapsed .. " s")
    assert.are.equal(8, stats().connections)
    multi:close()
  end)

  it("never has more than max_connections connections and reuses them", function()
    reset()
    local multi = core.multi{ max_connections = 2 }
    for i = 1, 100 do
      multi:add{ url = server.url .. "/echo?i=" .. i, method = "POST", body = "n" .. i }
    end
    local done = multi:wait()
    assert.are.equal(100, #done)
    local used = {}
    for _, c in ipairs(done) do
      assert.are.equal(200, c.res.status)
      local got = cjson.decode(c.res.body)
      assert.are.equal("n" .. got.args:match("i=(%d+)"), got.body)
      used[got.connection] = true
    end
    local s = stats()
    assert.are.equal(100, s.requests)
    assert.is_true(s.connections <= 2, s.connections .. " connections")
    -- the connections stay open for the next batch
    for _ = 1, 20 do multi:add{ url = server.url .. "/echo" } end
    local again = multi:wait()
    assert.are.equal(20, #again)
    for _, c in ipairs(again) do
      assert.is_true(used[cjson.decode(c.res.body).connection])
    end
    multi:close()
  end)

  it("poll(0) does not block and poll(ms) waits at most ms", function()
    local multi = core.multi()
    local id = multi:add{ url = server.url .. "/sleep?ms=600" }
    local t0 = now()
    local got = multi:poll(0)
    assert.is_true(now() - t0 < 0.1 * SLACK)
    assert.are.same({}, got)
    t0 = now()
    got = multi:poll(150)
    local waited = now() - t0
    assert.are.same({}, got)
    assert.is_true(waited >= 0.12 and waited < 0.4 * SLACK, "waited " .. waited .. " s")
    local all = {}
    local polls = 0
    while multi:pending() > 0 do
      for _, c in ipairs(multi:poll(50)) do all[#all + 1] = c end
      polls = polls + 1
      assert.is_true(polls < 200)
    end
    assert.are.equal(1, #all)
    assert.are.equal(id, all[1].id)
    assert.are.equal(200, all[1].res.status)
    assert.is_true(polls > 2)
    multi:close()
  end)

  it("poll returns as soon as something finished", function()
    local multi = core.multi()
    multi:add{ url = server.url .. "/sleep?ms=50" }
    multi:add{ url = server.url .. "/sleep?ms=2000" }
    local t0 = now()
    local got = multi:poll(5000)
    assert.are.equal(1, #got)
    assert.is_true(now() - t0 < 1.0 * SLACK)
    assert.are.equal(1, multi:pending())
    multi:close()
  end)

  it("poll with nothing pending returns at once", function()
    local multi = core.multi()
    local t0 = now()
    assert.are.same({}, multi:poll(1000))
    assert.are.same({}, multi:wait())
    assert.is_true(now() - t0 < 0.5 * SLACK)
    multi:close()
  end)

  it("reports failures per transfer", function()
    local multi = core.multi{ timeout = 300 }
    local refused = multi:add{ url = "http://127.0.0.1:1/" }
    local slow = multi:add{ url = server.url .. "/sleep?ms=3000" }
    local fine = multi:add{ url = server.url .. "/echo" }
    local capped = core.multi{ max_body = 10 }
    local big = capped:add{ url = server.url .. "/big?n=100" }
    local map = by_id(multi:wait())
    assert.are.equal("connect", map[refused].err)
    assert.are.equal(7, map[refused].code)
    assert.is_string(map[refused].detail)
    assert.is_nil(map[refused].res)
    assert.are.equal("timeout", map[slow].err)
    assert.are.equal(200, map[fine].res.status)
    local c = capped:wait()[1]
    assert.are.equal(big, c.id)
    assert.are.equal("too_large", c.err)
    multi:close()
    capped:close()
  end)

  it("cancels queued and running transfers", function()
    local multi = core.multi{ max_connections = 1 }
    local running = multi:add{ url = server.url .. "/sleep?ms=2000" }
    local queued = multi:add{ url = server.url .. "/sleep?ms=2000" }
    local kept = multi:add{ url = server.url .. "/echo" }
    multi:poll(50)
    assert.are.equal(3, multi:pending())
    assert.is_true(multi:cancel(queued))
    assert.is_false(multi:cancel(queued))
    assert.is_true(multi:cancel(running))
    assert.is_false(multi:cancel(12345))
    assert.are.equal(1, multi:pending())
    local t0 = now()
    local done = multi:wait()
    assert.is_true(now() - t0 < 1.0 * SLACK)
    assert.are.equal(1, #done)
    assert.are.equal(kept, done[1].id)
    multi:close()
  end)

  it("sends forms and keeps bodies pinned while they run", function()
    local multi = core.multi{ max_connections = 4 }
    local ids = {}
    for i = 1, 16 do
      local form = core.form()
      form:field("i", tostring(i))
      form:data("blob", ("b"):rep(10000 + i), { filename = "b.bin" })
      ids[i] = multi:add{ method = "POST", url = server.url .. "/echo?form=" .. i, form = form }
      if i % 2 == 0 then form:close() end   -- the transfer keeps its own reference
      assert.has_error(function() form:field("late", "x") end)
    end
    for i = 1, 16 do
      multi:add{ method = "PUT", url = server.url .. "/echo?body=" .. i,
                 body = ("p"):rep(1000) .. i }
    end
    collectgarbage("collect")
    collectgarbage("collect")
    local done = multi:wait()
    assert.are.equal(32, #done)
    local map = by_id(done)
    for i = 1, 16 do assert.truthy(map[ids[i]]) end
    for _, c in ipairs(done) do
      assert.are.equal(200, c.res.status, c.err)
      local got = cjson.decode(c.res.body)
      local f = got.args:match("form=(%d+)")
      if f then
        assert.are.equal(f, got.parts[1].data)
        assert.are.equal(10000 + tonumber(f), got.parts[2].size)
      else
        assert.are.equal(("p"):rep(1000) .. got.args:match("body=(%d+)"), got.body)
      end
    end
    multi:close()
  end)

  it("runs transfers over HTTP/2 with TLS", function()
    local multi = core.multi{ cafile = server.cafile, max_connections = 2 }
    for i = 1, 10 do
      multi:add{ method = "POST", url = server.tls_url .. "/echo", body = "h2 " .. i }
    end
    local done = multi:wait()
    assert.are.equal(10, #done)
    for _, c in ipairs(done) do
      assert(c.res, c.detail)
      local got = cjson.decode(c.res.body)
      assert.are.equal("HTTP/2.0", got.protocol)
      assert.truthy(got.body:match("^h2 %d+$"))
    end
    multi:close()
  end)

  it("gives increasing ids and raises on bad requests without losing others", function()
    local multi = core.multi()
    local a = multi:add{ url = server.url .. "/echo" }
    assert.has_error(function() multi:add{ url = 42 } end)
    assert.has_error(function() multi:add{ url = "http://x", headers = { ["A"] = "\n" } } end)
    local b = multi:add{ url = server.url .. "/echo" }
    assert.is_true(b > a)
    assert.are.equal(2, #multi:wait())
    multi:close()
  end)

  it("raises on bad options", function()
    assert.has_error(function() core.multi{ max_connections = 0 } end)
    assert.has_error(function() core.multi{ max_connections = "8" } end)
    assert.has_error(function() core.multi{ timeout = {} } end)
    assert.has_error(function() core.multi():poll(-1) end)
  end)

  describe("lifetime", function()
    it("closes idempotently, also with transfers running", function()
      local multi = core.multi()
      for _ = 1, 4 do multi:add{ url = server.url .. "/sleep?ms=1000" } end
      multi:poll(20)
      multi:close()
      multi:close()
      getmetatable(multi).__gc(multi)
      getmetatable(multi).__close(multi)
      assert.truthy(tostring(multi):find("closed", 1, true))
      assert.has_error(function() multi:add{ url = server.url .. "/echo" } end)
      assert.has_error(function() multi:poll(0) end)
      assert.has_error(function() multi:pending() end)
    end)

    it("is collected with transfers queued and running", function()
      for _ = 1, 20 do
        local multi = core.multi{ max_connections = 2 }
        for _ = 1, 5 do
          local form = core.form()
          form:field("a", "b")
          multi:add{ method = "POST", url = server.url .. "/sleep?ms=500", form = form }
        end
        multi:poll(0)
      end
      collectgarbage("collect")
      collectgarbage("collect")
      assert.are.equal(200, control:request{ url = server.url .. "/echo" }.status)
    end)
  end)
end)
