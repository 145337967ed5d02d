package collect

import (
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
)

// WorkSpaces is not offered in every region: where it has no endpoint the
// calls fail as unsupported (classify.go), which is an answer, not a gap
// the run reports as a failure.
func workspacesCalls() []Call {
	return []Call{
		perParent(keysAt[workspaces.DescribeWorkspacesOutput]("Workspaces[].WorkspaceId"),
			single((*workspaces.Client).DescribeTags, field[workspaces.DescribeTagsInput]("ResourceId"))),
		// The account's own bundles and the bundles its workspaces use,
		// whoever owns them. Without BundleIds the call returns only the
		// account's own bundles; Owner=AMAZON would list every AWS bundle
		// of the region (hundreds, most used by nobody). So: per
		// DescribeWorkspaces page, one invocation for the distinct bundles
		// of its (at most 25) workspaces, the most BundleIds takes; and
		// after the last page one for the account's own bundles, under the
		// key ownBundles.
		perParent(keys(workspaceBundleKeys),
			paged(workspaces.NewDescribeWorkspaceBundlesPaginator, func(key string) *workspaces.DescribeWorkspaceBundlesInput {
				if key == ownBundles {
					return &workspaces.DescribeWorkspaceBundlesInput{}
				}
				return &workspaces.DescribeWorkspaceBundlesInput{BundleIds: strings.Split(key, ",")}
			})),
		regional(paged(workspaces.NewDescribeWorkspacesPaginator, none)),
	}
}

// ownBundles is the parent key of the DescribeWorkspaceBundles invocation
// that lists the account's own bundles (no BundleIds, no Owner).
const ownBundles = "account-owned"

// workspaceBundleKeys are the DescribeWorkspaceBundles keys of one
// DescribeWorkspaces page: its distinct bundle ids, sorted and joined by
// commas (bundle ids are wsb-<alphanumerics>), and on the last page (no
// NextToken: once per region) ownBundles.
func workspaceBundleKeys(o *workspaces.DescribeWorkspacesOutput) []string {
	var ids, out []string
	for _, w := range o.Workspaces {
		if id := aws.ToString(w.BundleId); id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if ids = slices.Compact(ids); len(ids) > 0 {
		out = append(out, strings.Join(ids, ","))
	}
	if aws.ToString(o.NextToken) == "" {
		out = append(out, ownBundles)
	}
	return out
}
