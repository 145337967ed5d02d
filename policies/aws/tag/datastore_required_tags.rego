# METADATA
# title: Data store is missing a required tag
# description: >-
#   Every data store (an entity whose _class contains DataStore: S3 buckets,
#   EBS volumes and snapshots, RDS instances, clusters and snapshots, DynamoDB
#   tables, EFS file systems, ElastiCache, Elasticsearch and Redshift) must
#   carry the tags that say what data it holds and who answers for it. The
#   tag names come from data.snapaudit.config.required_tags (default
#   Classification and Owner); a tag that is present with an empty value counts
#   as missing. Tag names are matched exactly (AWS tag keys are
#   case-sensitive).
# custom:
#   id: AWS-TAG-001
#   severity: low
#   resource_types:
#     - aws_db_cluster_snapshot
#     - aws_db_instance
#     - aws_db_snapshot
#     - aws_dynamodb_table
#     - aws_ebs_snapshot
#     - aws_ebs_volume
#     - aws_efs_file_system
#     - aws_elasticache_cluster_node
#     - aws_elasticache_memcached_cluster
#     - aws_elasticache_redis_cluster
#     - aws_elasticsearch_domain
#     - aws_rds_cluster
#     - aws_redshift_cluster
#     - aws_s3_bucket
#   frameworks:
#     - JupiterOne AWS ProTips (tag Classification and Owner)
#   remediation: >-
#     Tag the resource with each required tag (for example Classification=
#     confidential and Owner=<team or e-mail>), and enforce the tags for new
#     resources with an AWS Organizations tag policy or an SCP that denies
#     create calls without them (aws:RequestTag).
package snapaudit.rules.datastore_required_tags

import data.lib

required_tags := lib.config("required_tags", ["Classification", "Owner"])

# _tags is [name, property] of each required tag, in the configured order
# ("tag.<name>" is the property).
_tags := [[t, concat("", ["tag.", t])] | some t in required_tags]

# _absent are the values of a tag property that count as missing (as in
# lib.has_tag); an absent property reads as null.
_absent := {null, ""}

_required_list := concat(", ", required_tags)

# One rule judges each data store once: it collects the missing tags with
# one comprehension and takes the status and the end of the message from
# _verdict(missing), which OPA caches per distinct list of missing tags (a
# handful per organisation), not per data store. Two rules, one for FAIL
# and one for PASS, evaluated the comprehension twice per data store
# (docs/performance.md, "One verdict per resource"). The finding is the
# object lib.fail and lib.pass build, written out: a call of a Rego
# function per data store cost OPA a fifth of this check's allocations.
# The tags and name are read with builtins in the rule body, not through
# helper functions taking the entity (lib.has_tag, a _missing(e)): OPA
# caches every such call per entity for the whole evaluation, which at
# 1,000,000 resources made this check, over every data store, the largest
# holder of memory of the checks phase ("The checks phase at 1,000,000
# resources"). The per-check constants are bound to locals before the loop
# (one lookup per rule, not per data store); an `every` per data store
# cost about 2.5 times as many allocations as the comprehension. The data
# stores are found by key in input.resource_classes (what
# lib.resources_of_class reads) and looked up here: iterating over the
# helper's array cost OPA about three more allocations per element past its
# 512th, 8 % of the check's at 100,000 resources (docs/performance.md,
# "Fewer allocations in the checks").
findings contains f if {
	tags := _tags
	absent := _absent
	some k in object.get(input.resource_classes, "DataStore", [])
	e := input.entities[k]
	missing := [t | some [t, p] in tags; object.get(e, p, null) in absent]
	verdict := _verdict(missing)
	f := {"resource_key": e._key, "status": verdict.status, "message": sprintf("%s %s %s", [e._type, object.get(e, "name", e._key), verdict.text])}
}

# _verdict(missing) is the status and the end of the message of a data
# store whose missing tags are missing.
_verdict([]) := {"status": "PASS", "text": concat("", ["has the required tags: ", _required_list])}

_verdict(missing) := {"status": "FAIL", "text": concat("", ["is missing required tag(s): ", concat(", ", missing)])} if missing != []
