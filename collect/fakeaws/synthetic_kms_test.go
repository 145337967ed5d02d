package fakeaws

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// TestSyntheticKMS reads a synthetic world's KMS keys through the SDK's
// kms client and paginators: ListKeys and ListAliases page by Limit and
// Marker (Truncated, NextMarker), key 0's aliases take two pages at the
// largest Limit, every key has a policy and a rotation status, customer
// keys have tags, AWS-managed keys their alias/aws/<service>; bad requests
// get KMS's errors.
func TestSyntheticKMS(t *testing.T) {
	w, err := SyntheticWorld(SynthOptions{Resources: 20_000, Regions: []string{"eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	nKeys := w.SynthCounts()["kms_keys"]
	srv := New(t, w)
	ctx := t.Context()
	c := kms.NewFromConfig(sdkConfig(srv, "eu-west-1"))

	var keys []kmstypes.KeyListEntry
	pages := 0
	for p := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(50)}); p.HasMorePages(); pages++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, out.Keys...)
	}
	if len(keys) != nKeys || pages != (nKeys+49)/50 || pages < 2 {
		t.Fatalf("ListKeys: %d keys in %d pages, want %d in pages of 50 (several)", len(keys), pages, nKeys)
	}
	managed, customer, off := 0, 0, 0
	for j, k := range keys {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyArn}) // an ARN works as the id does
		if err != nil {
			t.Fatal(err)
		}
		if *d.KeyMetadata.KeyId != *k.KeyId || *d.KeyMetadata.Arn != *k.KeyArn {
			t.Fatalf("key %d: DescribeKey %s, listed %s", j, *d.KeyMetadata.Arn, *k.KeyArn)
		}
		if _, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")}); err != nil {
			t.Fatal(err)
		}
		rot, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: k.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		var aliases []string
		for p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{KeyId: k.KeyId, Limit: aws.Int32(100)}); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range out.Aliases {
				aliases = append(aliases, *a.AliasName)
			}
		}
		tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: k.KeyId})
		if err != nil {
			t.Fatal(err)
		}
		switch d.KeyMetadata.KeyManager {
		case kmstypes.KeyManagerTypeAws:
			managed++
			if len(aliases) != 1 || aliases[0][:10] != "alias/aws/" || !rot.KeyRotationEnabled || len(tags.Tags) != 0 {
				t.Errorf("AWS-managed key %d: aliases %q, rotation %t, %d tags", j, aliases, rot.KeyRotationEnabled, len(tags.Tags))
			}
		default:
			customer++
			if !rot.KeyRotationEnabled && d.KeyMetadata.Enabled {
				off++
			}
			if len(tags.Tags) == 0 {
				t.Errorf("customer key %d has no tags", j)
			}
		}
		want := 1
		if j == 0 {
			want = kmsManyAliases
		}
		if distinct := slices.Compact(slices.Sorted(slices.Values(aliases))); len(aliases) != want || len(distinct) != want {
			t.Errorf("key %d: %d distinct aliases, want %d", j, len(aliases), want)
		}
	}
	if managed == 0 || customer == 0 || off == 0 {
		t.Errorf("%d AWS-managed keys, %d customer keys (%d enabled without rotation): want some of each", managed, customer, off)
	}
	var all int
	for p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		all += len(out.Aliases)
	}
	if all != nKeys-1+kmsManyAliases {
		t.Errorf("ListAliases of the region: %d aliases, want %d", all, nKeys-1+kmsManyAliases)
	}

	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"unknown key", func() error {
			_, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
			return err
		}, "NotFoundException"},
		{"limit over the most", func() error {
			_, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: keys[0].KeyId, Limit: aws.Int32(101)})
			return err
		}, "ValidationException"},
		{"made-up marker", func() error {
			_, err := c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("synth-999999")})
			return err
		}, "InvalidMarkerException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, status := apiErr(t, tc.call()); code != tc.code || status != 400 {
				t.Errorf("got %s (%d), want %s (400)", code, status, tc.code)
			}
		})
	}
}
