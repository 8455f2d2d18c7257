-- tools/check-floors: the library's require graph only points down.
local shell = require("support.shell")

local function run(root)
  return shell.capture("lua5.4 tools/check-floors '" .. root .. "'")
end

local function tree(files)
  local dir = os.tmpname()
  os.remove(dir)
  for path, text in pairs(files) do
    local full = dir .. "/" .. path
    assert(shell.execute("mkdir -p '" .. full:match("^(.*)/") .. "'"))
    shell.write_file(full, text)
  end
  return dir
end

describe("tools/check-floors", function()
  it("passes on the library tree", function()
    local out, code = run("lua")
    assert.equals(0, code, out)
    assert.matches("all point down", out)
  end)

  it("fails on an arrow up, naming the file and line", function()
    local dir = tree({
      ["mailgun/engine/x.lua"] = 'local json = require("mailgun.engine.json")\n'
        .. 'local unified = require("mailgun.unified")\nreturn {}\n',
      ["mailgun/engine/json.lua"] = "return {}\n",
    })
    local out, code = run(dir)
    shell.execute("rm -rf '" .. dir .. "'")
    assert.equals(1, code, out)
    assert.matches("mailgun/engine/x.lua:2: mailgun.engine.x %(the engine%) requires mailgun.unified", out)
    assert.matches("arrow up", out)
  end)

  it("fails on a sideways arrow between the providers", function()
    local dir = tree({
      ["mailersend/bulk.lua"] = '-- require("mailgun.batch") in a comment is fine\n'
        .. 'local batch = require("mailgun.batch")\nreturn {}\n',
    })
    local out, code = run(dir)
    shell.execute("rm -rf '" .. dir .. "'")
    assert.equals(1, code, out)
    assert.matches("mailersend/bulk.lua:2: mailersend.bulk requires mailgun.batch: a sideways arrow", out)
    assert.not_matches("bulk.lua:1:", out)
  end)

  it("lets the engine require the core and providers require the engine", function()
    local dir = tree({
      ["mailgun/engine/x.lua"] = 'local core = require("mailgun.core")\nreturn {}\n',
      ["mailersend/init.lua"] = 'local e = require("mailgun.engine.request")\nreturn {}\n',
      ["mailgun/unified/init.lua"] = 'local m = require("mailersend")\nlocal g = require("mailgun")\n',
    })
    local out, code = run(dir)
    shell.execute("rm -rf '" .. dir .. "'")
    assert.equals(0, code, out)
  end)

  it("--graph prints the require graph floor by floor, endpoint data folded", function()
    local p = assert(io.popen("lua5.4 tools/check-floors --graph lua 2>&1"))
    local out = p:read("*a")
    p:close()
    local unified, providers, engine = out:find("floor 3:", 1, true), out:find("floor 2:", 1, true),
      out:find("floor 1:", 1, true)
    assert.truthy(unified and providers and engine and unified < providers and providers < engine, out)
    assert.truthy(out:find("\n  mailgun.resources.* -> -\n", 1, true), out)
    assert.truthy(out:find("\n  mailgun%.message %-> [^\n]*mailgun%.engine%.address"), out)
    assert.matches("all point down", out)
  end)
end)
