-- mailersend.webhooks: Signature = lowercase hex HMAC-SHA256 of the raw
-- body with the webhook's secret; the public test secret only for
-- webhook.test; dedupe on data.id.
local mailersend = require("mailersend")
local core = require("mailgun.core")
local json = require("mailgun.engine.json")

local webhooks = mailersend.webhooks
local SECRET = "Yl2mWWJ0pNKbnxVbF6ic0Wc7nXXWBdQK"

local DELIVERED = json.encode({
  type = "activity.delivered", domain_id = "z3m5jgrq1x4dpyo6", created_at = "2023-11-14T22:13:12.000000Z",
  webhook_id = "7nxe3yjq8wg2vp10",
  data = { object = "activity", id = "65a1f0c4b1c2d3e4f5a6b7c9", type = "delivered" },
})
local PING = '{"type":"webhook.test","message":"This is a test webhook.","created_at":"2023-11-14T22:00:00Z"}'

local function sign(secret, body) return core.hmac_sha256(secret, body) end

describe("mailersend.webhooks.verify", function()
  it("accepts the signature of the raw body, in either case", function()
    local sig = sign(SECRET, DELIVERED)
    assert.is_true(webhooks.verify({ secret = SECRET, signature = sig, body = DELIVERED }))
    assert.is_true(webhooks.verify({ secret = SECRET, signature = sig:upper(), body = DELIVERED }))
  end)

  it("refuses a changed body, a wrong secret and a wrong signature", function()
    local sig = sign(SECRET, DELIVERED)
    local ok, why = webhooks.verify({ secret = SECRET, signature = sig, body = DELIVERED .. " " })
    assert.is_false(ok)
    assert.equal("signature mismatch", why)
    assert.is_false(webhooks.verify({ secret = "other", signature = sig, body = DELIVERED }))
    assert.is_false(webhooks.verify({ secret = SECRET, signature = ("0"):rep(64), body = DELIVERED }))
  end)

  it("is safe on a missing or wrong-length signature", function()
    local sig = sign(SECRET, DELIVERED)
    for _, bad in ipairs({ false, "", sig:sub(1, 63), sig .. "0", sig .. sig, 42 }) do
      local ok, why = webhooks.verify({ secret = SECRET, signature = bad or nil, body = DELIVERED })
      assert.is_false(ok)
      assert.equal("missing or malformed signature", why)
    end
  end)

  it("raises on a missing secret or body (a programming error)", function()
    assert.has_error(function() webhooks.verify({ signature = "x", body = "{}" }) end)
    assert.has_error(function() webhooks.verify({ secret = SECRET, signature = "x" }) end)
    assert.has_error(function() webhooks.verify("body") end)
  end)

  it("accepts the public test secret for webhook.test pings only", function()
    assert.equal("test_Am3L1GuOIc4blLUuHqAPxxwkZaJyEk8G", webhooks.TEST_SECRET)
    -- a ping sent while the webhook is created, before its secret is known
    assert.is_true(webhooks.verify({ secret = SECRET, signature = sign(webhooks.TEST_SECRET, PING), body = PING }))
    -- the same public secret on a real event is a forgery
    local ok, why = webhooks.verify({ secret = SECRET, signature = sign(webhooks.TEST_SECRET, DELIVERED),
                                      body = DELIVERED })
    assert.is_false(ok)
    assert.equal("the public test secret is only valid for webhook.test", why)
    -- and configuring the test secret does not open the door either
    ok = webhooks.verify({ secret = webhooks.TEST_SECRET, signature = sign(webhooks.TEST_SECRET, DELIVERED),
                           body = DELIVERED })
    assert.is_false(ok)
  end)
end)

describe("mailersend.webhooks.dedupe", function()
  it("is true the first time an event id is seen, false after", function()
    local fresh = webhooks.dedupe()
    assert.is_true(fresh(DELIVERED))
    assert.is_false(fresh(DELIVERED))
    assert.is_false(fresh(json.decode(DELIVERED)))
    local other = json.decode(DELIVERED)
    other.data.id = "another"
    assert.is_true(fresh(other))
  end)

  it("lets payloads without data.id through", function()
    local fresh = webhooks.dedupe(60)
    assert.is_true(fresh(PING))
    assert.is_true(fresh(PING))
  end)

  it("keeps separate memories per guard", function()
    local a, b = webhooks.dedupe(), webhooks.dedupe()
    assert.is_true(a(DELIVERED))
    assert.is_true(b(DELIVERED))
  end)
end)
