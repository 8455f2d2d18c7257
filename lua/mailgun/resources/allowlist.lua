-- The allowlist ("whitelists") of a domain: addresses or whole domains that
-- are never suppressed. {value} is an address or a domain; create takes one
-- record, address= or domain=.
return require("mailgun.resources._suppression")("allowlist", "whitelists", "value", "multipart")
