-- SHA-256 and HMAC-SHA256 (lowercase hex). Uses the project's C core
-- (build/luajit/mailgun/core.so) when it is on lua_package_cpath, else
-- OpenSSL's libcrypto through the LuaJIT FFI (nginx links it already).
local pcall, require = pcall, require

local _M = {}

local ok, core = pcall(require, "mailgun.core")
if ok and type(core) == "table" and core.sha256 and core.hmac_sha256 then
  _M.backend = "mailgun.core"
  _M.sha256 = core.sha256
  _M.hmac_sha256 = core.hmac_sha256
  return _M
end

local ffi = require("ffi")
ffi.cdef [[
  unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
  const void *EVP_sha256(void);
  unsigned char *HMAC(const void *evp_md, const void *key, int key_len,
                      const unsigned char *d, size_t n, unsigned char *md,
                      unsigned int *md_len);
]]

local lib = ffi.C
if not pcall(function() return lib.SHA256 end) then lib = ffi.load("crypto") end

local buf = ffi.new("unsigned char[32]")
local len = ffi.new("unsigned int[1]")

local function tohex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function _M.sha256(msg)
  lib.SHA256(msg, #msg, buf)
  return tohex(ffi.string(buf, 32))
end

function _M.hmac_sha256(key, msg)
  lib.HMAC(lib.EVP_sha256(), key, #key, msg, #msg, buf, len)
  return tohex(ffi.string(buf, len[0]))
end

_M.backend = "ffi"
return _M
