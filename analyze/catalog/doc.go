// Package catalog describes what the analyzer can produce, generated from
// the registries and never written by hand: every entity `_type` (the
// model's records, its service placeholders, and the entities created as
// relationship ends), the calls each depends on with the IAM action each
// call needs (from the collector's registry, through shapes.txt), its
// `_key` templates and properties, and every relationship kind of the
// model and of the IAM derivations (analyze/access).
//
// Build returns the Catalog; `snapaudit types` prints it (table or JSON,
// the JSON being Catalog as is). ResourceTypesDoc renders
// docs/resource-types.md from it, and CoverageDoc renders docs/coverage.md:
// every row of the spec tables (testdata/spec/entities.tsv,
// relationships.tsv, relationships_implied.tsv), produced or not, and why.
// Reasons that are decisions live in decisions.tsv beside this file
// (data, read by the generator and checked by its test): a row without one
// is "not collected yet (planned)", or, when the spec's status column
// flags it, says what the spec says; a row whose both ends the
// registries produce must be built or decided (TestEveryBuildableRowDecided).
// apis.tsv says, for every collected service, whether AWS has retired or
// renamed its API and which successor the collector reads (CheckAPIs); it
// is the coverage document's "Retired or renamed services" section.
//
// After adding resource types, regenerate both documents with
//
//	go test ./analyze/catalog -run TestDocs -update
//
// Like the rest of analyze it does not link the collector: the scope,
// parent and IAM action of each call come from the table the model
// generates from the collector's registry (analyze/model/shapes.txt).
package catalog
