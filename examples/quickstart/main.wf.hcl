# A first workform configuration: one project, two folders and two project properties.
#
#   workform -C examples/quickstart --sandbox apply --auto-approve
#
# runs it against the built-in Workato API emulator (no account needed). Point it at a
# real workspace with WORKATO_API_TOKEN and WORKATO_REGION (or WORKATO_HOST) instead.

variable "env" {
  type        = string
  default     = "staging"
  description = "Which environment this copy of the project serves."

  validation {
    condition     = contains(["staging", "prod"], var.env)
    error_message = "env must be staging or prod."
  }
}

locals {
  prefix = "billing.${var.env}"
}

resource "workato_project" "billing" {
  name        = "Billing (${var.env})"
  description = "Invoices and payments"
}

resource "workato_folder" "integrations" {
  name      = "Integrations"
  folder_id = workato_project.billing.folder_id
}

resource "workato_folder" "reports" {
  name      = "Reports"
  folder_id = workato_folder.integrations.id
}

resource "workato_project_property" "settings" {
  for_each = {
    base_url = "https://api.example.com"
    retries  = "3"
  }

  project_id = workato_project.billing.id
  name       = "${local.prefix}.${each.key}"
  value      = each.value
}

output "project_id" {
  value = workato_project.billing.id
}

output "integrations_folder_id" {
  value = workato_folder.integrations.id
}
