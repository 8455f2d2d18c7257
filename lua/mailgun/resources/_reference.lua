-- Wire facts of every Mailgun operation, written by tools/extract-reference
-- from Mailgun's OpenAPI file. Facts only; do not edit by hand.
--   ["METHOD path"] = {params = {name = field}, bodies = {form = body, json = body}}
--   field: {at = "path"|"query" (params only), type =, items = (arrays), enum =,
--           required =, file = (binary)}
--   body:  {fields = {name = field}, open = (other names allowed),
--           array = (JSON: an array of such objects), multipart = (form: multipart only)}
-- luacheck: ignore
return {
  ["DELETE /v1/analytics/tags"] = { bodies = { json = { fields = { tag = { type = "string" } } } }, params = {  } },
  ["DELETE /v1/dkim/keys"] = {
    params = {
      selector = { at = "query", required = true, type = "string" },
      signing_domain = { at = "query", required = true, type = "string" },
    },
  },
  ["DELETE /v1/dynamic_pools/domains/{name}/override"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v1/keys/{key_id}"] = { params = { key_id = { at = "path", required = true, type = "string" } } },
  ["DELETE /v1/thresholds/alerts/send/{name}"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v2/ip_whitelist"] = { params = { address = { at = "query", required = true, type = "string" } } },
  ["DELETE /v3/domains/{domain_name}/credentials"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/domains/{domain_name}/credentials/{spec}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      spec = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/domains/{domain_name}/webhooks/{webhook_name}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      webhook_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/domains/{name}"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/domains/{name}/dynamic_pools"] = {
    params = {
      name = { at = "path", required = true, type = "string" },
      replacement_ip = { at = "query", type = "string" },
      replacement_pool_id = { at = "query", type = "string" },
    },
  },
  ["DELETE /v3/domains/{name}/ips/{ip}"] = {
    params = {
      ip = { at = "query", type = "string" },
      name = { at = "path", required = true, type = "string" },
      pool_id = { at = "query", type = "string" },
    },
  },
  ["DELETE /v3/domains/{name}/pool/{ip}"] = {
    params = {
      ip = { at = "query", type = "string" },
      name = { at = "path", required = true, type = "string" },
      pool_id = { at = "query", type = "string" },
    },
  },
  ["DELETE /v3/dynamic_pools/all"] = { params = {  } },
  ["DELETE /v3/ip_pools/{pool_id}"] = {
    params = { ip = { at = "query", type = "string" }, pool_id = { at = "query", type = "string" } },
  },
  ["DELETE /v3/ip_pools/{pool_id}/ips/{ip}"] = {
    params = {
      ip = { at = "path", required = true, type = "string" },
      pool_id = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/ip_warmups/{addr}"] = { params = { addr = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/ips/{ip}/domains"] = {
    params = {
      alternative = { at = "query", required = true, type = "string" },
      ip = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/lists/{list_address}"] = { params = { list_address = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/lists/{list_address}/members/{member_address}"] = {
    params = {
      list_address = { at = "path", required = true, type = "string" },
      member_address = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/routes/{id}"] = { params = { id = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/bounces"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/bounces/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain_name}/complaints"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/complaints/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain_name}/envelopes"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/templates"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/templates/{template_name}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain_name}/templates/{template_name}/versions/{version_name}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
      version_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain_name}/unsubscribes"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/unsubscribes/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain_name}/whitelists"] = { params = { domain_name = { at = "path", required = true, type = "string" } } },
  ["DELETE /v3/{domain_name}/whitelists/{value}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      value = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v3/{domain}/tag"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      tag = { at = "query", type = "string" },
    },
  },
  ["DELETE /v4/domains/{domain}/webhooks"] = {
    params = {
      domain = { at = "path", required = true, type = "string" },
      url = { at = "query", required = true, type = "string" },
    },
  },
  ["DELETE /v5/accounts/limit/custom/monthly"] = { params = {  } },
  ["DELETE /v5/accounts/subaccounts"] = { params = {  } },
  ["DELETE /v5/accounts/subaccounts/{subaccountId}/ip_pool"] = {
    params = {
      pool_id = { at = "query", required = true, type = "string" },
      subaccountId = { at = "path", required = true, type = "string" },
    },
  },
  ["DELETE /v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly"] = { params = { subaccount_id = { at = "path", required = true, type = "string" } } },
  ["DELETE /v5/sandbox/auth_recipients/{email}"] = { params = { email = { at = "path", required = true, type = "string" } } },
  ["GET /v1/analytics/tags/limits"] = { params = {  } },
  ["GET /v1/bounce-classification/config/entities"] = { deprecated = true, params = {  } },
  ["GET /v1/bounce-classification/config/rules"] = { deprecated = true, params = {  } },
  ["GET /v1/bounce-classification/domains"] = {
    deprecated = true,
    params = {
      include_subaccounts = { at = "query", type = "boolean" },
      limit = { at = "query", type = "integer" },
      query = { at = "query", type = "string" },
      skip = { at = "query", type = "integer" },
    },
  },
  ["GET /v1/bounce-classification/domains/{domain}/entities"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      include_subaccounts = { at = "query", type = "boolean" },
    },
  },
  ["GET /v1/bounce-classification/domains/{domain}/entities/{entity-id}/rules"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      ["entity-id"] = { at = "path", required = true, type = "string" },
      include_subaccounts = { at = "query", type = "boolean" },
    },
  },
  ["GET /v1/bounce-classification/domains/{domain}/events"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      ["entity-id"] = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      ["rule-id"] = { at = "query", type = "string" },
      sort = { at = "query", type = "string" },
    },
  },
  ["GET /v1/bounce-classification/stats"] = {
    deprecated = true,
    params = {
      group = { at = "query", type = "string" },
      include_subaccounts = { at = "query", type = "boolean" },
      limit = { at = "query", type = "integer" },
    },
  },
  ["GET /v1/dkim/keys"] = {
    params = {
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      selector = { at = "query", type = "string" },
      signing_domain = { at = "query", type = "string" },
    },
  },
  ["GET /v1/dynamic_pools/domains"] = {
    params = {
      account = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      pool = { at = "query", type = "string" },
      sort_by = { at = "query", enum = { "bounce_rate", "complaint_rate", "name" }, type = "string" },
      sort_order = { at = "query", enum = { "ascending", "descending" }, type = "string" },
    },
  },
  ["GET /v1/dynamic_pools/domains/{name}/history"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v1/dynamic_pools/domains/{name}/preview"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v1/dynamic_pools/history"] = {
    params = {
      Limit = { at = "query", type = "integer" },
      after = { at = "query", type = "string" },
      before = { at = "query", type = "string" },
      domain = { at = "query", type = "string" },
      include_subaccounts = { at = "query", type = "boolean" },
      moved_from = { at = "query", type = "string" },
      moved_to = { at = "query", type = "string" },
    },
  },
  ["GET /v1/keys"] = {
    params = {
      domain_name = { at = "query", type = "string" },
      kind = { at = "query", enum = { "domain", "user", "web" }, type = "string" },
    },
  },
  ["GET /v1/preview/tests/{test_id}/results"] = { params = { test_id = { at = "path", required = true, type = "string" } } },
  ["GET /v1/thresholds/alerts/send"] = { params = {  } },
  ["GET /v1/thresholds/alerts/send/{name}"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v1/thresholds/hits"] = { params = {  } },
  ["GET /v2/ip_whitelist"] = { params = {  } },
  ["GET /v2/x509/{domain}/status"] = { params = { domain = { at = "path", required = true, type = "string" } } },
  ["GET /v3/domains/dynamic_pools/assignable"] = {
    params = {
      domain = { at = "query", type = "string" },
      subaccount_id = { at = "query", type = "string" },
    },
  },
  ["GET /v3/domains/{domain_name}/credentials"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      skip = { at = "query", type = "integer" },
    },
  },
  ["GET /v3/domains/{domain_name}/messages/{storage_key}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      storage_key = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/domains/{domain_name}/webhooks/{webhook_name}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      webhook_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/domains/{domain}/limits/tag"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/domains/{domain}/tag/countries"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/domains/{domain}/tag/devices"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/domains/{domain}/tag/providers"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/domains/{domain}/webhooks"] = { params = { domain = { at = "path", required = true, type = "string" } } },
  ["GET /v3/domains/{name}/sending_queues"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v3/domains/{name}/tracking"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v3/dynamic_pools"] = { params = {  } },
  ["GET /v3/ip_pools"] = { params = {  } },
  ["GET /v3/ip_pools/{pool_id}"] = { params = { pool_id = { at = "path", required = true, type = "string" } } },
  ["GET /v3/ip_pools/{pool_id}/domains"] = {
    params = {
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      pool_id = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/ip_warmups"] = {
    params = { limit = { at = "query", type = "string" }, page = { at = "query", type = "string" } },
  },
  ["GET /v3/ip_warmups/{addr}"] = { params = { addr = { at = "path", required = true, type = "string" } } },
  ["GET /v3/ips"] = {
    params = {
      dedicated = { at = "query", type = "boolean" },
      enabled = { at = "query", type = "boolean" },
    },
  },
  ["GET /v3/ips/request/new"] = { params = {  } },
  ["GET /v3/ips/{ip}"] = { params = { ip = { at = "path", required = true, type = "string" } } },
  ["GET /v3/ips/{ip}/domains"] = {
    params = {
      ip = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      search = { at = "query", type = "string" },
      skip = { at = "query", type = "integer" },
    },
  },
  ["GET /v3/lists"] = {
    params = {
      address = { at = "query", type = "string" },
      limit = { at = "query", type = "string" },
      skip = { at = "query", type = "string" },
    },
  },
  ["GET /v3/lists/pages"] = { params = { limit = { at = "query", type = "integer" } } },
  ["GET /v3/lists/{list_address}"] = { params = { list_address = { at = "path", required = true, type = "string" } } },
  ["GET /v3/lists/{list_address}/members"] = {
    params = {
      address = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      list_address = { at = "path", required = true, type = "string" },
      skip = { at = "query", type = "integer" },
      subscribed = { at = "query", type = "boolean" },
    },
  },
  ["GET /v3/lists/{list_address}/members/pages"] = {
    params = {
      address = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      list_address = { at = "path", required = true, type = "string" },
      page = { at = "query", type = "string" },
      subscribed = { at = "query", type = "boolean" },
    },
  },
  ["GET /v3/lists/{list_address}/members/{member_address}"] = {
    params = {
      list_address = { at = "path", required = true, type = "string" },
      member_address = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/routes"] = {
    params = { limit = { at = "query", type = "string" }, skip = { at = "query", type = "string" } },
  },
  ["GET /v3/routes/match"] = { params = { address = { at = "query", required = true, type = "string" } } },
  ["GET /v3/routes/{id}"] = { params = { id = { at = "path", required = true, type = "string" } } },
  ["GET /v3/stats/filter"] = {
    deprecated = true,
    params = {
      duration = { at = "query", type = "string" },
      ["end"] = { at = "query", type = "string" },
      event = { at = "query", required = true, type = "string" },
      filter = { at = "query", type = "string" },
      group = { at = "query", type = "string" },
      resolution = { at = "query", type = "string" },
      start = { at = "query", type = "string" },
    },
  },
  ["GET /v3/stats/total"] = {
    deprecated = true,
    params = {
      duration = { at = "query", type = "string" },
      ["end"] = { at = "query", type = "string" },
      event = { at = "query", required = true, type = "string" },
      resolution = { at = "query", type = "string" },
      start = { at = "query", type = "string" },
    },
  },
  ["GET /v3/stats/total/domains"] = {
    deprecated = true,
    params = {
      event = { at = "query", required = true, type = "string" },
      limit = { at = "query", type = "string" },
      resolution = { at = "query", type = "string" },
      timestamp = { at = "query", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/bounces"] = {
    params = {
      address = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      term = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain_name}/bounces/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/complaints"] = {
    params = {
      address = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      term = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain_name}/complaints/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/events"] = {
    params = {
      ascending = { at = "query", enum = { "yes", "no" }, type = "string" },
      attachment = { at = "query", type = "string" },
      begin = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      ["end"] = { at = "query", type = "string" },
      event = { at = "query", type = "string" },
      from = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      list = { at = "query", type = "string" },
      ["message-id"] = { at = "query", type = "string" },
      recipient = { at = "query", type = "string" },
      recipients = { at = "query", type = "string" },
      severity = { at = "query", enum = { "temporary", "permanent" }, type = "string" },
      size = { at = "query", type = "string" },
      subject = { at = "query", type = "string" },
      tags = { at = "query", type = "string" },
      to = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain_name}/templates"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      p = { at = "query", type = "string" },
      page = { at = "query", enum = { "first", "last", "next", "previous" }, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/templates/{template_name}"] = {
    params = {
      active = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/templates/{template_name}/versions"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      p = { at = "query", type = "string" },
      page = { at = "query", enum = { "first", "last", "next", "previous" }, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/templates/{template_name}/versions/{version_name}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
      version_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/unsubscribes"] = {
    params = {
      address = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      term = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain_name}/unsubscribes/{address}"] = {
    params = {
      address = { at = "path", required = true, type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain_name}/whitelists"] = {
    params = {
      address = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      term = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain_name}/whitelists/{value}"] = {
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      value = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain}/aggregates/countries"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/{domain}/aggregates/devices"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/{domain}/aggregates/providers"] = {
    deprecated = true,
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["GET /v3/{domain}/stats/total"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      duration = { at = "query", type = "string" },
      ["end"] = { at = "query", type = "string" },
      event = { at = "query", required = true, type = "string" },
      resolution = { at = "query", type = "string" },
      start = { at = "query", type = "string" },
    },
  },
  ["GET /v3/{domain}/tag"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      tag = { at = "query", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain}/tag/stats"] = {
    deprecated = true,
    params = {
      country = { at = "query", type = "string" },
      device = { at = "query", type = "string" },
      domain = { at = "path", required = true, type = "string" },
      duration = { at = "query", type = "string" },
      ["end"] = { at = "query", type = "string" },
      event = { at = "query", required = true, type = "string" },
      provider = { at = "query", type = "string" },
      resolution = { at = "query", type = "string" },
      start = { at = "query", type = "string" },
      tag = { at = "query", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain}/tag/stats/aggregates"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      tag = { at = "query", required = true, type = "string" },
      type = { at = "query", required = true, type = "string" },
    },
  },
  ["GET /v3/{domain}/tags"] = {
    deprecated = true,
    params = {
      domain = { at = "path", required = true, type = "string" },
      limit = { at = "query", type = "integer" },
      page = { at = "query", type = "string" },
      prefix = { at = "query", type = "string" },
      tag = { at = "query", type = "string" },
    },
  },
  ["GET /v4/address/validate"] = {
    params = {
      address = { at = "query", required = true, type = "string" },
      provider_lookup = { at = "query", type = "boolean" },
    },
  },
  ["GET /v4/domains"] = {
    params = {
      authority = { at = "query", type = "string" },
      include_subaccounts = { at = "query", type = "boolean" },
      limit = { at = "query", type = "integer" },
      search = { at = "query", type = "string" },
      skip = { at = "query", type = "integer" },
      sort = { at = "query", type = "string" },
      state = { at = "query", type = "string" },
    },
  },
  ["GET /v4/domains/{authority_name}/keys"] = { params = { authority_name = { at = "path", required = true, type = "string" } } },
  ["GET /v4/domains/{name}"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["GET /v4/inbox/results/{result}"] = {
    params = {
      provider = { at = "query", type = "string" },
      result = { at = "path", required = true, type = "string" },
    },
  },
  ["GET /v5/accounts/http_signing_key"] = { params = {  } },
  ["GET /v5/accounts/limit/custom/monthly"] = { params = {  } },
  ["GET /v5/accounts/subaccounts"] = {
    params = {
      closed = { at = "query", type = "boolean" },
      enabled = { at = "query", type = "boolean" },
      filter = { at = "query", type = "string" },
      limit = { at = "query", type = "integer" },
      skip = { at = "query", type = "integer" },
      sort = { at = "query", enum = { "asc", "desc" }, type = "string" },
    },
  },
  ["GET /v5/accounts/subaccounts/ip_pools/all"] = { params = {  } },
  ["GET /v5/accounts/subaccounts/{subaccount_id}"] = { params = { subaccount_id = { at = "path", required = true, type = "string" } } },
  ["GET /v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly"] = { params = { subaccount_id = { at = "path", required = true, type = "string" } } },
  ["GET /v5/sandbox/auth_recipients"] = { params = {  } },
  ["GET /v5/users"] = {
    params = {
      limit = { at = "query", type = "integer" },
      role = {
        at = "query",
        enum = { "basic", "billing", "support", "developer", "admin" },
        type = "string",
      },
      skip = { at = "query", type = "integer" },
    },
  },
  ["GET /v5/users/me"] = { params = {  } },
  ["GET /v5/users/{user_id}"] = { params = { user_id = { at = "path", required = true, type = "string" } } },
  ["PATCH /v3/dynamic_pools/{pool_name}"] = {
    bodies = {
      form = {
        fields = {
          add_ip = { required = true, type = "string" },
          remove_ip = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = { pool_name = { at = "path", required = true, type = "string" } },
  },
  ["PATCH /v3/ip_pools/{pool_id}"] = {
    bodies = {
      form = {
        fields = {
          add_ip = { type = "string" },
          description = { type = "string" },
          link_domain = { type = "string" },
          name = { type = "string" },
          remove_ip = { type = "string" },
          unlink_domain = { type = "string" },
        },
        multipart = true,
      },
    },
    params = { pool_id = { at = "path", required = true, type = "string" } },
  },
  ["POST /v1/analytics/logs"] = {
    bodies = {
      json = {
        fields = {
          ["end"] = { type = "string" },
          events = { items = "string", type = "array" },
          filter = { type = "object" },
          include_subaccounts = { type = "boolean" },
          include_totals = { type = "boolean" },
          metric_events = { items = "string", type = "array" },
          pagination = { type = "object" },
          start = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v1/analytics/metrics"] = {
    bodies = {
      json = {
        fields = {
          dimensions = {
            enum = { "bot", "country", "ip_pool", "recipient_domain", "recipient_provider", "ip", "domain", "tag", "device", "subaccount", "time" },
            items = "string",
            type = "array",
          },
          duration = { type = "string" },
          ["end"] = { type = "string" },
          filter = { type = "object" },
          include_aggregates = { type = "boolean" },
          include_subaccounts = { type = "boolean" },
          metrics = {
            enum = { "accepted_incoming_count", "accepted_outgoing_count", "accepted_count", "delivered_smtp_count", "delivered_http_count", "delivered_optimized_count", "delivered_count", "processed_count", "sent_count", "opened_count", "clicked_count", "unique_opened_count", "unique_clicked_count", "unsubscribed_count", "complained_count", "failed_count", "temporary_failed_count", "permanent_failed_count", "temporary_failed_esp_block_count", "permanent_failed_esp_block_count", "webhook_count", "rate_limit_count", "permanent_failed_optimized_count", "permanent_failed_old_count", "bounced_count", "hard_bounces_count", "soft_bounces_count", "delayed_bounce_count", "suppressed_bounces_count", "suppressed_unsubscribed_count", "suppressed_complaints_count", "delivered_first_attempt_count", "delayed_first_attempt_count", "delivered_two_plus_attempts_count", "delivered_rate", "opened_rate", "clicked_rate", "unique_opened_rate", "unique_opened_rate", "unsubscribed_rate", "complained_rate", "bounce_rate", "permanent_fail_rate", "temporary_fail_rate", "delayed_rate", "delayed_first_attempt_rate" },
            items = "string",
            type = "array",
          },
          resolution = { type = "string" },
          start = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v1/analytics/tags"] = {
    bodies = {
      json = {
        fields = {
          include_metrics = { type = "boolean" },
          include_subaccounts = { type = "boolean" },
          pagination = { type = "object" },
          tag = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v1/analytics/usage/metrics"] = {
    bodies = {
      json = {
        fields = {
          dimensions = { enum = { "subaccount", "time" }, items = "string", type = "array" },
          duration = { type = "string" },
          ["end"] = { type = "string" },
          filter = { type = "object" },
          include_aggregates = { type = "boolean" },
          include_subaccounts = { type = "boolean" },
          metrics = {
            enum = { "email_validation_count", "email_validation_public_count", "email_validation_valid_count", "email_validation_single_count", "email_validation_bulk_count", "email_validation_list_count", "email_validation_mailgun_count", "email_validation_mailjet_count", "email_preview_count", "email_preview_failed_count", "link_validation_count", "link_validation_failed_count", "seed_test_count", "ip_blocklist_monitoring_count", "domain_blocklist_monitoring_count", "accessibility_count", "accessibility_failed_count", "image_validation_count", "image_validation_failed_count", "archived_count", "processed_count" },
            items = "string",
            type = "array",
          },
          resolution = { type = "string" },
          start = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v1/dkim/keys"] = {
    bodies = {
      form = {
        fields = {
          bits = { type = "integer" },
          pem = { type = "string" },
          selector = { required = true, type = "string" },
          signing_domain = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v1/dkim_management/domains/{name}/rotate"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["POST /v1/keys"] = {
    bodies = {
      form = {
        fields = {
          description = { type = "string" },
          domain_name = { type = "string" },
          email = { type = "string" },
          expiration = { type = "integer" },
          kind = { enum = { "domain", "user", "web" }, type = "string" },
          role = {
            enum = { "admin", "basic", "sending", "developer" },
            required = true,
            type = "string",
          },
          user_id = { type = "string" },
          user_name = { type = "string" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v1/keys/public"] = { params = {  } },
  ["POST /v1/thresholds/alerts/send"] = {
    bodies = {
      json = {
        fields = {
          alert_channels = { enum = { "email", "slack", "webhook" }, items = "string", type = "array" },
          comparator = { enum = { "=", "!=", "<", "<=", ">", ">=" }, required = true, type = "string" },
          description = { type = "string" },
          dimension = {
            enum = { "domain", "ip", "ip_pool", "recipient_provider", "subaccount" },
            required = true,
            type = "string",
          },
          filters = { items = "object", type = "array" },
          limit = { required = true, type = "string" },
          metric = {
            enum = { "hard_bounce_rate", "temporary_fail_rate", "delivered_rate", "complained_rate" },
            required = true,
            type = "string",
          },
          name = { required = true, type = "string" },
          period = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v2/bounce-classification/metrics"] = {
    bodies = {
      json = {
        fields = {
          dimensions = {
            enum = { "entity-name", "domain.name", "envelope.sending-ip", "account.name", "envelope.i-ip-pool-name", "tags", "tag", "recipient-domain", "group-id", "criticality", "severity", "category", "timestamp" },
            items = "string",
            type = "array",
          },
          duration = { type = "string" },
          ["end"] = { type = "string" },
          filter = { type = "object" },
          include_subaccounts = { type = "boolean" },
          metrics = { items = "string", type = "array" },
          pagination = { type = "object" },
          resolution = { enum = { "day", "hour" }, type = "string" },
          start = { type = "string" },
        },
      },
    },
    params = {  },
  },
  ["POST /v2/ip_whitelist"] = {
    bodies = {
      form = {
        fields = { address = { required = true, type = "string" }, description = { type = "string" } },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v2/x509/{domain}"] = { params = { domain = { at = "path", required = true, type = "string" } } },
  ["POST /v3/domains/all/dynamic_pools/enroll"] = { params = { include_subaccounts = { at = "query", required = true, type = "boolean" } } },
  ["POST /v3/domains/{domain_name}/credentials"] = {
    bodies = {
      form = {
        fields = {
          login = { required = true, type = "string" },
          mailbox = { type = "string" },
          password = { type = "string" },
          system = { type = "boolean" },
        },
        multipart = true,
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/domains/{domain_name}/messages/{storage_key}"] = {
    bodies = { form = { fields = { to = { required = true, type = "string" } }, multipart = true } },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      storage_key = { at = "path", required = true, type = "string" },
    },
  },
  ["POST /v3/domains/{domain}/webhooks"] = {
    bodies = {
      form = {
        fields = {
          id = { required = true, type = "string" },
          url = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/domains/{name}/dynamic_pools"] = {
    params = {
      name = { at = "path", required = true, type = "string" },
      replacement_ip = { at = "query", required = true, type = "string" },
    },
  },
  ["POST /v3/dynamic_pools/all"] = {
    bodies = {
      form = {
        fields = {
          good_reputation = { required = true, type = "string" },
          new_senders = { required = true, type = "string" },
          poor_reputation = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v3/dynamic_pools/{pool_name}/{ip}"] = {
    params = {
      ip = { at = "path", required = true, type = "string" },
      pool_name = { at = "path", required = true, type = "string" },
    },
  },
  ["POST /v3/ip_pools"] = {
    bodies = {
      form = {
        fields = {
          description = { required = true, type = "string" },
          ip = { type = "string" },
          name = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v3/ip_pools/{pool_id}/ips.json"] = {
    bodies = { json = { fields = { ips = { items = "string", required = true, type = "array" } } } },
    params = { pool_id = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/ip_warmups/{addr}"] = { params = { addr = { at = "path", required = true, type = "string" } } },
  ["POST /v3/ips/request/new"] = { params = {  } },
  ["POST /v3/ips/{addr}/ip_band"] = {
    bodies = {
      form = { fields = { ip_band = { required = true, type = "string" } }, multipart = true },
    },
    params = { addr = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/ips/{ip}/domains"] = { params = { ip = { at = "path", required = true, type = "string" } } },
  ["POST /v3/lists"] = {
    bodies = {
      form = {
        fields = {
          access_level = { type = "string" },
          address = { required = true, type = "string" },
          description = { type = "string" },
          name = { type = "string" },
          reply_preference = { type = "string" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v3/lists/{list_address}/members"] = {
    bodies = {
      form = {
        fields = {
          address = { type = "string" },
          name = { type = "string" },
          subscribed = { type = "boolean" },
          upsert = { type = "boolean" },
          vars = { type = "object" },
        },
        multipart = true,
      },
    },
    params = { list_address = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/lists/{list_address}/members.csv"] = {
    bodies = {
      form = {
        fields = {
          members = { type = "string" },
          subscribed = { type = "boolean" },
          upsert = { type = "boolean" },
        },
        multipart = true,
      },
    },
    params = { list_address = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/lists/{list_address}/members.json"] = {
    bodies = {
      form = {
        fields = { members = { required = true, type = "string" }, upsert = { type = "boolean" } },
      },
    },
    params = { list_address = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/routes"] = {
    bodies = {
      form = {
        fields = {
          action = { items = "string", type = "array" },
          description = { type = "string" },
          expression = { required = true, type = "string" },
          priority = { type = "integer" },
        },
      },
    },
    params = {  },
  },
  ["POST /v3/{domain_name}/bounces"] = {
    bodies = {
      form = {
        fields = {
          address = { required = true, type = "string" },
          code = { type = "string" },
          created_at = { type = "string" },
          error = { type = "string" },
        },
      },
      json = {
        array = true,
        fields = {
          address = { required = true, type = "string" },
          code = { type = "string" },
          created_at = { type = "string" },
          error = { type = "string" },
        },
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/bounces/import"] = {
    bodies = { form = { fields = { file = { required = true, type = "string" } }, multipart = true } },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/complaints"] = {
    bodies = {
      form = {
        fields = { address = { required = true, type = "string" }, created_at = { type = "string" } },
      },
      json = {
        array = true,
        fields = { address = { required = true, type = "string" }, created_at = { type = "string" } },
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/complaints/import"] = {
    bodies = { form = { fields = { file = { required = true, type = "string" } }, multipart = true } },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/messages"] = {
    bodies = {
      form = {
        fields = {
          ["amp-html"] = { type = "string" },
          attachment = { file = true, items = "string", type = "array" },
          bcc = { items = "string", type = "array" },
          cc = { items = "string", type = "array" },
          from = { required = true, type = "string" },
          ["h:X-My-Header"] = { type = "string" },
          html = { type = "string" },
          inline = { file = true, items = "string", type = "array" },
          ["o:archive-to"] = { type = "string" },
          ["o:deliver-within"] = { type = "string" },
          ["o:deliverytime"] = { type = "string" },
          ["o:deliverytime-optimize-period"] = { type = "string" },
          ["o:dkim"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:require-tls"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:secondary-dkim"] = { type = "string" },
          ["o:secondary-dkim-public"] = { type = "string" },
          ["o:sending-ip"] = { type = "string" },
          ["o:sending-ip-pool"] = { type = "string" },
          ["o:skip-verification"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:suppress-headers"] = { type = "string" },
          ["o:tag"] = { items = "string", type = "array" },
          ["o:testmode"] = { enum = { "yes" }, type = "string" },
          ["o:time-zone-localize"] = { type = "string" },
          ["o:tracking"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["o:tracking-clicks"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["o:tracking-opens"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:tracking-pixel-location-top"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["recipient-variables"] = { type = "string" },
          subject = { required = true, type = "string" },
          ["t:text"] = { enum = { "yes" }, type = "string" },
          ["t:variables"] = { type = "string" },
          ["t:version"] = { type = "string" },
          template = { type = "string" },
          text = { type = "string" },
          to = { items = "string", required = true, type = "array" },
          ["v:my-var"] = { type = "string" },
        },
        multipart = true,
        open = true,
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/messages.mime"] = {
    bodies = {
      form = {
        fields = {
          ["h:X-My-Header"] = { type = "string" },
          message = { file = true, required = true, type = "string" },
          ["o:archive-to"] = { type = "string" },
          ["o:deliver-within"] = { type = "string" },
          ["o:deliverytime"] = { type = "string" },
          ["o:deliverytime-optimize-period"] = { type = "string" },
          ["o:dkim"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:require-tls"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:secondary-dkim"] = { type = "string" },
          ["o:secondary-dkim-public"] = { type = "string" },
          ["o:sending-ip"] = { type = "string" },
          ["o:sending-ip-pool"] = { type = "string" },
          ["o:skip-verification"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:suppress-headers"] = { type = "string" },
          ["o:tag"] = { items = "string", type = "array" },
          ["o:testmode"] = { enum = { "yes" }, type = "string" },
          ["o:time-zone-localize"] = { type = "string" },
          ["o:tracking"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["o:tracking-clicks"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["o:tracking-opens"] = { enum = { "yes", "no", "true", "false" }, type = "string" },
          ["o:tracking-pixel-location-top"] = { enum = { "yes", "no", "true", "false", "htmlonly" }, type = "string" },
          ["recipient-variables"] = { type = "string" },
          ["t:text"] = { enum = { "yes" }, type = "string" },
          ["t:variables"] = { type = "string" },
          ["t:version"] = { type = "string" },
          template = { type = "string" },
          to = { items = "string", required = true, type = "array" },
          ["v:my-var"] = { type = "string" },
        },
        multipart = true,
        open = true,
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/templates"] = {
    bodies = {
      form = {
        fields = {
          comment = { type = "string" },
          createdBy = { type = "string" },
          description = { type = "string" },
          headers = { type = "string" },
          name = { required = true, type = "string" },
          tag = { type = "string" },
          template = { type = "string" },
        },
        multipart = true,
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/templates/{template_name}/versions"] = {
    bodies = {
      form = {
        fields = {
          active = { type = "string" },
          comment = { type = "string" },
          headers = { type = "string" },
          tag = { required = true, type = "string" },
          template = { required = true, type = "string" },
        },
        multipart = true,
      },
    },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
    },
  },
  ["POST /v3/{domain_name}/unsubscribes"] = {
    bodies = {
      form = {
        fields = {
          address = { required = true, type = "string" },
          created_at = { type = "string" },
          tags = { type = "string" },
        },
      },
      json = {
        array = true,
        fields = {
          address = { required = true, type = "string" },
          created_at = { type = "string" },
          tags = { items = "string", type = "array" },
        },
      },
    },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/unsubscribes/import"] = {
    bodies = { form = { fields = { file = { required = true, type = "string" } }, multipart = true } },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/whitelists"] = {
    bodies = { form = { fields = { address = { type = "string" }, domain = { type = "string" } } } },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v3/{domain_name}/whitelists/import"] = {
    bodies = { form = { fields = { file = { required = true, type = "string" } }, multipart = true } },
    params = { domain_name = { at = "path", required = true, type = "string" } },
  },
  ["POST /v4/domains"] = {
    bodies = {
      form = {
        fields = {
          archive_to = { type = "string" },
          dkim_host_name = { type = "string" },
          dkim_key_size = { type = "string" },
          dkim_selector = { type = "string" },
          encrypt_incoming_message = { type = "boolean" },
          force_dkim_authority = { type = "boolean" },
          force_root_dkim_host = { type = "boolean" },
          ips = { type = "string" },
          message_ttl = { type = "integer" },
          name = { required = true, type = "string" },
          pool_id = { type = "string" },
          require_tls = { type = "boolean" },
          skip_verification = { type = "boolean" },
          smtp_password = { type = "string" },
          spam_action = { type = "string" },
          use_automatic_sender_security = { type = "boolean" },
          web_prefix = { type = "string" },
          web_scheme = { type = "string" },
          wildcard = { type = "boolean" },
        },
        multipart = true,
      },
    },
    params = {  },
  },
  ["POST /v4/domains/{domain}/webhooks"] = {
    bodies = {
      form = {
        fields = {
          event_types = { required = true, type = "string" },
          url = { required = true, type = "string" },
        },
      },
    },
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["POST /v5/accounts/http_signing_key"] = { params = {  } },
  ["POST /v5/accounts/resend_activation_email"] = { params = {  } },
  ["POST /v5/accounts/subaccounts"] = { params = { name = { at = "query", required = true, type = "string" } } },
  ["POST /v5/accounts/subaccounts/{subaccount_id}/disable"] = {
    params = {
      note = { at = "query", type = "string" },
      reason = { at = "query", type = "string" },
      subaccount_id = { at = "path", required = true, type = "string" },
    },
  },
  ["POST /v5/accounts/subaccounts/{subaccount_id}/enable"] = { params = { subaccount_id = { at = "path", required = true, type = "string" } } },
  ["POST /v5/sandbox/auth_recipients"] = { params = { email = { at = "query", required = true, type = "string" } } },
  ["PUT /v1/analytics/tags"] = {
    bodies = { json = { fields = { description = { type = "string" }, tag = { type = "string" } } } },
    params = {  },
  },
  ["PUT /v1/dkim_management/domains/{name}/rotation"] = {
    bodies = {
      form = {
        fields = {
          rotation_enabled = { required = true, type = "boolean" },
          rotation_interval = { type = "string" },
        },
        multipart = true,
      },
    },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v1/dynamic_pools/domains/{name}/override"] = {
    bodies = { form = { fields = { pool = { required = true, type = "string" } }, multipart = true } },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v1/thresholds/alerts/send/{name}"] = {
    bodies = {
      json = {
        fields = {
          alert_channels = { enum = { "email", "slack", "webhook" }, items = "string", type = "array" },
          comparator = { enum = { "=", "!=", "<", "<=", ">", ">=" }, required = true, type = "string" },
          description = { type = "string" },
          dimension = {
            enum = { "domain", "ip", "ip_pool", "recipient_provider", "subaccount" },
            required = true,
            type = "string",
          },
          filters = { items = "object", type = "array" },
          limit = { required = true, type = "string" },
          metric = {
            enum = { "hard_bounce_rate", "temporary_fail_rate", "delivered_rate", "complained_rate" },
            required = true,
            type = "string",
          },
          name = { required = true, type = "string" },
          period = { type = "string" },
        },
      },
    },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v2/ip_whitelist"] = {
    bodies = {
      form = {
        fields = { address = { required = true, type = "string" }, description = { type = "string" } },
        multipart = true,
      },
    },
    params = {  },
  },
  ["PUT /v2/x509/{domain}"] = { params = { domain = { at = "path", required = true, type = "string" } } },
  ["PUT /v3/domains/{domain_name}/credentials/{spec}"] = {
    bodies = { form = { fields = { password = { type = "string" } }, multipart = true } },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      spec = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/domains/{domain_name}/webhooks/{webhook_name}"] = {
    bodies = { form = { fields = { url = { required = true, type = "string" } }, multipart = true } },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      webhook_name = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/domains/{name}/dkim_authority"] = {
    bodies = { form = { fields = { self = { type = "boolean" } }, multipart = true } },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/domains/{name}/dkim_selector"] = {
    bodies = { form = { fields = { dkim_selector = { type = "string" } }, multipart = true } },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/domains/{name}/tracking/click"] = {
    bodies = { form = { fields = { active = { type = "string" } }, multipart = true } },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/domains/{name}/tracking/open"] = {
    bodies = {
      form = {
        fields = { active = { type = "boolean" }, place_at_the_top = { type = "boolean" } },
        multipart = true,
      },
    },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/domains/{name}/tracking/unsubscribe"] = {
    bodies = {
      form = {
        fields = {
          active = { type = "boolean" },
          html_footer = { type = "string" },
          text_footer = { type = "string" },
        },
        multipart = true,
      },
    },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/ip_pools/{pool_id}/ips/{ip}"] = {
    params = {
      ip = { at = "path", required = true, type = "string" },
      pool_id = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/lists/{list_address}"] = {
    bodies = {
      form = {
        fields = {
          access_level = { type = "string" },
          address = { type = "string" },
          description = { type = "string" },
          ["list-id"] = { type = "string" },
          name = { type = "string" },
          reply_reference = { type = "string" },
        },
        multipart = true,
      },
    },
    params = { list_address = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/lists/{list_address}/members/{member_address}"] = {
    bodies = {
      form = {
        fields = {
          address = { type = "string" },
          name = { type = "string" },
          subscribed = { type = "boolean" },
          vars = { type = "object" },
        },
        multipart = true,
      },
    },
    params = {
      list_address = { at = "path", required = true, type = "string" },
      member_address = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/routes/{id}"] = {
    bodies = {
      form = {
        fields = {
          action = { items = "string", type = "array" },
          description = { type = "string" },
          expression = { type = "string" },
          id = { type = "string" },
          priority = { type = "integer" },
        },
      },
    },
    params = { id = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v3/{domain_name}/templates/{template_name}"] = {
    bodies = { form = { fields = { description = { type = "string" } }, multipart = true } },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/{domain_name}/templates/{template_name}/versions/{version_name}"] = {
    bodies = {
      form = {
        fields = {
          active = { type = "string" },
          comment = { type = "string" },
          headers = { type = "string" },
          template = { type = "string" },
        },
        multipart = true,
      },
    },
    params = {
      domain_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
      version_name = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/{domain_name}/templates/{template_name}/versions/{version_name}/copy/{new_version_name}"] = {
    params = {
      comment = { at = "query", type = "string" },
      domain_name = { at = "path", required = true, type = "string" },
      new_version_name = { at = "path", required = true, type = "string" },
      template_name = { at = "path", required = true, type = "string" },
      version_name = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v3/{domain}/tag"] = {
    deprecated = true,
    params = {
      description = { at = "query", type = "string" },
      domain = { at = "path", required = true, type = "string" },
      tag = { at = "query", required = true, type = "string" },
    },
  },
  ["PUT /v4/domains/{authority_name}/keys/{selector}/activate"] = {
    params = {
      authority_name = { at = "path", required = true, type = "string" },
      selector = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v4/domains/{authority_name}/keys/{selector}/deactivate"] = {
    params = {
      authority_name = { at = "path", required = true, type = "string" },
      selector = { at = "path", required = true, type = "string" },
    },
  },
  ["PUT /v4/domains/{domain}/webhooks"] = {
    bodies = {
      form = {
        fields = {
          event_types = { required = true, type = "string" },
          url = { required = true, type = "string" },
        },
      },
    },
    params = { domain = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v4/domains/{name}"] = {
    bodies = {
      form = {
        fields = {
          archive_to = { type = "string" },
          mailfrom_host = { type = "string" },
          message_ttl = { type = "integer" },
          require_tls = { type = "boolean" },
          skip_verification = { type = "boolean" },
          smtp_password = { type = "string" },
          spam_action = { type = "string" },
          use_automatic_sender_security = { type = "boolean" },
          web_prefix = { type = "string" },
          web_scheme = { type = "string" },
          wildcard = { type = "boolean" },
        },
        multipart = true,
      },
    },
    params = { name = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v4/domains/{name}/verify"] = { params = { name = { at = "path", required = true, type = "string" } } },
  ["PUT /v5/accounts"] = {
    params = {
      absolute_session_timeout = { at = "query", type = "integer" },
      inactive_session_timeout = { at = "query", type = "integer" },
      logout_redirect_url = { at = "query", type = "string" },
      name = { at = "query", type = "string" },
    },
  },
  ["PUT /v5/accounts/limit/custom/enable"] = { params = {  } },
  ["PUT /v5/accounts/limit/custom/monthly"] = { params = { limit = { at = "query", required = true, type = "number" } } },
  ["PUT /v5/accounts/subaccounts/{subaccountId}/ip_pool"] = { params = { subaccountId = { at = "path", required = true, type = "string" } } },
  ["PUT /v5/accounts/subaccounts/{subaccount_id}/features"] = {
    bodies = {
      form = {
        fields = {
          email_preview = { type = "object" },
          inbox_placement = { type = "object" },
          sending = { type = "object" },
          validations = { type = "object" },
          validations_bulk = { type = "object" },
        },
      },
    },
    params = { subaccount_id = { at = "path", required = true, type = "string" } },
  },
  ["PUT /v5/accounts/subaccounts/{subaccount_id}/limit/custom/monthly"] = {
    params = {
      limit = { at = "query", required = true, type = "number" },
      subaccount_id = { at = "path", required = true, type = "string" },
    },
  },
}
