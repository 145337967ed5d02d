# A helper package of the auditor's own: not under snapaudit.rules, not a check.
package acme.helpers

versioned(b) if b.versioningEnabled == true
