package collect

// Region names given by the user (--regions) are checked twice:
//
//  1. Offline, by form (CheckRegionNames): "us-east1" is not a region name.
//     The CLI does this before it contacts AWS.
//  2. After planning, against the regions snapaudit knows (knownRegions, the
//     commercial regions of the project's region spec) together with the
//     regions the account's ec2 DescribeRegions reports as enabled. A region
//     newer than this list is therefore usable as soon as the account has
//     enabled it; a name in neither is an UnknownRegionsError. When
//     DescribeRegions itself fails, only the form is checked (the probe call
//     then tells whether the region answers).
//
// A known region that is not enabled is skipped with the reason, as before;
// a run left with no region to collect is an error.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/snapaudit/snapaudit/snapshot/suggest"
)

// knownRegions are the aws-partition regions snapaudit knows, sorted (from
// the region list of the entity spec the project follows; China and GovCloud
// are separate partitions that the collector does not collect).
var knownRegions = []string{
	"af-south-1", "ap-east-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// reRegionName is the form of every AWS region name: a two-letter area,
// one or more words, a number (us-east-1, us-gov-west-1, eu-isoe-west-1).
var reRegionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// UnknownRegionsError reports region names that are not regions: not of
// the form of a region name, or neither a region snapaudit knows nor one
// the account has enabled.
type UnknownRegionsError struct {
	Unknown []string // as given
	Valid   []string // the regions that would have been accepted, sorted
}

func (e *UnknownRegionsError) Error() string {
	var parts []string
	for _, u := range e.Unknown {
		s := fmt.Sprintf("%q", u)
		if m := suggest.Closest(u, e.Valid, 2); m != "" {
			s += fmt.Sprintf(" (did you mean %s?)", m)
		}
		parts = append(parts, s)
	}
	noun := "region"
	if len(e.Unknown) > 1 {
		noun = "regions"
	}
	return fmt.Sprintf("--regions: unknown %s %s; valid regions: %s", noun, strings.Join(parts, ", "),
		strings.Join(e.Valid, ", "))
}

// CheckRegionNames checks the form of region names, offline.
func CheckRegionNames(names []string) error {
	var bad []string
	for _, n := range names {
		if !reRegionName.MatchString(n) {
			bad = append(bad, n)
		}
	}
	if bad != nil {
		return &UnknownRegionsError{Unknown: bad, Valid: slices.Clone(knownRegions)}
	}
	return nil
}

// checkRequested checks requested region names against the known regions
// and the account's enabled ones (nil when DescribeRegions failed: then
// only the form is checked).
func checkRequested(requested, enabled []string) error {
	if err := CheckRegionNames(requested); err != nil || enabled == nil {
		return err
	}
	valid := slices.Concat(knownRegions, enabled)
	slices.Sort(valid)
	valid = slices.Compact(valid)
	var bad []string
	for _, n := range requested {
		// Other partitions' regions are skipped later, with the reason.
		if !slices.Contains(valid, n) && partition(n) == "aws" {
			bad = append(bad, n)
		}
	}
	if bad != nil {
		return &UnknownRegionsError{Unknown: bad, Valid: valid}
	}
	return nil
}
