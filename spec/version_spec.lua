-- The version is written once (lua/mailgun/engine/version.lua); everything
-- else that names it must agree.
local shell = require("support.shell")

describe("the version", function()
  local version = require("mailgun.engine.version")

  it("is what every module and the C core report", function()
    assert.matches("^%d+%.%d+%.%d+$", version)
    assert.equals(version, require("mailgun")._VERSION)
    assert.equals(version, require("mailersend")._VERSION)
    assert.equals(version, require("mailgun.unified")._VERSION)
    assert.equals(version, require("mailgun.core")._VERSION)
  end)

  it("names the one rockspec, and heads the CHANGELOG", function()
    local out = shell.capture("ls *.rockspec")
    assert.equals("mailgun-mailersend-" .. version .. "-1.rockspec", (out:gsub("%s+$", "")))
    local rockspec = shell.read_file("mailgun-mailersend-" .. version .. "-1.rockspec")
    assert.truthy(rockspec:find('version = "' .. version .. '-1"', 1, true))
    local changelog = shell.read_file("CHANGELOG.md")
    assert.equals(version, changelog:match("\n## (%d+%.%d+%.%d+)"))
  end)
end)
