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
// code. The few things a record cannot express are counted escape hatches
// (hatch.go), each with a reason.
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
//	// failed calls and malformed rows -> scopes with unknown data
//	gaps := model.Gaps(append(model.FromManifest(snap.Manifest().Calls), model.FromMalformed(bad)...))
//
// Types, Services, Sources and Relationships describe the registry for
// documentation and for the rule engine.
package model
