-- The rock is not named "mailgun": another project owns that name on LuaRocks.
rockspec_format = "3.0"
package = "mailgun-mailersend"
version = "0.2.0-1"
source = {
  url = "git+https://example.invalid/mailgun-mailersend.git",
  tag = "v0.2.0",
}
description = {
  summary = "Mailgun and MailerSend clients for Lua on a libcurl C core",
  detailed = [[
    require("mailgun") and require("mailersend"): the whole REST APIs of both
    providers as Lua resources, batch and bulk sending, pagination, webhook
    verification, a provider-agnostic layer, OpenResty and host-loop use.
  ]],
  license = "MIT",
}
dependencies = {
  "lua >= 5.1",
  "lua-cjson",
}
external_dependencies = {
  CURL = { library = "curl" },
  CRYPTO = { library = "crypto" },
}
build = {
  type = "make",
  build_target = "build",
  -- LUA_INCDIR picks the Lua the module is built for (5.4, or 5.1 headers
  -- for LuaJIT/OpenResty: luarocks --lua-version 5.1 make)
  build_variables = {
    CFLAGS = "$(CFLAGS)",
    LUA_INCDIR = "$(LUA_INCDIR)",
  },
  install_target = "install",
  install_variables = {
    INSTALL_LMOD = "$(LUADIR)",
    INSTALL_CMOD = "$(LIBDIR)",
    LUA_INCDIR = "$(LUA_INCDIR)",
  },
}
