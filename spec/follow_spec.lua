-- Event followers over the sandbox: client.logs:follow (Logs API) and
-- client.events:follow (v3 events): every event once, late events too,
-- and a restarted follower resumes from a stored cursor without gaps or
-- repeats.
local mailgun = require("mailgun")
local sandbox = require("support.sandbox")
local follow = require("mailgun.engine.follow")

local function client()
  return mailgun.new{ api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN, base_url = sandbox.url(),
    retries = 0 }
end

local function send(c, to)
  assert(c.messages:send{ from = "me@" .. sandbox.DOMAIN, to = to, subject = "s", text = "t" })
end

-- every event of one pass, and the last cursor
local function drain(iter, state)
  local got, last = {}, nil
  for event, err, cursor in iter, state do
    assert(event, tostring(err))
    got[#got + 1] = event
    last = cursor
  end
  return got, last
end

local function ids(list)
  local out, seen = {}, {}
  for _, e in ipairs(list) do
    assert(not seen[e.id], "event " .. tostring(e.id) .. " delivered twice")
    seen[e.id] = true
    out[#out + 1] = e.id
  end
  return out
end

for _, kind in ipairs({ "logs", "events" }) do
  local start_name = kind == "logs" and "start" or "begin"

  describe("client." .. kind .. ":follow", function()
    local c
    before_each(function()
      sandbox.reset()
      c = client()
    end)

    it("yields every event once, then late ones once, resuming from the cursor", function()
      local t0 = os.time() - 120
      send(c, "a@example.com")
      send(c, "b@example.com")
      local first, cursor = drain(c[kind]:follow{ [start_name] = t0 })
      assert.is_true(#first >= 4) -- accepted + delivered per recipient
      ids(first)
      assert.is_string(cursor)
      -- a restarted follower sees nothing new ...
      local again = drain(c[kind]:follow{ cursor = cursor })
      assert.are.equal(0, #again)
      -- ... until an event shows up late, stamped a minute in the past
      sandbox.event{ event = "opened", recipient = "a@example.com", late = 60 }
      send(c, "c@example.com")
      local later, cursor2 = drain(c[kind]:follow{ cursor = cursor })
      local kinds = {}
      for _, e in ipairs(later) do kinds[#kinds + 1] = e.event end
      table.sort(kinds)
      assert.are.same({ "accepted", "delivered", "opened" }, kinds)
      ids(later)
      assert.are.equal(0, #drain(c[kind]:follow{ cursor = cursor2 }))
      -- the same from the start in one go: the union, each once
      local all = drain(c[kind]:follow{ [start_name] = t0 - 60 })
      assert.are.equal(#first + #later, #ids(all))
    end)

    it("keeps polling with poll= and picks up what arrives meanwhile", function()
      send(c, "p@example.com")
      local iter, state = c[kind]:follow{ [start_name] = os.time() - 60, poll = 0.1 }
      local n = 0
      local t = os.time()
      while n < 2 do
        local event = iter(state)
        assert(event)
        n = n + 1
      end
      sandbox.event{ event = "clicked", recipient = "p@example.com", late = 30 }
      local event, err, cursor = iter(state)
      assert.is_nil(err)
      assert.are.equal("clicked", event.event)
      assert.is_string(cursor)
      assert.are.equal(cursor, state:cursor())
      assert.is_true(os.time() - t < 10)
    end)

    it("hands out errors as false, err and refuses a foreign cursor", function()
      local bad = mailgun.new{ api_key = "wrong", domain = sandbox.DOMAIN, base_url = sandbox.url(),
        retries = 0 }
      local iter, state = bad[kind]:follow{}
      local event, err, cursor = iter(state)
      assert.is_false(event)
      assert.are.equal("auth", err.kind)
      assert.is_string(cursor)
      assert.is_nil(iter(state))
      assert.has_error(function() c[kind]:follow{ cursor = "nope" } end,
        "bad argument 'opts.cursor' to '" .. kind .. ":follow' (not a cursor this library handed out)")
      assert.has_error(function() c[kind]:follow{ colour = 1 } end)
    end)
  end)
end

describe("engine.follow", function()
  it("trusts events older than the window and forgets their ids", function()
    local now = 10000
    local log = { { id = "a", t = 100 }, { id = "b", t = 9990 } }
    local function pages(since)
      local done = false
      return function()
        if done then return nil end
        done = true
        local out = {}
        for _, e in ipairs(log) do if e.t >= math.floor(since) then out[#out + 1] = e end end
        return out
      end
    end
    local iter, state = follow.iterate{ pages = pages, start = 0, window = 60,
      id = function(e) return e.id end, time = function(e) return e.t end,
      now = function() return now end, sleep = function() end }
    assert.are.equal("a", iter(state).id)
    assert.are.equal("b", iter(state).id)
    assert.is_nil(iter(state))
    local since, seen = follow.decode(state:cursor())
    assert.are.equal(now - 60, since)
    assert.are.same({ b = 9990 }, seen)
  end)
end)

describe("client.activity:follow (MailerSend) and unified account:follow", function()
  local mailersend = require("mailersend")
  local unified = require("mailgun.unified")

  local function ms_client()
    return mailersend.new{ token = sandbox.MAILERSEND_TOKEN, base_url = sandbox.url() .. "/v1",
      retries = 0 }
  end

  before_each(function() sandbox.reset() end)

  it("yields each activity once, late ones too, and resumes from the cursor", function()
    local c = ms_client()
    local domain_id = assert(c.domains:list()).data[1].id
    assert(c.email:send{ from = "news@" .. sandbox.DOMAIN, to = "ann@example.com", subject = "s", text = "t" })
    local t0 = os.time() - 120
    local first, cursor = drain(c.activity:follow{ domain_id = domain_id, date_from = t0 })
    assert.is_true(#first >= 2)
    ids(first)
    assert.are.equal(0, #drain(c.activity:follow{ domain_id = domain_id, cursor = cursor }))
    sandbox.event{ provider = "mailersend", event = "opened", recipient = "ann@example.com", late = 60 }
    local later = drain(c.activity:follow{ domain_id = domain_id, cursor = cursor })
    assert.are.equal(1, #later)
    assert.are.equal("opened", later[1].type)
    -- unified: the normalized shape, from either provider
    local account = unified.connect{ provider = "mailersend", client = c }
    local all = drain(account:follow{ domain_id = domain_id, start = t0 - 60 })
    assert.are.equal(#first + 1, #all)
    for _, e in ipairs(all) do
      assert.are.equal("mailersend", e.provider)
      assert.is_number(e.timestamp)
      assert.are.equal("ann@example.com", e.recipient)
    end
    assert.has_error(function() c.activity:follow{ date_from = t0 } end)
  end)

  it("normalizes Mailgun log items through unified", function()
    local c = client()
    send(c, "u@example.com")
    local account = unified.connect{ provider = "mailgun", client = c }
    local all = drain(account:follow{ start = os.time() - 60 })
    assert.is_true(#all >= 2)
    for _, e in ipairs(all) do
      assert.are.equal("mailgun", e.provider)
      assert.are.equal("u@example.com", e.recipient)
      assert.is_number(e.timestamp)
      assert.is_string(e.id)
    end
  end)
end)

describe("follow_async", function()
  it("follows from a task driven by mailgun.poll, never blocking the host", function()
    sandbox.reset()
    local c = client()
    send(c, "async@example.com")
    local got, cursors = {}, {}
    local task = c.logs:follow_async({ start = os.time() - 60, poll = 0.05 }, function(event, err, cursor)
      assert(event, tostring(err))
      got[#got + 1] = event
      cursors[#cursors + 1] = cursor
    end)
    -- nothing has happened yet: the first request waits for the host's poll
    assert.are.equal(0, #got)
    local deadline = os.time() + 10
    local frames = 0
    while #got < 2 and os.time() < deadline do
      mailgun.poll(10)
      frames = frames + 1
    end
    assert.is_true(#got >= 2)
    sandbox.event{ event = "opened", recipient = "async@example.com", late = 20 }
    local before = #got
    while #got == before and os.time() < deadline do mailgun.poll(10) end
    assert.are.equal("opened", got[#got].event)
    assert.is_true(frames >= 1)
    assert.is_true(task:cancel())
    assert.are.equal("cancelled", task:status())
    assert.has_error(function() c.logs:follow_async({}, nil) end)
  end)
end)

describe("examples/follow_events.lua", function()
  it("appends each event once across restarts, late ones included", function()
    sandbox.reset()
    local c = client()
    local file = os.tmpname()
    os.remove(file)
    local function run()
      local env = ("MAILGUN_BASE_URL='%s' MAILGUN_API_KEY='%s' MAILGUN_DOMAIN='%s' EVENTS_FILE='%s'")
        :format(sandbox.url(), sandbox.MAILGUN_KEY, sandbox.DOMAIN, file)
      local p = assert(io.popen("env " .. env .. " LUA_PATH='lua/?.lua;lua/?/init.lua;;'"
        .. " LUA_CPATH='build/lua5.4/?.so;;' lua5.4 examples/follow_events.lua 2>&1"))
      local out = p:read("*a")
      assert(p:close(), out)
      return out
    end
    send(c, "x@example.com")
    assert.matches("^2 new events", run())
    sandbox.event{ event = "opened", recipient = "x@example.com", late = 30 }
    send(c, "y@example.com")
    assert.matches("^3 new events .*resumed", run())
    assert.matches("^0 new events", run())
    local seen, lines = {}, 0
    for line in io.lines(file) do
      local e = require("cjson").decode(line)
      assert.is_nil(seen[e.id])
      seen[e.id] = true
      lines = lines + 1
    end
    assert.are.equal(5, lines)
    os.remove(file)
    os.remove(file .. ".cursor")
  end)
end)
