std = "lua54"
self = false
max_line_length = 120
files["lua/mailgun/sandbox"] = { std = "ngx_lua" }
files["lua/mailgun/transport/resty.lua"] = { std = "ngx_lua" }
files["spec"] = { std = "+busted", unused_args = false }
exclude_files = { "build", "lua_modules" }
