-- Unsubscribed addresses of a domain: address, tags ("*" = all), created_at.
-- delete{address=, tag=} removes one tag only.
return require("mailgun.resources._suppression")("unsubscribes", "unsubscribes", "address", "json")
