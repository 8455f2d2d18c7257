-- bin/mailgun run as a user would: a subprocess against the sandbox.
local sandbox = require("support.sandbox")
local shell = require("support.shell")
local cjson = require("cjson.safe")
local core = require("mailgun.core")

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function env()
  return "MAILGUN_CONFIG=/dev/null MAILGUN_BASE_URL=" .. quote(sandbox.url())
    .. " MAILGUN_API_KEY=" .. sandbox.MAILGUN_KEY .. " MAILGUN_DOMAIN=" .. sandbox.DOMAIN
    .. " MAILGUN_WEBHOOK_SIGNING_KEY=" .. sandbox.SIGNING_KEY .. " "
end

-- runs the CLI; -> exit code, stdout, stderr
local function run(args, stdin, extra_env)
  local dir = os.tmpname()
  local cmd = env() .. (extra_env or "") .. "bin/mailgun " .. args .. " >" .. dir .. ".out 2>" .. dir .. ".err"
  if stdin then
    shell.write_file(dir .. ".in", stdin)
    cmd = cmd .. " <" .. dir .. ".in"
  end
  local ok, how, code = os.execute(cmd)
  if type(ok) == "number" then code = ok / 256 elseif how ~= "exit" then code = -1 end
  local stdout, stderr = shell.read_file(dir .. ".out"), shell.read_file(dir .. ".err")
  os.remove(dir .. ".out")
  os.remove(dir .. ".err")
  os.remove(dir .. ".in")
  os.remove(dir)
  return code, stdout, stderr
end

local function tag()
  return ("%d%04d"):format(os.time(), math.random(9999))
end

describe("bin/mailgun", function()
  it("refuses an unknown flag with exit code 2 and names it", function()
    local code, stdout, stderr = run("send --bogus-flag 1")
    assert.equal(2, code)
    assert.equal("", stdout)
    assert.matches("unknown option '%-%-bogus%-flag'", stderr)
    assert.matches("Usage: mailgun", stderr)
  end)

  it("has --help for every command", function()
    for _, command in ipairs({ "", "send", "batch", "events", "suppressions", "suppressions export",
                               "suppressions import", "domains", "webhooks", "webhooks verify",
                               "sandbox" }) do
      local code, stdout = run(command .. " --help")
      assert.equal(0, code, command)
      assert.matches("Usage: mailgun", stdout)
    end
    local _, stdout = run("--help")
    assert.matches("Exit codes:", stdout)
  end)

  it("sends a message (--json) and fails with exit code 3 without a key", function()
    local to = "cli-" .. tag() .. "@example.org"
    local code, stdout = run("--json send --from a@sandbox.test --to " .. to
      .. " --subject Hi --text hello --tag cli")
    assert.equal(0, code)
    local res = cjson.decode(stdout)
    assert.matches("@sandbox%.test>$", res.id)
    local copies = sandbox.messages{ to = to }
    assert.equal(1, #copies)
    assert.equal("Hi", copies[1].subject)
    code = os.execute("MAILGUN_CONFIG=/dev/null MAILGUN_API_KEY= bin/mailgun send --from a@b.c"
      .. " --to d@e.f --subject x --text y >/dev/null 2>&1")
    assert.is_not_true(code == true or code == 0)
  end)

  it("sends over SMTP with --smtp (MAILGUN_SMTP_* settings)", function()
    local server = require("support.smtp_server").start()
    local code, stdout, stderr = run(("--json send --smtp --from 'Zoë <z@example.com>' --to r@example.org"
      .. " --subject Grüße --text hello --attach bin/mailgun"), nil,
      ("MAILGUN_SMTP_HOST=127.0.0.1 MAILGUN_SMTP_PORT=%d MAILGUN_SMTP_USERNAME=%s"
        .. " MAILGUN_SMTP_PASSWORD=%s MAILGUN_SMTP_CAFILE=%s "):format(server.port, server.user,
        server.password, server.cafile))
    assert.equal(0, code, stderr)
    local res = cjson.decode(stdout)
    assert.equal("smtp", res.transport)
    local info = server:inspect(1)
    assert.same({ res.id }, info.headers["Message-ID"])
    assert.same({ "Grüße" }, info.headers.Subject)
    assert.equal(core.sha256(shell.read_file("bin/mailgun")), info.parts[3].sha256)
    server:stop()
  end)

  it("resumes an interrupted CSV campaign without mailing anybody twice", function()
    local t = tag()
    local csv = os.tmpname()
    local lines = { "email,name" }
    local emails = {}
    for i = 1, 12 do
      emails[i] = ("r%02d-%s@example.org"):format(i, t)
      lines[#lines + 1] = emails[i] .. ",Name " .. i
    end
    shell.write_file(csv, table.concat(lines, "\n") .. "\n")
    sandbox.fault{ method = "POST", path = "/v3/sandbox.test/messages", delay_ms = 400, count = 6 }
    local flags = " batch --csv " .. csv .. " --from a@sandbox.test --subject 'Hi %recipient.name%'"
      .. " --text x --size 2"
    -- started in the background and killed mid-campaign
    local p = io.popen(env() .. "bin/mailgun" .. flags .. " >/dev/null 2>&1 & echo $!")
    local pid = p:read("*l")
    p:close()
    -- killed once the journal shows a finished call (the next is then in flight)
    local function ended_calls()
      local text = shell.read_file(csv .. ".journal") or ""
      local n = 0
      for _ in text:gmatch('"end":') do n = n + 1 end
      return n
    end
    for _ = 1, 400 do
      if ended_calls() >= 1 then break end
      core.sleep(0.05)
    end
    os.execute("kill -TERM " .. pid)
    core.sleep(0.6) -- the call in flight lands at the sandbox anyway
    local ended = ended_calls()
    assert.truthy(ended >= 1 and ended < 6, ended)
    os.execute("curl -s -X DELETE " .. sandbox.url() .. "/sandbox/faults >/dev/null")

    local code, stdout = run("--json" .. flags)
    assert.truthy(code == 0 or code == 4, stdout)
    local summary = cjson.decode(stdout:match("[^\n]+\n?$")).summary
    assert.equal(12, summary.total)
    local uncertain = {}
    for _, a in ipairs(summary.uncertain) do uncertain[a] = true end
    for _, email in ipairs(emails) do
      local n = #sandbox.messages{ to = email }
      assert.is_true(n <= 1, email .. " mailed " .. n .. " times")
      assert.is_true(n == 1 or uncertain[email] == true, email .. " never mailed")
    end
    -- a third run sends nothing new
    code = run(flags)
    for _, email in ipairs(emails) do
      assert.is_true(#sandbox.messages{ to = email } <= 1)
    end
    assert.truthy(code == 0 or code == 4)
    os.remove(csv)
    os.remove(csv .. ".journal")
  end)

  it("prints events as JSON lines with events --follow", function()
    local to = "follow-" .. tag() .. "@example.org"
    assert.equal(0, (run("send --from a@sandbox.test --to " .. to .. " --subject x --text y")))
    local code, stdout = run("events --follow --interval 0.2 --timeout 10 --count 2"
      .. " --begin " .. (os.time() - 5))
    assert.equal(0, code)
    local n = 0
    for line in stdout:gmatch("[^\n]+") do
      local event = cjson.decode(line)
      assert.is_string(event.event)
      n = n + 1
    end
    assert.equal(2, n)
  end)

  it("exports and imports suppressions as CSV", function()
    local csv = os.tmpname()
    local a = "sup-" .. tag() .. "@example.org"
    shell.write_file(csv, "address,code,error\n" .. a .. ",550,\"no such user, really\"\n")
    local code, stdout = run("suppressions import --type bounces " .. csv)
    assert.equal(0, code)
    assert.matches("imported 1 bounces", stdout)
    code, stdout = run("suppressions export --type bounces")
    assert.equal(0, code)
    assert.matches("^address,code,error,created_at\n", stdout)
    assert.truthy(stdout:find(a .. ',550,"no such user, really",', 1, true))
    os.remove(csv)
  end)

  it("verifies a webhook read from stdin (exit 0) and refuses a forged one (exit 5)", function()
    local timestamp, token = tostring(os.time()), "tok" .. tag()
    local signature = core.hmac_sha256(sandbox.SIGNING_KEY, timestamp .. token)
    local body = cjson.encode({
      signature = { timestamp = timestamp, token = token, signature = signature },
      ["event-data"] = { event = "delivered", recipient = "x@example.org", id = "e1",
                         timestamp = tonumber(timestamp) } })
    local request = "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n" .. body
    local code, stdout = run("--json webhooks verify", request)
    assert.equal(0, code)
    local res = cjson.decode(stdout)
    assert.is_true(res.valid)
    assert.equal("delivered", res.events[1].type)
    code = run("webhooks verify", (body:gsub(signature, ("0"):rep(64))))
    assert.equal(5, code)
  end)
  it("starts a sandbox with --smtp whose SMTP submissions show in /sandbox/messages", function()
    local pidfile = os.tmpname()
    local code, stdout, stderr = run("--json sandbox --smtp --pid-file " .. pidfile)
    assert.equal(0, code, stderr)
    local info = cjson.decode(stdout)
    local m = info.smtp
    local ok, err = require("mailgun").smtp{ host = m.host, port = m.port, username = m.username,
      password = m.password, cafile = m.cafile, timeout = 60 }:send{
      from = "a@sandbox.test", to = "via-smtp@example.org", subject = "over smtp", text = "hi",
      tags = { "smtp" } }
    local session = core.session{ timeout = 30000 }
    local res = session:request{ url = info.url .. "/sandbox/messages?to=via-smtp@example.org" }
    session:close()
    os.execute(("kill %d; "):format(m.pid) .. "bin/mailgun-sandbox --stop --pid-file " .. pidfile
      .. " >/dev/null 2>&1; rm -rf " .. quote(m.dir))
    os.remove(pidfile)
    assert.is_nil(err)
    assert.truthy(ok.message_id)
    local items = cjson.decode(res.body).items
    assert.equal(1, #items)
    assert.matches("X%-Mailgun%-Tag: smtp", items[1].mime)
  end)
end)
