package synth

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/transfer"
	trtypes "github.com/aws/aws-sdk-go-v2/service/transfer/types"
	"github.com/aws/aws-sdk-go-v2/service/workspaces"
	wstypes "github.com/aws/aws-sdk-go-v2/service/workspaces/types"
)

// wstransfer writes a region's WorkSpaces and Transfer Family resources.
func (a *account) wstransfer(ctx context.Context, reg string, nw *net) error {
	if err := a.workspaces(ctx, reg, nw); err != nil {
		return err
	}
	return a.transfer(ctx, reg, nw)
}

// workspaces writes the workspaces (25 a page, as AWS pages them), their
// tags, per page the bundles its workspaces use (about half AWS-owned), and
// the account's own bundles (the key "account-owned", as the collector
// asks after the last page). A region has no more bundles than
// workspaces, so every bundle is used.
func (a *account) workspaces(ctx context.Context, reg string, nw *net) error {
	g, acct := a.g, a.id
	nb := max(1, a.perReg["aws_workspaces_bundle"][reg])
	var ws []wstypes.Workspace
	for i := range a.perReg["aws_workspace"][reg] {
		id := "ws-" + a.id16(reg, "ws", i)
		w := wstypes.Workspace{WorkspaceId: aws.String(id), BundleId: aws.String("wsb-" + a.id16(reg, "wsb", i%nb)),
			DirectoryId: aws.String("d-" + a.id16(reg, "dir", 0)[:10]), UserName: aws.String(fmt.Sprintf("user%05d", i)),
			ComputerName: aws.String(fmt.Sprintf("WSAMZN-%05d", i)), IpAddress: aws.String(fmt.Sprintf("10.1.%d.%d", i/250%256, i%250+2)),
			SubnetId: aws.String(nw.subnets[i%len(nw.subnets)]), State: wstypes.WorkspaceStateAvailable,
			RootVolumeEncryptionEnabled: aws.Bool(a.pct(60)), UserVolumeEncryptionEnabled: aws.Bool(a.pct(60)),
			WorkspaceProperties: &wstypes.WorkspaceProperties{RunningMode: wstypes.RunningModeAutoStop, ComputeTypeName: wstypes.ComputeStandard,
				RootVolumeSizeGib: aws.Int32(80), UserVolumeSizeGib: aws.Int32(50), Protocols: []wstypes.Protocol{wstypes.ProtocolWsp}}}
		if i%7 == 0 {
			w.State = wstypes.WorkspaceStateStopped
		}
		ws = append(ws, w)
		if err := g.ok(ctx, acct, reg, "workspaces:DescribeTags", id, 0, &workspaces.DescribeTagsOutput{
			TagList: []wstypes.Tag{{Key: aws.String("Owner"), Value: aws.String(fmt.Sprintf("team-%d", i%9))}}}); err != nil {
			return err
		}
	}
	err := pages(ctx, g, acct, reg, "workspaces:DescribeWorkspaces", "", ws, 25, func(p []wstypes.Workspace, more bool, next string) any {
		out := &workspaces.DescribeWorkspacesOutput{Workspaces: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
	if err != nil {
		return err
	}
	bundle := func(id string) wstypes.WorkspaceBundle {
		owner := "AMAZON"
		if id >= "wsb-8" { // about half the bundles are the account's own
			owner = acct
		}
		return wstypes.WorkspaceBundle{BundleId: aws.String(id), Name: aws.String("bundle-" + id[4:10]), Owner: aws.String(owner),
			BundleType: wstypes.BundleTypeRegular, State: wstypes.WorkspaceBundleStateAvailable, ImageId: aws.String("wsi-" + id[4:]),
			ComputeType: &wstypes.ComputeType{Name: wstypes.ComputeStandard}, RootStorage: &wstypes.RootStorage{Capacity: aws.String("80")},
			UserStorage: &wstypes.UserStorage{Capacity: aws.String("50")}, CreationTime: aws.Time(epoch)}
	}
	for start := 0; start < len(ws); start += 25 {
		var ids []string
		for _, w := range ws[start:min(start+25, len(ws))] {
			ids = append(ids, *w.BundleId)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		out := &workspaces.DescribeWorkspaceBundlesOutput{}
		for _, id := range ids {
			out.Bundles = append(out.Bundles, bundle(id))
		}
		if err := g.ok(ctx, acct, reg, "workspaces:DescribeWorkspaceBundles", strings.Join(ids, ","), 0, out); err != nil {
			return err
		}
	}
	own := &workspaces.DescribeWorkspaceBundlesOutput{}
	for i := range min(nb, len(ws)) {
		if b := bundle("wsb-" + a.id16(reg, "wsb", i)); *b.Owner == acct {
			own.Bundles = append(own.Bundles, b)
		}
	}
	return g.ok(ctx, acct, reg, "workspaces:DescribeWorkspaceBundles", "account-owned", 0, own)
}

// transfer writes the Transfer Family servers (public, internet-facing VPC
// with Elastic IPs, or internal VPC) and their users, each user on server
// i % servers with its home directory in one of the account's buckets.
func (a *account) transfer(ctx context.Context, reg string, nw *net) error {
	g, acct := a.g, a.id
	ns := a.perReg["aws_transfer_server"][reg]
	var listed []trtypes.ListedServer
	users := make([][]trtypes.ListedUser, ns)
	for j := range a.perReg["aws_transfer_user"][reg] {
		if ns == 0 {
			break
		}
		s := j % ns
		server := "s-0" + a.id16(reg, "transfer", s)
		name := fmt.Sprintf("partner%05d", j)
		u := trtypes.ListedUser{Arn: aws.String(fmt.Sprintf("arn:aws:transfer:%s:%s:user/%s/%s", reg, acct, server, name)), UserName: aws.String(name),
			HomeDirectoryType: trtypes.HomeDirectoryTypePath, SshPublicKeyCount: aws.Int32(1)}
		if len(a.buckets) > 0 {
			u.HomeDirectory = aws.String("/" + a.buckets[j%len(a.buckets)] + "/" + name)
		}
		if len(a.lambdaRoles) > 0 {
			u.Role = aws.String(a.lambdaRoles[j%len(a.lambdaRoles)])
		}
		users[s] = append(users[s], u)
		d := &trtypes.DescribedUser{Arn: u.Arn, UserName: u.UserName, HomeDirectory: u.HomeDirectory, HomeDirectoryType: u.HomeDirectoryType, Role: u.Role,
			SshPublicKeys: []trtypes.SshPublicKey{{SshPublicKeyId: aws.String("key-0" + a.id16(reg, "sshkey", j)), DateImported: aws.Time(a.ago(700)),
				SshPublicKeyBody: aws.String("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + a.id16(reg, "sshpub", j) + " " + name)}}}
		if err := g.ok(ctx, acct, reg, "transfer:DescribeUser", *u.Arn, 0, &transfer.DescribeUserOutput{ServerId: aws.String(server), User: d}); err != nil {
			return err
		}
	}
	for s := range ns {
		id := "s-0" + a.id16(reg, "transfer", s)
		arn := fmt.Sprintf("arn:aws:transfer:%s:%s:server/%s", reg, acct, id)
		d := &trtypes.DescribedServer{Arn: aws.String(arn), ServerId: aws.String(id), Domain: trtypes.DomainS3, State: trtypes.StateOnline,
			IdentityProviderType: trtypes.IdentityProviderTypeServiceManaged, Protocols: []trtypes.Protocol{trtypes.ProtocolSftp},
			SecurityPolicyName: aws.String("TransferSecurityPolicy-2024-01"), UserCount: aws.Int32(int32(len(users[s]))),
			Tags: []trtypes.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("sftp-%d", s))}}}
		switch s % 3 {
		case 0:
			d.EndpointType = trtypes.EndpointTypePublic
		default:
			v := s % len(nw.vpcs)
			d.EndpointType = trtypes.EndpointTypeVpc
			d.EndpointDetails = &trtypes.EndpointDetails{VpcId: aws.String(nw.vpcs[v]), SubnetIds: []string{nw.subnets[s%len(nw.subnets)]},
				SecurityGroupIds: []string{nw.sgIn(v, s)}, VpcEndpointId: aws.String("vpce-0" + a.id16(reg, "vpce", s))}
			if s%3 == 1 {
				d.EndpointDetails.AddressAllocationIds = []string{"eipalloc-0" + a.id16(reg, "eip", s)}
			}
		}
		if len(a.lambdaRoles) > 0 && s%2 == 0 {
			d.LoggingRole = aws.String(a.lambdaRoles[s%len(a.lambdaRoles)])
		}
		listed = append(listed, trtypes.ListedServer{Arn: d.Arn, ServerId: d.ServerId, Domain: d.Domain, EndpointType: d.EndpointType,
			IdentityProviderType: d.IdentityProviderType, LoggingRole: d.LoggingRole, State: d.State, UserCount: d.UserCount})
		if err := g.ok(ctx, acct, reg, "transfer:DescribeServer", id, 0, &transfer.DescribeServerOutput{Server: d}); err != nil {
			return err
		}
		err := pages(ctx, g, acct, reg, "transfer:ListUsers", id, users[s], 100, func(p []trtypes.ListedUser, more bool, next string) any {
			out := &transfer.ListUsersOutput{ServerId: aws.String(id), Users: p}
			if more {
				out.NextToken = aws.String(next)
			}
			return out
		})
		if err != nil {
			return err
		}
	}
	return pages(ctx, g, acct, reg, "transfer:ListServers", "", listed, 100, func(p []trtypes.ListedServer, more bool, next string) any {
		out := &transfer.ListServersOutput{Servers: p}
		if more {
			out.NextToken = aws.String(next)
		}
		return out
	})
}
