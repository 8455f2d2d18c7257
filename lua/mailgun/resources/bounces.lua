-- Bounced addresses of a domain: address, code, error, created_at.
return require("mailgun.resources._suppression")("bounces", "bounces", "address", "json")
