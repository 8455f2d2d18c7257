-- core.simple_encoder (csrc/simple.c) on its own: what it takes, what it
-- declines, and its output read back by independent readers (cjson for
-- the JSON, the form's own bytes for the form). spec/simple_path_spec.lua
-- holds it to the Lua path on random messages.
local core = require "mailgun.core"
local cjson = require "cjson"

local JSON = core.simple_encoder("json", {
  { name = "from", wire = "from", kind = "address" },
  { name = "to", wire = "to", kind = "recipient", refuse = ";," },
  { name = "subject", wire = "subject", kind = "line", max = 10 },
  { name = "text", wire = "text", kind = "text" },
})
local FORM = core.simple_encoder("form", {
  { name = "to", wire = "to", kind = "recipient" },
  { name = "cc", wire = "cc", kind = "recipient" },
  { name = "from", wire = "from", kind = "address" },
  { name = "amp_html", wire = "amp-html", kind = "text" },
})

describe("core.simple_encoder", function()
  it("json: addresses as objects, recipients as lists, text escaped as cjson escapes it", function()
    local text = "a/\"\\\0\1\127\r\n\t\195\169"
    local json, n = JSON({ from = "Ann  <a@x.org>", to = "b@y.org", subject = "Hi", text = text })
    assert.equal(1, n)
    assert.same({ from = { email = "a@x.org", name = "Ann" }, to = { { email = "b@y.org" } },
                  subject = "Hi", text = text }, cjson.decode(json))
    assert.equal(cjson.encode(text), json:match('"text":(".*")}$'))
  end)

  it("form: fields in the order of their wire names, values as given", function()
    local form, n = FORM({ to = "a@x.org", cc = "Bob <b@y.org>", from = "Ann <c@z.org>", amp_html = "<p>" })
    assert.equal(2, n)
    local body = form:read(1e6)
    local names = {}
    for name in body:gmatch('name="([^"]+)"') do names[#names + 1] = name end
    assert.same({ "amp-html", "cc", "from", "to" }, names)
    assert.truthy(body:find('name="cc"\r\n\r\nBob <b@y.org>\r\n', 1, true))
    assert.equal(#body, form:length())
    form:close()
  end)

  it("declines anything but plain fields of the kinds given", function()
    local declined = {
      { to = "a@x.org", text = "t", other = "x" },              -- unknown field
      { to = "a@x.org", text = 1 },                             -- not a string
      { to = { "a@x.org" }, text = "t" },                       -- a list
      { [1] = "a@x.org", text = "t" },                          -- not a name
      { text = "t" },                                           -- no recipient
      { to = "a@x.org, b@y.org", text = "t" },                  -- a comma: a list
      { to = "Ann;B <a@x.org>", text = "t" },                   -- refused byte in the name
      { to = " Ann <a@x.org>", text = "t" },                    -- leading space
      { to = '"Ann" <a@x.org>', text = "t" },                   -- quotes
      { to = "Ann <a@x.org> ", text = "t" },                    -- trailing space
      { to = "<a@x.org>", text = "t" },                         -- no name
      { to = "Ann <a b@x.org>", text = "t" },
      { to = "Ann\r\n<a@x.org>", text = "t" },                  -- a control character
      { to = "a@x.org", subject = "a\nb", text = "t" },         -- a line break in a line
      { to = "a@x.org", subject = ("s"):rep(11), text = "t" },  -- over max
    }
    for i, msg in ipairs(declined) do assert.is_nil(JSON(msg), i) end
    assert.is_nil(JSON(setmetatable({ to = "a@x.org" }, {})))
    assert.is_nil(JSON("a@x.org"))
  end)

  it("raises for a bad description", function()
    assert.has_error(function() core.simple_encoder("xml", {}) end)
    assert.has_error(function() core.simple_encoder("json", {}) end)
    assert.has_error(function() core.simple_encoder("json", { { name = "to", wire = "to", kind = "list" } }) end)
    local long = { { name = ("n"):rep(40), wire = "to", kind = "text" } }
    assert.has_error(function() core.simple_encoder("json", long) end)
  end)
end)
