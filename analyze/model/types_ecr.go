package model

import (
	"encoding/json"
	"fmt"
)

// ecrService is the aws_ecr placeholder entity.
var ecrService = ServiceInfo{Name: "ecr", DisplayName: "AWS ECR", Category: []string{"infrastructure"}, Function: []string{"storage"}}

// ecrRepoARN is the ARN of the repository an image (or a finding's image,
// whose parent key is "<repository>@<digest>") belongs to; an image's
// _key is it plus "@<digest>" (images have no ARN; entities.tsv).
const ecrRepoARN = "arn:aws:ecr:{region}:{RegistryId}:repository/{RepositoryName}"

// ecrFinding starts a finding's _key: its image's key and the CVE.
const ecrFinding = "arn:aws:ecr:{region}:{account}:repository/{parent}|{Name}"

func ecrTypes() []EntityType {
	return []EntityType{
		{
			Type: "aws_ecr_image", Class: []string{"Image"}, Service: "ecr",
			Source: op("ecr:DescribeImages"), Items: "ImageDetails[]",
			Key: []string{ecrRepoARN + "@{ImageDigest}"}, SyntheticKey: true,
			ID: "{ImageDigest}", Name: "{RepositoryName}@{ImageDigest}", Created: "ImagePushedAt",
			WebLink: "https://console.aws.amazon.com/ecr/repositories/private/{RegistryId}/{RepositoryName}/_/image/{ImageDigest}/details?region={region}",
			Props: []Prop{
				{Name: "imageTags", Path: "ImageTags[]", Default: []any{}},
				{Name: "scanStatus", Path: "ImageScanStatus.Status"},
				{Name: "scanStatusDescription", Path: "ImageScanStatus.Description"},
				{Name: "scanCompletedOn", Path: "ImageScanFindingsSummary.ImageScanCompletedAt", Conv: epochMS},
				{Name: "criticalFindings", Path: "ImageScanFindingsSummary.FindingSeverityCounts", Conv: severityCount("CRITICAL")},
				{Name: "highFindings", Path: "ImageScanFindingsSummary.FindingSeverityCounts", Conv: severityCount("HIGH")},
				{Name: "mediumFindings", Path: "ImageScanFindingsSummary.FindingSeverityCounts", Conv: severityCount("MEDIUM")},
				{Name: "lowFindings", Path: "ImageScanFindingsSummary.FindingSeverityCounts", Conv: severityCount("LOW")},
				{Name: "informationalFindings", Path: "ImageScanFindingsSummary.FindingSeverityCounts", Conv: severityCount("INFORMATIONAL")},
			},
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_ecr_repository", Reverse: true, Value: ecrRepoARN, By: "_key"},
				// A job definition names its image by URI: by tag, or by
				// digest (REGISTRY.dkr.ecr.REGION.amazonaws.com/REPO:TAG|@DIGEST).
				{Verb: "USES", Target: "aws_batch_job_definition", Reverse: true, Path: "ImageTags[]",
					Value: "{^.RegistryId}.dkr.ecr.{region}.amazonaws.com/{^.RepositoryName}:{@}", By: "image"},
				{Verb: "USES", Target: "aws_batch_job_definition", Reverse: true,
					Value: "{RegistryId}.dkr.ecr.{region}.amazonaws.com/{RepositoryName}@{ImageDigest}", By: "image"},
			},
		},
		{
			// Basic scanning findings (imageScanFindings.findings[]): one
			// per image, CVE, package and version (entities.tsv), the
			// package read from the attribute list. Enhanced (Inspector)
			// findings are not modelled yet.
			Type: "aws_ecr_image_scan_finding", Class: []string{"Finding"}, Service: "ecr",
			Source: op("ecr:DescribeImageScanFindings"), Items: "ImageScanFindings.Findings[]",
			Key:          []string{ecrFinding + "|{=packageName}|{=packageVersion}", ecrFinding + "|{=packageName}", ecrFinding},
			SyntheticKey: true,
			ID:           "{Name}", Name: "{Name}", WebLink: "{Uri}",
			Skip: []string{"Attributes"},
			Props: []Prop{
				{Name: "numericSeverity", Path: "Severity", Conv: numericSeverity, KeepNull: true},
				{Name: "packageName", Path: "Attributes", Conv: attribute("package_name")},
				{Name: "packageVersion", Path: "Attributes", Conv: attribute("package_version")},
				{Name: "cvss2Score", Path: "Attributes", Conv: attribute("CVSS2_SCORE")},
				{Name: "cvss3Score", Path: "Attributes", Conv: attribute("CVSS3_SCORE")},
			},
			// Listed by the image's latest scan: open.
			Constants: map[string]any{"category": "vulnerability", "open": true},
			Rels: []RelSpec{{Verb: "HAS", Target: "aws_ecr_image", Reverse: true,
				Value: "arn:aws:ecr:{region}:{account}:repository/{parent}", By: "_key"}},
		},
		{
			Type: "aws_ecr_repository", Class: []string{"Repository"}, Service: "ecr",
			Source: op("ecr:DescribeRepositories"), Items: "Repositories[]",
			Key: []string{"{RepositoryArn}"}, ID: "{RepositoryName}", Name: "{RepositoryName}", Created: "CreatedAt",
			WebLink: "https://console.aws.amazon.com/ecr/repositories/private/{RegistryId}/{RepositoryName}?region={region}",
			Props: []Prop{
				{Name: "scanOnPush", Path: "ImageScanningConfiguration.ScanOnPush", Default: false},
				{Name: "encryptionType", Path: "EncryptionConfiguration.EncryptionType"},
				{Name: "kmsKeyId", Path: "EncryptionConfiguration.KmsKey"},
				{Name: "tagImmutable", Path: "ImageTagMutability", Conv: immutableTags},
			},
			// ECR encrypts every repository at rest: AES256 unless KMS.
			Constants: map[string]any{"encrypted": true},
			Enrich: []Enrichment{
				{Call: op("ecr:ListTagsForResource"), By: "_key", Tags: "Tags"},
				// The policy feeds the resource-policy ALLOWS (analyze/access).
				{Call: op("ecr:GetRepositoryPolicy"), By: "name", Props: []Prop{
					{Name: "policy", Path: "PolicyText", Conv: decodePolicy},
					{Name: "public", Path: "PolicyText", Conv: publicPolicy},
				}, SetOnNotFound: map[string]any{"public": false}},
			},
		},
	}
}

// severityCount reads one severity's count from a scan's
// FindingSeverityCounts: 0 when the summary exists without it (the scan
// found none), nil when there is no summary (never scanned: unknown).
func severityCount(sev string) Conv {
	return func(v any) (any, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, nil
		}
		if n, ok := m[sev]; ok {
			return normalize(n), nil
		}
		return int64(0), nil
	}
}

// ecrSeverities maps ECR's severities to J1's numericSeverity (0-10).
var ecrSeverities = map[string]int64{"CRITICAL": 10, "HIGH": 7, "MEDIUM": 5, "LOW": 2, "INFORMATIONAL": 0}

// numericSeverity is J1's numericSeverity of an ECR severity; nil for
// UNDEFINED and anything unknown.
func numericSeverity(v any) (any, error) {
	if n, ok := ecrSeverities[scalarString(v)]; ok {
		return n, nil
	}
	return nil, nil
}

// immutableTags is true when image tags cannot be overwritten (IMMUTABLE,
// or IMMUTABLE_WITH_EXCLUSION).
func immutableTags(v any) (any, error) {
	switch scalarString(v) {
	case "":
		return nil, nil
	case "MUTABLE", "MUTABLE_WITH_EXCLUSION":
		return false, nil
	}
	return true, nil
}

// publicPolicy is true when a resource policy has an Allow statement for
// every principal ("*", {"AWS": "*"} or a NotPrincipal) without a
// Condition: anyone, in any account, gets the statement's actions. A
// condition (aws:PrincipalOrgID, aws:SourceAccount ...) may narrow it, so
// such a statement is not counted; the ALLOWS to Everyone from
// analyze/access carries the details either way.
func publicPolicy(v any) (any, error) {
	text, err := decodePolicy(v)
	if text == nil || err != nil {
		return nil, err
	}
	var doc struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(text.(string)), &doc); err != nil {
		return nil, fmt.Errorf("policy document: %w", err)
	}
	var stmts []map[string]any
	if len(doc.Statement) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
		var one map[string]any
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return nil, fmt.Errorf("policy document: Statement: %w", err)
		}
		stmts = []map[string]any{one}
	}
	for _, st := range stmts {
		if st["Effect"] != "Allow" || st["Condition"] != nil {
			continue
		}
		if st["NotPrincipal"] != nil || everyone(st["Principal"]) {
			return true, nil
		}
	}
	return false, nil
}

// everyone reports whether a policy Principal names every principal.
func everyone(p any) bool {
	switch x := p.(type) {
	case string:
		return x == "*"
	case map[string]any:
		return everyone(x["AWS"])
	case []any:
		for _, e := range x {
			if everyone(e) {
				return true
			}
		}
	}
	return false
}
