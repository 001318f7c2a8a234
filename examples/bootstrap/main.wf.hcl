# A realistic workspace bootstrap: every resource family workform manages, wired together
# with references and variables.
#
#   workform -C examples/bootstrap --sandbox apply --var-file sandbox.wfvars
#
# applies it to the built-in emulator. Against a real workspace, pass real credentials
# (WF_VAR_jira_token, ...) instead of sandbox.wfvars.

variable "env" {
  type        = string
  default     = "staging"
  description = "The environment this workspace serves."

  validation {
    condition     = contains(["staging", "prod"], var.env)
    error_message = "env must be staging or prod."
  }
}

variable "jira_token" {
  type        = string
  sensitive   = true
  description = "API token of the Jira service account."
}

variable "partner_ips" {
  type    = list(string)
  default = ["203.0.113.0/24"]
}

locals {
  prefix = "billing.${var.env}"
  settings = {
    base_url = "https://api.example.com"
    retries  = "3"
    timeout  = "30"
  }
}

data "workato_workspace" "current" {}

# --- Projects and folders ----------------------------------------------------------

resource "workato_project" "billing" {
  name        = "Billing (${var.env})"
  description = "Invoices, payments and the partner API"
}

resource "workato_folder" "integrations" {
  name      = "Integrations"
  folder_id = workato_project.billing.folder_id
}

resource "workato_folder" "data" {
  name      = "Data"
  folder_id = workato_project.billing.folder_id
}

# --- Properties --------------------------------------------------------------------

resource "workato_project_property" "settings" {
  for_each = local.settings

  project_id = workato_project.billing.id
  name       = "${local.prefix}.${each.key}"
  value      = each.value
}

resource "workato_project_property" "environment" {
  name  = "workspace.environment"
  value = var.env
}

# --- Connections -------------------------------------------------------------------

resource "workato_connection" "jira" {
  name           = "Jira (${var.env})"
  connector_name = "jira"
  folder_id      = workato_folder.integrations.id
  input = {
    host_name = "acme.atlassian.net"
    auth_type = "api_token"
    email     = "integrations@acme.example"
    apitoken  = var.jira_token
  }
}

resource "workato_connection" "salesforce" {
  name             = "Salesforce (${var.env})"
  connector_name   = "salesforce"
  folder_id        = workato_folder.integrations.id
  shell_connection = true # OAuth: authorised later in the Workato UI
}

# --- Data tables -------------------------------------------------------------------

resource "workato_data_table" "customers" {
  name      = "customers"
  folder_id = workato_folder.data.id

  column {
    name = "email"
    type = "string"
  }
  column {
    name     = "name"
    type     = "string"
    optional = true
  }
}

resource "workato_data_table" "invoices" {
  name      = "invoices"
  folder_id = workato_folder.data.id

  column {
    name = "number"
    type = "string"
  }
  column {
    name = "amount"
    type = "number"
  }
  column {
    name = "customer"
    type = "relation"
    relation {
      table_id = workato_data_table.customers.id
      field_id = workato_data_table.customers.field_ids["email"]
    }
  }
}

# --- API platform ------------------------------------------------------------------

resource "workato_api_collection" "partner" {
  name       = "Partner API ${var.env}"
  project_id = workato_project.billing.id
  openapi_spec = {
    format  = "json"
    content = file("${path.module}/partner-api.json")
  }
}

resource "workato_api_endpoint" "list_invoices" {
  api_collection_id = workato_api_collection.partner.id
  method            = "GET"
  path              = "/invoices"
  active            = true
}

resource "workato_api_client" "partner_portal" {
  name               = "Partner portal"
  description        = "Invoices for partners"
  project_id         = workato_project.billing.id
  auth_type          = "token"
  api_collection_ids = [workato_api_collection.partner.id]
}

resource "workato_api_key" "partner" {
  api_client_id = workato_api_client.partner_portal.id
  name          = "partner-${var.env}"
  ip_allow_list = var.partner_ips
}

# --- Tags --------------------------------------------------------------------------

resource "workato_tag" "billing" {
  title       = "billing"
  description = "Owned by the billing team"
  color       = "green"
}

resource "workato_tag_assignment" "billing_connections" {
  tag_handle     = workato_tag.billing.id
  connection_ids = [workato_connection.jira.id, workato_connection.salesforce.id]
}

# --- On-prem -----------------------------------------------------------------------

resource "workato_on_prem_group" "dc1" {
  name            = "DC1 agents"
  whitelisted_ips = ["198.51.100.10"]
}

resource "workato_on_prem_agent" "dc1_a" {
  name             = "dc1-a"
  os               = "linux"
  on_prem_group_id = workato_on_prem_group.dc1.id
}

# --- Outputs -----------------------------------------------------------------------

output "workspace" {
  value = data.workato_workspace.current.name
}

output "project_id" {
  value = workato_project.billing.id
}

output "partner_api_url" {
  value = workato_api_collection.partner.url
}

output "partner_key" {
  value     = workato_api_key.partner.auth_token
  sensitive = true
}
