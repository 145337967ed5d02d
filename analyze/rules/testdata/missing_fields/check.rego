# METADATA
# title: Missing most fields
# custom:
#   id: ACME-MISS-001
#   resource_types: []
#   frameworks: frameworks-is-not-a-list
package snapaudit.rules.missing_fields

findings contains "x" if false
