# METADATA
# title: KMS customer-managed key without automatic rotation
# description: >-
#   A customer-managed (keyManager CUSTOMER), symmetric (keySpec
#   SYMMETRIC_DEFAULT), enabled KMS key whose key material KMS generated
#   (origin AWS_KMS) must have automatic rotation enabled (rotationEnabled,
#   from GetKeyRotationStatus). It FAILs when rotation is off and is an
#   ERROR, never a PASS, when the rotation status could not be read (the
#   call was refused or failed: rotationEnabled null), as when the key's
#   manager, spec, state or origin is unknown. AWS-managed keys (rotated by
#   AWS every year), asymmetric and HMAC keys, disabled keys and keys
#   pending deletion, and keys with imported material or in a custom key
#   store (which KMS cannot rotate automatically) are not judged.
# custom:
#   id: AWS-KMS-001
#   severity: medium
#   resource_types:
#     - aws_kms_key
#   frameworks:
#     - CIS AWS Foundations v3.0.0 3.6
#     - AWS Foundational Security Best Practices KMS.4
#   remediation: >-
#     Enable automatic rotation of the key (aws kms enable-key-rotation
#     --key-id KEY, optionally --rotation-period-in-days); KMS keeps the old
#     key material, so data encrypted before the rotation still decrypts.
package snapaudit.rules.kms_key_rotation

import data.lib

findings contains f if {
	some k in lib.resources_of_type("aws_kms_key")
	f := _verdict(k)
}

_facts := ["keyManager", "keySpec", "enabled", "origin"]

_unknown(k) := [p | some p in _facts; object.get(k, p, null) == null]

_verdict(k) := lib.error(k, sprintf("KMS key %s: %s unknown, so whether rotation is required is unknown", [_name(k), concat(", ", _unknown(k))])) if {
	count(_unknown(k)) > 0
}

_verdict(k) := lib.error(k, sprintf("KMS key %s: its rotation status could not be read", [_name(k)])) if {
	_judged(k)
	not is_boolean(object.get(k, "rotationEnabled", null))
}

_verdict(k) := lib.fail(k, sprintf("KMS key %s: automatic key rotation is disabled", [_name(k)])) if {
	_judged(k)
	k.rotationEnabled == false
}

_verdict(k) := lib.pass(k, sprintf("KMS key %s: automatic key rotation is enabled%s", [_name(k), _period(k)])) if {
	_judged(k)
	k.rotationEnabled == true
}

_judged(k) if {
	count(_unknown(k)) == 0
	k.keyManager == "CUSTOMER"
	k.keySpec == "SYMMETRIC_DEFAULT"
	k.enabled == true
	k.origin == "AWS_KMS"
}

_period(k) := sprintf(" (every %d days)", [k.rotationPeriodInDays]) if is_number(object.get(k, "rotationPeriodInDays", null))

else := ""

_name(k) := sprintf("%s (%s)", [k.name, k.id]) if {
	is_string(object.get(k, "name", null))
	is_string(object.get(k, "id", null))
	k.name != k.id
} else := object.get(k, "id", k._key)
