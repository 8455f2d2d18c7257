-- mailgun.core helpers: RFC 4231 HMAC-SHA256, FIPS 180-2 SHA-256, clock,
-- RFC 4648 base64, constant-time equal, Basic auth.
local core = require "mailgun.core"

local function unhex(s)
  return (s:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end))
end

describe("core.hmac_sha256", function()
  -- RFC 4231 section 4 (test case 5 is a truncated output and is skipped)
  local vectors = {
    { key = unhex(string.rep("0b", 20)), data = "Hi There",
      mac = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
    { key = "Jefe", data = "what do ya want for nothing?",
      mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
    { key = unhex(string.rep("aa", 20)), data = unhex(string.rep("dd", 50)),
      mac = "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
    { key = unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
      data = unhex(string.rep("cd", 50)),
      mac = "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
    { key = unhex(string.rep("aa", 131)),
      data = "Test Using Larger Than Block-Size Key - Hash Key First",
      mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    { key = unhex(string.rep("aa", 131)),
      data = "This is a test using a larger than block-size key and a larger t"
        .. "han block-size data. The key needs to be hashed before being used"
        .. " by the HMAC algorithm.",
      mac = "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
  }
  for i, v in ipairs(vectors) do
    it("matches RFC 4231 test case " .. (i < 5 and i or i + 1), function()
      assert.are.equal(v.mac, core.hmac_sha256(v.key, v.data))
    end)
  end

  it("accepts an empty key and message", function()
    assert.are.equal("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
      core.hmac_sha256("", ""))
  end)

  it("signs a Mailgun webhook token the documented way", function()
    local mac = core.hmac_sha256("key", "1529006854" .. "abcdef")
    assert.are.equal(64, #mac)
    assert.truthy(mac:match("^[0-9a-f]+$"))
  end)

  it("raises with the argument named on wrong types", function()
    assert.has_error(function() core.hmac_sha256(nil, "x") end)
    local ok, err = pcall(core.hmac_sha256, "k", {})
    assert.is_false(ok)
    assert.truthy(err:find("#2", 1, true))
  end)
end)

describe("core.sha256", function()
  it("matches the FIPS 180-2 vectors", function()
    assert.are.equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      core.sha256(""))
    assert.are.equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      core.sha256("abc"))
    assert.are.equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      core.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
    assert.are.equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
      core.sha256(string.rep("a", 1000000)))
  end)

  it("hashes binary data with NUL bytes", function()
    assert.are_not.equal(core.sha256("a\0b"), core.sha256("a\0c"))
  end)
end)

describe("core.base64", function()
  -- RFC 4648 section 10
  local vectors = {
    { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
  }
  for _, v in ipairs(vectors) do
    it("encodes and decodes '" .. v[1] .. "'", function()
      assert.are.equal(v[2], core.base64_encode(v[1]))
      assert.are.equal(v[1], core.base64_decode(v[2]))
    end)
  end

  it("round-trips every byte value", function()
    local bytes = {}
    for i = 0, 255 do bytes[#bytes + 1] = string.char(i) end
    local all = table.concat(bytes)
    for cut = 0, 3 do
      local s = all:sub(1, 256 - cut)
      assert.are.equal(s, core.base64_decode(core.base64_encode(s)))
    end
    assert.are.equal("+/8=", core.base64_encode("\251\255"))
  end)

  it("skips whitespace and tolerates missing padding", function()
    assert.are.equal("foobar", core.base64_decode("Zm9v\r\nYmFy\n"))
    assert.are.equal("fo", core.base64_decode("Zm8"))
  end)

  it("returns nil and a message for what is not base64", function()
    local s, err = core.base64_decode("Zm9v!")
    assert.is_nil(s)
    assert.is_string(err)
    assert.is_nil((core.base64_decode("Z")))
    assert.is_nil((core.base64_decode("Zg==Zg==")))
    assert.is_nil((core.base64_decode("Zg=")))
    assert.is_nil((core.base64_decode("Zm9v-_")))
  end)
end)

describe("core.equal", function()
  it("is true for equal strings", function()
    assert.is_true(core.equal("", ""))
    assert.is_true(core.equal("abc", "abc"))
    assert.is_true(core.equal("a\0b", "a\0b"))
  end)

  it("is false for unequal strings of the same length", function()
    assert.is_false(core.equal("abc", "abd"))
    assert.is_false(core.equal("xbc", "abc"))
    assert.is_false(core.equal("a\0b", "a\0c"))
  end)

  it("is false for strings of different lengths", function()
    assert.is_false(core.equal("abc", "abcd"))
    assert.is_false(core.equal("abcd", "abc"))
    assert.is_false(core.equal("", "a"))
    assert.is_false(core.equal("a", ""))
    assert.is_false(core.equal("abcabc", "abc"))
  end)

  it("raises on non-strings", function()
    assert.has_error(function() core.equal("a", nil) end)
  end)
end)

describe("core.basic_auth", function()
  it("builds the Authorization value", function()
    assert.are.equal("Basic YXBpOmtleS0xMjM=", core.basic_auth("api", "key-123"))
    assert.are.equal("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
      core.basic_auth("Aladdin", "open sesame"))
  end)
end)

describe("mailgun.core", function()
  it("names itself", function()
    assert.are.equal("mailgun.core", core._NAME)
    assert.is_string(core._VERSION)
  end)
end)

describe("core.now and core.sleep", function()
  it("now is wall-clock time with sub-second precision", function()
    -- bracketed by os.time() read before and after (a busy machine may
    -- deschedule us between the two clocks); time() reads Linux's coarse
    -- clock, which lags the precise one by up to a tick (a few ms)
    local before = os.time()
    local now = core.now()
    local after = os.time()
    local tick = 0.05
    assert.is_true(now >= before and now < after + 1 + tick,
      ("%f not in [%d, %d + %.2f]"):format(now, before, after + 1, tick))
    local fractional = false
    for _ = 1, 5 do
      local t = core.now()
      if t ~= math.floor(t) then fractional = true end
      core.sleep(0.003)
    end
    assert.is_true(fractional)
  end)

  it("sleep waits about as long as asked", function()
    local t0 = core.now()
    core.sleep(0.05)
    local waited = core.now() - t0
    assert.is_true(waited >= 0.045 and waited < 1, "waited " .. waited)
    core.sleep(0)
    core.sleep(-1)
    assert.has_error(function() core.sleep("x") end)
  end)
end)
