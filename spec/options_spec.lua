-- The one rule for mistakes (mailgun/engine/options.lua, README "Mistakes"):
-- unknown names and wrong types raise "bad argument" naming them, with a
-- did-you-mean for a near miss; errors name the provider that made them.
local options = require("mailgun.engine.options")
local errors = require("mailgun.engine.errors")

describe("options.suggest", function()
  local KNOWN = { timeout = "number", connect_timeout = "number", retries = "number", limit = "any",
                  parallel = "number", subject = "string" }
  it("finds near misses: a missing, an extra, a swapped or a replaced letter", function()
    assert.equal("timeout", options.suggest("timout", KNOWN))
    assert.equal("limit", options.suggest("limt", KNOWN))
    assert.equal("parallel", options.suggest("paralel", KNOWN))
    assert.equal("subject", options.suggest("subjcet", KNOWN))
    assert.equal("retries", options.suggest("retires", KNOWN))
    assert.equal("timeout", options.suggest("TimeOut", KNOWN))
  end)
  it("says nothing for far names, short names or non-strings", function()
    assert.is_nil(options.suggest("colour", KNOWN))
    assert.is_nil(options.suggest("x", KNOWN))
    assert.is_nil(options.suggest(1, KNOWN))
  end)
  it("measures edits", function()
    assert.equal(0, options.distance("abc", "abc"))
    assert.equal(1, options.distance("abc", "acb"))
    assert.equal(3, options.distance("", "abc"))
  end)
end)

describe("options.check", function()
  local KNOWN = { timeout = "number", headers = "table", label = "string|number", any = "any" }
  local function call(t, how) return options.check(t, KNOWN, "thing:do", how) end

  it("returns the table when every name is known with its type", function()
    local t = { timeout = 1, headers = {}, label = 2, any = false }
    assert.equal(t, call(t))
  end)
  it("raises on an unknown name, naming it, with a hint or a did-you-mean", function()
    assert.has_error(function() call({ timout = 1 }) end,
      "bad argument #1 to 'thing:do' (unknown option 'timout' (did you mean 'timeout'?))")
    assert.has_error(function() call({ zzz = 1 }, { argn = 2, noun = "field" }) end,
      "bad argument #2 to 'thing:do' (unknown field 'zzz')")
    assert.has_error(function() call({ key = 1 }, { hints = { key = "it goes in 'api_key'" } }) end,
      "bad argument #1 to 'thing:do' (unknown option 'key' (it goes in 'api_key'))")
  end)
  it("raises on a wrong type, naming the option and the alternatives", function()
    assert.has_error(function() call({ timeout = "5" }) end,
      "bad argument 'opts.timeout' to 'thing:do' (number expected, got string)")
    assert.has_error(function() call({ label = true }, { prefix = "msg" }) end,
      "bad argument 'msg.label' to 'thing:do' (string or number expected, got boolean)")
  end)
  it("raises on an argument that is not a table", function()
    assert.has_error(function() call("x") end, "bad argument #1 to 'thing:do' (table expected, got string)")
  end)
  it("accepts an open family of names", function()
    assert.has_no.errors(function()
      call({ ["o:tag"] = 1 }, { open = function(k) return k:sub(1, 2) == "o:" end })
    end)
  end)
  it("blames the caller's caller by default", function()
    local function api(t) options.check(t, KNOWN, "api") end -- not a tail call
    local ok, msg = pcall(function() api({ nope = 1 }) end)
    assert.is_false(ok)
    assert.truthy(msg:find("^spec/options_spec.lua:%d+: "), msg)
  end)
end)

describe("errors name their provider", function()
  it("the engine names none: tostring starts with the kind", function()
    assert.equal("invalid: bad", tostring(errors.invalid("bad")))
  end)
  it("a bound constructor stamps its provider", function()
    local ms = errors.bound("mailersend")
    local err = ms.invalid("bad", { field = "to" })
    assert.equal("mailersend", err.provider)
    assert.equal("to", err.field)
    assert.equal("mailersend: invalid: bad", tostring(err))
    assert.equal("mailgun", errors.bound("mailgun").not_supported("no").provider)
    assert.equal("other", ms.invalid("x", { provider = "other" }).provider)
  end)
  it("a MailerSend client error from the engine is mailersend's, with its #MS code", function()
    local mailersend = require("mailersend")
    local json = require("mailgun.engine.json")
    local client = mailersend.new({ token = "mlsn.t", transport = { request = function()
      return { status = 422, headers = { ["content-type"] = "application/json" },
               body = json.encode({ message = "Bad. #MS42207" }) }
    end } })
    local _, err = client.domains:list()
    assert.equal("mailersend", err.provider)
    assert.equal("MS42207", err.code)
    assert.truthy(tostring(err):find("^mailersend: 422"), tostring(err))
  end)
end)

describe("webhook helpers take a fixed set of names", function()
  it("raises on a typo, never on a value a client sent", function()
    local mailgun_hooks = require("mailgun.webhooks")
    local mailersend_hooks = require("mailersend.webhooks")
    local unified = require("mailgun.unified")
    assert.has_error(function() mailgun_hooks.verify({ signing_key = "k", paylod = "{}" }) end,
      "bad argument #1 to 'webhooks.verify' (unknown option 'paylod' (did you mean 'payload'?))")
    assert.has_error(function() mailersend_hooks.verify({ secret = "s", body = "{}", signatur = "x" }) end,
      "bad argument #1 to 'webhooks.verify' (unknown option 'signatur' (did you mean 'signature'?))")
    assert.has_error(function() unified.webhooks.parse({ body = "{}", secret = "s", header = {} }) end,
      "bad argument #1 to 'webhooks.parse' (unknown option 'header' (did you mean 'headers'?))")
    -- a repeated header arrives as a table: false, reason, not a raise
    local ok, why = mailersend_hooks.verify({ secret = "s", body = "{}", signature = { "a", "b" } })
    assert.is_false(ok)
    assert.truthy(why)
  end)
end)
