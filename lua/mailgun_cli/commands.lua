-- The CLI's other commands: events, suppressions, domains, webhooks
-- verify, sandbox. Each takes (args, config) and returns an exit code.
local json = require("mailgun.engine.json")
local core = require("mailgun.core")
local config = require("mailgun_cli.config")
local csv = require("mailgun_cli.csv")
local out = require("mailgun_cli.output")

local EXIT = out.EXIT
local _M = {}

local function mailgun_client(c, what)
  if c.provider ~= "mailgun" then out.fail(EXIT.usage, what .. " is a Mailgun command") end
  local client, err = config.client(c)
  if not client then out.fail(EXIT.config, err) end
  return client
end

local function api_failure(err)
  out.fail(err.kind == "invalid" and EXIT.usage or EXIT.failed, err)
end

-- events [--follow]: JSON lines, oldest first; --follow polls for new ones
function _M.events(args, c)
  local client = mailgun_client(c, "events")
  local seen, printed = {}, 0
  local limit = tonumber(args.count)
  local stop_at = args.timeout and (core.now() + tonumber(args.timeout))
  local begin = args.begin and tonumber(args.begin) or (args.follow and os.time() - 60 or nil)
  while true do
    local params = { ascending = "yes", limit = 300, event = args.event, begin = begin }
    for item, err in client.events:each(params) do
      if item == false then api_failure(err) end
      local id = item.id or (tostring(item.timestamp) .. tostring(item.recipient) .. tostring(item.event))
      if not seen[id] then
        seen[id] = true
        out.json(item)
        printed = printed + 1
        if limit and printed >= limit then return EXIT.ok end
      end
    end
    if not args.follow or (stop_at and core.now() >= stop_at) then return EXIT.ok end
    core.sleep(tonumber(args.interval) or 2)
  end
end

local COLUMNS = {
  bounces = { "address", "code", "error", "created_at" },
  unsubscribes = { "address", "tags", "created_at" },
  complaints = { "address", "created_at" },
}

function _M.suppressions(args, c)
  local client = mailgun_client(c, "suppressions")
  local kind = args.type
  local columns = COLUMNS[kind]
  local resource = client[kind]
  if args.export then
    local f = args.output and assert(io.open(args.output, "w")) or io.stdout
    f:write(csv.line(columns), "\n")
    local n = 0
    for item, err in resource:each{ limit = 1000 } do
      if item == false then api_failure(err) end
      local row = {}
      for i, col in ipairs(columns) do
        local v = item[col]
        row[i] = type(v) == "table" and table.concat(v, " ") or v
      end
      f:write(csv.line(row, #columns), "\n")
      n = n + 1
    end
    if f ~= io.stdout then f:close() end
    if args.output then io.stderr:write(("exported %d %s to %s\n"):format(n, kind, args.output)) end
    return EXIT.ok
  end
  -- import: a CSV with the export's columns (address at least)
  local fh, ferr = io.open(args.file, "rb")
  if not fh then out.fail(EXIT.usage, "cannot read " .. args.file .. ": " .. tostring(ferr)) end
  local records, perr = csv.parse(fh:read("*a"))
  fh:close()
  if not records then out.fail(EXIT.usage, args.file .. ": " .. perr) end
  local header = records[1] or {}
  local items = {}
  for r = 2, #records do
    local item = {}
    for i, name in ipairs(header) do
      local v = records[r][i]
      if v and v ~= "" and name ~= "created_at" then
        item[name] = name == "tags" and { v } or v
      end
    end
    if not item.address then out.fail(EXIT.usage, args.file .. ": line " .. r .. " has no address") end
    items[#items + 1] = item
  end
  local done = 0
  for first = 1, #items, 1000 do
    local chunk = json.array()
    for i = first, math.min(#items, first + 999) do chunk[#chunk + 1] = items[i] end
    local res, err = resource:create(chunk)
    if not res then api_failure(err) end
    done = done + #chunk
  end
  if args.json then out.json({ imported = done, type = kind }) else
    out.line(("imported %d %s"):format(done, kind)) end
  return EXIT.ok
end

function _M.domains(args, c)
  local client = mailgun_client(c, "domains")
  for item, err in client.domains:each{ limit = 100 } do
    if item == false then api_failure(err) end
    if args.json then out.json(item) else
      out.line(("%s\t%s"):format(tostring(item.name), tostring(item.state))) end
  end
  return EXIT.ok
end

-- A raw HTTP request (request line, headers, blank line, body) or a bare body.
local function read_request(text)
  local head, rest = text:match("^(%u+ [^\r\n]* HTTP/[%d.]+\r?\n.-\r?\n)\r?\n(.*)$")
  if not head then return text, {} end
  local headers = {}
  for name, value in head:gmatch("\n([^:\r\n]+):%s*([^\r\n]*)") do headers[name:lower()] = value end
  return rest, headers
end

function _M.webhooks_verify(args, c)
  local key = args.signing_key or (c.provider == "mailersend" and os.getenv("MAILERSEND_WEBHOOK_SECRET"))
    or c.signing_key
  if not key then
    out.fail(EXIT.config, "no signing key: --signing-key, MAILGUN_WEBHOOK_SIGNING_KEY or"
      .. " MAILERSEND_WEBHOOK_SECRET")
  end
  local body, headers = read_request(io.stdin:read("*a"))
  local events, err = require("mailgun.unified").webhooks.parse{
    provider = args.provider, body = body, headers = headers, secret = key,
    tolerance = tonumber(args.tolerance) }
  if not events then
    if args.json then out.json({ valid = false, reason = err.message }) else
      io.stderr:write("mailgun: not valid: ", tostring(err.message), "\n") end
    return EXIT.invalid
  end
  for _, event in ipairs(events) do event.raw = nil end
  if args.json then out.json({ valid = true, events = events }) else
    for _, event in ipairs(events) do
      out.line(("valid %s event %s for %s"):format(tostring(event.provider), tostring(event.type),
        tostring(event.recipient)))
    end
  end
  return EXIT.ok
end

local function sh_quote(v)
  return "'" .. tostring(v):gsub("'", "'\\''") .. "'"
end

-- An SMTP server (aiosmtpd: STARTTLS with a certificate made here, AUTH)
-- that hands each message to the sandbox, so it shows in /sandbox/messages;
-- it stops by itself once the sandbox (watch_pid) is gone.
function _M.sandbox_smtp(bin, url, watch_pid)
  local script
  for _, candidate in ipairs({ bin .. "/../spec/support/smtp_server.py",
                               bin .. "/../share/mailgun-lua/sandbox/smtp_server.py" }) do
    local f = io.open(candidate, "r")
    if f then
      f:close()
      script = script or candidate
    end
  end
  if not script then out.fail(EXIT.failed, "cannot find smtp_server.py (make install-sandbox)") end
  local p = io.popen("mktemp -d /tmp/mailgun-sandbox-smtp.XXXXXX")
  local dir = p:read("*l")
  p:close()
  local ok = os.execute("openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost"
    .. " -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " .. sh_quote(dir .. "/key.pem")
    .. " -out " .. sh_quote(dir .. "/cert.pem") .. " >/dev/null 2>&1")
  if not (ok == true or ok == 0) then out.fail(EXIT.failed, "openssl could not make a certificate") end
  local python = io.open("/usr/bin/python3", "r") and "/usr/bin/python3" or "python3"
  local m = { host = "127.0.0.1", username = "sandbox", password = "sandbox-smtp",
              cafile = dir .. "/cert.pem", dir = dir }
  p = io.popen(("%s %s --dir %s --cert %s --key %s --user %s --password %s --ready %s"
    .. " --forward %s --watch-pid %d >%s 2>&1 & echo $!"):format(python, sh_quote(script),
    sh_quote(dir), sh_quote(m.cafile), sh_quote(dir .. "/key.pem"), m.username, m.password,
    sh_quote(dir .. "/ready"), sh_quote(url), watch_pid or 0, sh_quote(dir .. "/log")))
  m.pid = tonumber(p:read("*l"))
  p:close()
  for _ = 1, 600 do
    local f = io.open(dir .. "/ready", "r")
    m.port = f and tonumber(f:read("*l") or "")
    if f then f:close() end
    if m.port then return m end
    core.sleep(0.1)
  end
  out.fail(EXIT.failed, "the SMTP server did not start (see " .. dir .. "/log)")
end

function _M.sandbox(args)
  local bin = (arg and arg[0] or "mailgun"):match("^(.*)/[^/]*$") or "."
  local launcher = bin .. "/mailgun-sandbox"
  local cmd = "'" .. launcher:gsub("'", "'\\''") .. "' --daemon --quiet"
  if args.port then cmd = cmd .. " --port " .. math.floor(tonumber(args.port) or 0) end
  args.pid_file = args.pid_file or ("/tmp/mailgun-sandbox." .. os.time() .. ".pid")
  cmd = cmd .. " --pid-file '" .. args.pid_file:gsub("'", "'\\''") .. "'"
  local p = io.popen(cmd .. " 2>&1")
  local text = p:read("*a")
  p:close()
  local url = text:match("(http://[%w%.%-]+:%d+)")
  if not url then out.fail(EXIT.failed, "the sandbox did not start: " .. text) end
  local info = { url = url, mailgun_api_key = "key-sandbox", domain = "sandbox.test",
                 mailersend_token = "mlsn.sandbox", signing_key = "sandbox-signing-key",
                 pid_file = args.pid_file }
  if args.smtp then
    local f = io.open(args.pid_file, "r")
    local sandbox_pid = f and tonumber(f:read("*l") or "")
    if f then f:close() end
    info.smtp = _M.sandbox_smtp(bin, url, sandbox_pid)
  end
  if args.json then out.json(info) else
    out.line("sandbox running at " .. url)
    out.line("  export MAILGUN_BASE_URL=" .. url .. " MAILGUN_API_KEY=key-sandbox"
      .. " MAILGUN_DOMAIN=sandbox.test")
    out.line("  export MAILERSEND_BASE_URL=" .. url .. "/v1 MAILERSEND_TOKEN=mlsn.sandbox")
    out.line("  webhook signing key: sandbox-signing-key")
    out.line("  stop: mailgun-sandbox --stop --pid-file " .. args.pid_file)
    if info.smtp then
      local m = info.smtp
      out.line(("smtp on 127.0.0.1:%d (STARTTLS, AUTH %s / %s, CA %s); stops with the sandbox (pid %s)")
        :format(m.port, m.username, m.password, m.cafile, m.pid))
      out.line(("  export MAILGUN_SMTP_HOST=127.0.0.1 MAILGUN_SMTP_PORT=%d MAILGUN_SMTP_USERNAME=%s"
        .. " MAILGUN_SMTP_PASSWORD=%s MAILGUN_SMTP_CAFILE=%s"):format(m.port, m.username,
        m.password, m.cafile))
    end
  end
  return EXIT.ok
end

return _M
