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
		// The bundles the workspaces use, whoever owns them: without
		// BundleIds the call returns only the account's own bundles, and
		// with Owner=AMAZON every AWS bundle of the region (hundreds), most
		// of them used by nobody. One invocation per DescribeWorkspaces
		// page, for the distinct bundles of its (at most 25) workspaces,
		// which is the most BundleIds takes. Custom bundles that no
		// workspace uses are not collected (one record per operation).
		perParent(keys(workspaceBundleIDs),
			paged(workspaces.NewDescribeWorkspaceBundlesPaginator, func(key string) *workspaces.DescribeWorkspaceBundlesInput {
				return &workspaces.DescribeWorkspaceBundlesInput{BundleIds: strings.Split(key, ",")}
			})),
		regional(paged(workspaces.NewDescribeWorkspacesPaginator, none)),
	}
}

// workspaceBundleIDs is the key of one DescribeWorkspaceBundles invocation
// per DescribeWorkspaces page: the page's distinct bundle ids, sorted and
// joined by commas (bundle ids are wsb-<alphanumerics>).
func workspaceBundleIDs(o *workspaces.DescribeWorkspacesOutput) []string {
	var ids []string
	for _, w := range o.Workspaces {
		if id := aws.ToString(w.BundleId); id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if ids = slices.Compact(ids); len(ids) == 0 {
		return nil
	}
	return []string{strings.Join(ids, ",")}
}
