// Package model rebuilds the JupiterOne-style entity graph from snapshot
// rows.
//
// The heart of the package is a declarative registry (types_<service>.go): one
// EntityType record per `_type` says which collected call its items come
// from, where the items are in the response, how to build `_key`, `id`,
// `name`, tags and properties, which per-parent calls enrich it, and which
// relationships it has. What the collector declares about a call (its
// scope, its parent, its SDK output type) is never repeated here: the
// model reads it from shapes.txt, generated from the collector's registry
// and kept current by TestShapes (plan.go, shape.go). Build streams each
// call's rows once through every record that reads it; adding a resource type means adding a record, not
// code. Firewall rule lists (security group permissions, network ACL
// entries) are declared too (RuleSpec, rules.go). The few things a record
// cannot express are counted escape hatches (hatch.go), each with a reason.
//
// Entities follow J1's conventions (notes.md §3–4): `_key` is the ARN where
// one exists, `_class` is the list from entities.tsv, every class's
// required properties are present (null when unknown), tags become
// `tag.<Key>` with J1 value conversion, `tags`, and lowercased
// `classification`/`owner`/`email`. Account and service placeholders
// (`aws_account`, `aws_ec2`, ...) and the global Internet/Everyone entities
// come from global.go; the IAM derivations use the same helpers.
//
// Every stored response is decoded once per phase by a checked decoder
// (decode.go) against the JSON shape of its call's SDK output type
// (shape.go, shapes.txt: generated from the collector's registry). A
// response of the wrong shape, with a repeated key or with data after the
// value is malformed: Build fails on it, or, with OnMalformed, skips the
// row like a failed call and reports it, and FromMalformed makes it a gap.
//
// Use:
//
//	snap, _ := snapshot.Open(dir)
//	var bad []*model.RowError
//	g, err := model.Build(ctx, snap, model.WithLogger(log), model.WithAccounts(accounts...),
//		model.OnMalformed(func(e *model.RowError) { bad = append(bad, e) }))
//	// failed calls, malformed rows and calls never made -> scopes with unknown data
//	m := snap.Manifest()
//	gaps := model.Gaps(append(model.FromManifest(m.Calls), model.FromMalformed(bad)...), model.WithPlan(m.Plan))
//
// Types, Services, Sources, Relationships, EntityType.Properties and
// CollectedCall describe the registry for documentation (analyze/catalog:
// `snapaudit types`, docs/) and for the rule engine.
//
// # Adding a resource type
//
// By hand, and nothing else:
//
//  1. One collect record per call, in collect/registry_<service>.go, in
//     operation order (a new service: a new file, its calls func in
//     collect.Registry's slices.Concat, and its client in collect's
//     services()). A regional list call is one line,
//     regional(paged(ec2.NewDescribeInternetGatewaysPaginator, none)); a
//     per-parent call with a plain input field two,
//     perParent(keysAt[...](path), single(..., field[...]("Name"))); an
//     API that describes many resources per request is batched
//     (batchesAt, collect/batch.go: ecs DescribeClusters).
//     Service, operation and parent come from the SDK types; add
//     Redact/NotSecret entries if the registry test names secret-looking
//     output fields, and authorizedBy if the IAM action has another name.
//  2. One entity record per type, in types_<service>.go (a new service:
//     its <service>Service placeholder in the same file, listed in
//     aws.go's registry and global.go's services): Type and Class as
//     testdata/spec/entities.tsv says, Source op("service:Operation"),
//     Items, Key/ID/Name templates, Props, Constants, Enrich, Rules (a
//     firewall's rule lists) and Rels as
//     relationships.tsv says. Its scope and upstream calls are read from
//     the collector's plan, never written.
//  3. One fixture per call: testdata/calls/<service>.<Operation>.json, the
//     SDK output as JSON (rows as the collector stores them), with items
//     that produce every entity and every relationship the record declares.
//     The demo must show every type too: a wire fixture for the demo world
//     (testdata/fakeaws/demo/<service>/<region>/<Operation>.xml or .json,
//     and a line in testdata/fakeaws/README.md).
//  4. Its share in the synthetic organisation (collect/synth): a weights
//     entry in account.go and the few lines that write the call's rows,
//     since synth answers every call of the registry (its tests fail for a
//     call without rows).
//
// Then regenerate, review the diffs and commit them:
//
//	go test ./analyze/model -run TestShapes -update        # shapes.txt: scope, parent, response shape
//	go test ./collect -run 'TestPermissionsDoc|TestRedactionDoc' -update
//	go test ./collect -run TestDemoSnapshot -update          # the demo snapshot
//	go test ./analyze/model -run TestTypeGoldens -update     # testdata/types/<_type>.golden.json
//	go test ./analyze -run TestDemoGolden -update            # the demo graph (findings only if a check changes)
//	go test ./analyze/catalog -run TestDocs -update          # docs/resource-types.md, docs/coverage.md
//
// The tests then hold the addition to the spec and to itself: every path
// and template parses and exists in the SDK output type
// (TestValidateRejectsBadSyntax, TestRegistryPathsExistInSDK), classes and
// relationships match the spec
// (TestRegistryMatchesSpec), every call read has a fixture
// (TestFixturePerCall), every declared relationship is built
// (TestEveryRelationshipBuilt), the type is in the demo (TestDemoTypes),
// and its gaps follow from the plan (Gaps). aws_internet_gateway was added
// this way: 1 collect line, 14 record lines, a 24-line fixture, a 16-line
// demo fixture, 11 synth lines and a README line (7 files, 67 lines by
// hand); everything else was regenerated. aws_db_snapshot, with a per-item
// attribute call for public/shared: 20 collect lines (a key filter for
// manual snapshots), a 72-line record with its three converters, two
// fixtures (38 lines), two demo wire fixtures (47), 58 synth lines, a
// README row and 8 lines of moto seed and check (11 files, 245 lines).
package model
