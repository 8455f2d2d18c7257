-- bin/mailgun: Mailgun and MailerSend from the command line (lua-argparse).
-- main(argv) parses, loads the configuration and runs one command; the
-- exit codes are in mailgun_cli/output.lua (EXIT) and in `mailgun --help`.
local argparse = require("argparse")
local config = require("mailgun_cli.config")
local out = require("mailgun_cli.output")
local send = require("mailgun_cli.send")
local commands = require("mailgun_cli.commands")

local EXIT = out.EXIT
local _M = {}

local EPILOG = [[
Configuration: flags, then MAILGUN_API_KEY, MAILGUN_DOMAIN, MAILGUN_REGION,
MAILGUN_BASE_URL, MAILERSEND_TOKEN, MAILERSEND_BASE_URL, MAILGUN_SMTP_HOST,
MAILGUN_SMTP_PORT, MAILGUN_SMTP_USERNAME, MAILGUN_SMTP_PASSWORD,
MAILGUN_SMTP_CAFILE, MAILGUN_WEBHOOK_SIGNING_KEY, then the config file
(--config, $MAILGUN_CONFIG or ~/.config/mailgun-lua/config: `key = value`
lines, keys api_key, domain, region, base_url, mailersend_token,
mailersend_base_url, signing_key, smtp_host, smtp_port, smtp_username,
smtp_password, smtp_cafile, smtp_allow_insecure).

Exit codes: 0 done; 1 the provider or the network failed; 2 bad flags or
input (nothing sent); 3 missing or bad configuration; 4 batch finished with
failed or uncertain recipients (run it again to resume); 5 webhooks verify:
not authentic.]]

local function parser()
  local p = argparse("mailgun", "Mailgun and MailerSend from the command line.")
    :epilog(EPILOG)
  p:option("--provider", "mailgun (default) or mailersend."):choices({ "mailgun", "mailersend" })
  p:option("--base-url", "API base URL (e.g. the sandbox's).")
  p:option("--config", "Config file.")
  p:flag("--json", "JSON output (JSON lines for streams).")
  p:command_target("command")

  local s = p:command("send", "Send one message.")
  send.add_message_flags(s, true)

  local b = p:command("batch", "Send a CSV campaign, resumable after an interruption.")
  b:option("--csv", "Recipients: an `email` column, the others recipient variables."):count(1)
    :argname("FILE")
  send.add_message_flags(b, false)
  b:option("--size", "Recipients per call (1 to 1000).", "1000")
  b:option("--journal", "Progress file (default: the CSV's path .. \".journal\").")
  b:flag("--retry-uncertain", "Also send to recipients whose call was in flight when interrupted.")

  local e = p:command("events", "Print events as JSON lines.")
  e:flag("--follow", "Keep polling for new events.")
  e:option("--event", "Only this event type (delivered, failed, opened...).")
  e:option("--begin", "Start at this time (epoch seconds).")
  e:option("--interval", "Seconds between polls with --follow.", "2")
  e:option("--count", "Stop after this many events.")
  e:option("--timeout", "Stop following after this many seconds.")

  local sup = p:command("suppressions", "Export or import a suppression list as CSV.")
  sup:command_target("action")
  local ex = sup:command("export", "Write a suppression list as CSV.")
  ex:option("--type", "bounces, unsubscribes or complaints.", "bounces")
    :choices({ "bounces", "unsubscribes", "complaints" })
  ex:option("--output", "File to write (default: stdout).")
  local im = sup:command("import", "Add the addresses of a CSV file to a suppression list.")
  im:option("--type", "bounces, unsubscribes or complaints.", "bounces")
    :choices({ "bounces", "unsubscribes", "complaints" })
  im:argument("file", "CSV file with an `address` column.")

  p:command("domains", "List the account's domains.")

  local w = p:command("webhooks", "Webhook tools.")
  w:command_target("action")
  local v = w:command("verify", "Check a webhook request read from stdin (raw HTTP or body).")
  v:option("--signing-key", "Signing key (default from the environment).")
  v:option("--tolerance", "Seconds a Mailgun timestamp may be old.")

  local sb = p:command("sandbox", "Start the local sandbox; print its URL and credentials.")
  sb:option("--port", "Port (default: a free one).")
  sb:option("--pid-file", "Where its pid goes (stop with mailgun-sandbox --stop --pid-file).")
  sb:flag("--smtp", "Also an SMTP server (STARTTLS, AUTH) whose messages reach the sandbox.")
  return p
end
_M.parser = parser

function _M.main(argv)
  local p = parser()
  local ok, args = p:pparse(argv)
  if not ok then
    io.stderr:write(p:get_usage(), "\n\nmailgun: ", args, "\n")
    return EXIT.usage
  end
  local c, err = config.load(args)
  if not c then out.fail(EXIT.config, err) end
  local command = args.command
  if command == "send" then return send.send(args, c) end
  if command == "batch" then return send.batch(args, c) end
  if command == "events" then return commands.events(args, c) end
  if command == "suppressions" then return commands.suppressions(args, c) end
  if command == "domains" then return commands.domains(args, c) end
  if command == "webhooks" then return commands.webhooks_verify(args, c) end
  if command == "sandbox" then return commands.sandbox(args, c) end
  return EXIT.usage
end

return _M
