-- Every endpoint through the oracle: each declared endpoint is called through
-- its resource method with representative arguments built from the
-- reference's wire facts, and the sandbox's oracle (the reference as data)
-- must find nothing wrong with any request.
local sandbox = require("support.sandbox")
local walk = require("support.walk")
local mailgun = require("mailgun")

local function mailgun_client()
  return mailgun.new({ api_key = sandbox.MAILGUN_KEY, domain = sandbox.DOMAIN,
                       base_url = sandbox.url(), retries = 0 })
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

  it("... nor when every declared parameter and field is given", function()
    local reference = require("mailgun.resources._reference")
    local _, _, failures = walk_all(mailgun_client(), mailgun.endpoints(), reference, {
      ["messages:send"] = function()
        return { from = "a@sandbox.test", to = "ann@example.com", subject = "s", text = "x",
                 tracking = true, testmode = true, tags = { "a", "b" } }
      end,
      ["messages:send_mime"] = function()
        return { to = "ann@example.com", message = "Subject: x\r\n\r\nx", tracking = false }
      end,
    }, true)
    assert.same({}, failures)
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
    local declared = 0
    for k in pairs(reference) do if k:find(" ", 1, true) then declared = declared + 1 end end
    assert.are.equal(declared, checked)
    print(("\n  mailersend: %d endpoints walked, %d checked against the reference"):format(total, checked))
  end)
end)
