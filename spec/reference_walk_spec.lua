-- Every endpoint through the oracle: each declared endpoint is called through
-- its resource method with representative arguments built from the
-- reference's wire facts, and the sandbox's oracle (the reference as data)
-- must find nothing wrong with any request.
local sandbox = require("support.sandbox")
local walk = require("support.walk")
local mailgun = require("mailgun")

-- The default transport, keeping a copy of every multipart body it sends.
local function teeing(bodies)
  local inner = require("mailgun.engine.transport").default({ timeout = 30 })
  local t = { name = inner.name }
  function t.request(_, req)
    if req.form then
      local chunks = {}
      for chunk in function() return req.form:read(65536) end do chunks[#chunks + 1] = chunk end
      req.form:rewind()
      bodies[#bodies + 1] = { content_type = req.form:content_type(), body = table.concat(chunks),
                              what = req.method .. " " .. req.url }
    end
    return inner:request(req)
  end
  function t.sleep(_, seconds) return inner:sleep(seconds) end
  function t.now() return inner:now() end
  function t.close() if inner.close then inner:close() end end
  return t
end

-- Python's email package (policy HTTP) reads every body back: no defects,
-- every part form-data with a name (RFC 7578). -> list of problems.
local PY = [[
import sys, os
from email.parser import BytesParser
from email import policy
bad = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        ct, _, body = f.read().partition(b"\n")
    msg = BytesParser(policy=policy.HTTP).parsebytes(b"Content-Type: " + ct + b"\r\n\r\n" + body)
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    if not parts or msg.defects:
        bad.append("%s: %s" % (os.path.basename(path), msg.defects or "no parts"))
    for part in parts:
        if part.defects or part.get_content_disposition() != "form-data" or \
           not part.get_param("name", header="content-disposition"):
            bad.append("%s: %s" % (os.path.basename(path), part.get("Content-Disposition")))
for b in bad:
    print(b)
]]

local function strict_read_back(bodies)
  local dir = os.tmpname()
  os.remove(dir)
  assert(os.execute("mkdir -p " .. dir))
  local files = {}
  for i, b in ipairs(bodies) do
    files[i] = dir .. "/" .. i
    local f = assert(io.open(files[i], "wb"))
    f:write(b.content_type, "\n", b.body)
    f:close()
  end
  local script = dir .. "/check.py"
  local f = assert(io.open(script, "w"))
  f:write(PY)
  f:close()
  local p = assert(io.popen("python3 " .. script .. " " .. table.concat(files, " ") .. " 2>&1"))
  local out = p:read("a")
  p:close()
  os.execute("rm -rf " .. dir)
  local problems = {}
  for line in out:gmatch("[^\n]+") do
    local n, why = line:match("^(%d+): (.*)$")
    problems[#problems + 1] = n and (bodies[tonumber(n)].what .. ": " .. why) or line
  end
  return problems
end

local function mailgun_client(transport)
  return mailgun.new({ api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN,
                       base_url = sandbox.url(), retries = 0, transport = transport })
end

-- Calls every endpoint; -> checked (with reference facts), total, failures.
local function walk_all(c, endpoints, reference, special, all)
  local failures, checked = {}, 0
  sandbox.clear_violations()
  for _, ep in ipairs(endpoints) do
    local facts = reference[ep.method .. " " .. ep.path]
    if facts then checked = checked + 1 end
    local params = walk.params(ep, facts, all)
    if special[ep.resource .. ":" .. ep.name] then
      params = special[ep.resource .. ":" .. ep.name](params)
    end
    local res, err = c[ep.resource][ep.name](c[ep.resource], params)
    if not res and (err.kind == "network" or err.kind == "invalid" or err.status == 405
                    or err.status == 401) then
      failures[#failures + 1] = ep.method .. " " .. ep.path .. ": " .. tostring(err)
    end
    for _, v in ipairs(sandbox.violations()) do
      failures[#failures + 1] = ep.resource .. ":" .. ep.name .. " " .. v.method .. " " .. v.path
        .. ": " .. table.concat(v.problems, "; ")
    end
    sandbox.clear_violations()
  end
  return checked, #endpoints, failures
end

describe("the Mailgun reference as the oracle", function()
  before_each(function() sandbox.reset() end)

  it("finds nothing wrong with any of the client's requests", function()
    local reference = require("mailgun.resources._reference")
    local checked, total, failures = walk_all(mailgun_client(), mailgun.endpoints(), reference, {
      ["messages:send"] = function()
        return { from = "a@sandbox.test", to = "ann@example.com", subject = "s", text = "x" }
      end,
      ["messages:send_mime"] = function()
        return { to = "ann@example.com", message = "Subject: x\r\n\r\nx" }
      end,
    })
    assert.same({}, failures)
    assert.are.equal(213, checked)
    print(("\n  mailgun: %d endpoints walked, %d checked against the reference"):format(total, checked))
  end)

  it("... nor when every declared parameter and field is given; Python reads every form", function()
    local reference = require("mailgun.resources._reference")
    local bodies = {}
    local _, _, failures = walk_all(mailgun_client(teeing(bodies)), mailgun.endpoints(), reference, {
      ["messages:send"] = function()
        return { from = "a@sandbox.test", to = "ann@example.com", subject = "s", text = "x",
                 tracking = true, testmode = true, tags = { "a", "b" } }
      end,
      ["messages:send_mime"] = function()
        return { to = "ann@example.com", message = "Subject: x\r\n\r\nx", tracking = false }
      end,
    }, true)
    assert.same({}, failures)
    assert.is_true(#bodies >= 40, #bodies .. " multipart bodies")
    assert.same({}, strict_read_back(bodies))
    print(("\n  mailgun: python read back %d multipart bodies"):format(#bodies))
  end)
end)

describe("the MailerSend reference as the oracle", function()
  before_each(function() sandbox.reset() end)

  it("finds nothing wrong with any of the client's requests", function()
    local mailersend = require("mailersend")
    local reference = require("mailersend.resources._reference")
    local c = mailersend.new({ token = sandbox.MAILERSEND_TOKEN, base_url = sandbox.url() .. "/v1",
                               retries = 0 })
    local email = { from = { email = "a@sandbox.test" }, to = { { email = "ann@example.com" } },
                    subject = "s", text = "x" }
    local checked, total, failures = walk_all(c, mailersend.endpoints(), reference, {
      ["email:send"] = function() return email end,
      ["bulk:send"] = function() return { email, email } end,
      ["sms:send"] = function() return { from = "+15550000000", to = "+15550000001", text = "x" } end,
    })
    assert.same({}, failures)
    local _, _, all = walk_all(c, mailersend.endpoints(), reference, {
      ["email:send"] = function() return email end,
      ["bulk:send"] = function() return { email, email } end,
      ["sms:send"] = function() return { from = "+15550000000", to = "+15550000001", text = "x" } end,
    }, true)
    assert.same({}, all)
    local declared = 0
    for k in pairs(reference) do if k:find(" ", 1, true) then declared = declared + 1 end end
    assert.are.equal(declared, checked)
    print(("\n  mailersend: %d endpoints walked, %d checked against the reference"):format(total, checked))
  end)
end)
