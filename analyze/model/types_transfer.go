package model

import "strings"

// transferService is the aws_transfer placeholder entity.
var transferService = ServiceInfo{Name: "transfer", DisplayName: "AWS Transfer Family", Category: []string{"infrastructure"}, Function: []string{"SFTP"}}

func transferTypes() []EntityType {
	return []EntityType{
		{
			// A file transfer endpoint: Gateway category application (SFTP,
			// FTPS, FTP, AS2 are application protocols), function other
			// (the data model has no file-transfer function).
			Type: "aws_transfer_server", Class: []string{"Host", "Gateway"}, Service: "transfer",
			Source: op("transfer:DescribeServer"), Items: "Server",
			Key: []string{"{Arn}"}, ID: "{ServerId}", Name: "{ServerId}", Tags: "Tags",
			WebLink: "https://console.aws.amazon.com/transfer/home?region={region}#/servers/{ServerId}",
			Props: []Prop{
				{Name: "hostname", Path: "Arn", Conv: transferHostname, KeepNull: true},
				{Name: "public", Path: "", Conv: transferPublic, KeepNull: true},
				{Name: "active", Path: "State", Conv: equals("ONLINE")},
				{Name: "protocols", Path: "Protocols"},
				{Name: "ftpEnabled", Path: "Protocols", Conv: contains("FTP")},
				{Name: "vpcId", Path: "EndpointDetails.VpcId"},
				{Name: "subnetIds", Path: "EndpointDetails.SubnetIds"},
				{Name: "securityGroupIds", Path: "EndpointDetails.SecurityGroupIds"},
				{Name: "addressAllocationIds", Path: "EndpointDetails.AddressAllocationIds"},
				{Name: "vpcEndpointId", Path: "EndpointDetails.VpcEndpointId"},
				{Name: "identityProviderUrl", Path: "IdentityProviderDetails.Url"},
				{Name: "identityProviderFunction", Path: "IdentityProviderDetails.Function"},
				{Name: "identityProviderDirectoryId", Path: "IdentityProviderDetails.DirectoryId"},
				{Name: "invocationRole", Path: "IdentityProviderDetails.InvocationRole"},
				{Name: "structuredLogDestinations", Path: "StructuredLogDestinations"},
			},
			Constants: map[string]any{"category": []string{"application"}, "function": []string{"other"}},
			Rels: []RelSpec{
				// The spec's direction (role ASSIGNED server), kept as written.
				{Verb: "ASSIGNED", Target: "aws_iam_role", Reverse: true, Value: "{LoggingRole}", By: "_key"},
				{Verb: "ASSIGNED", Target: "aws_iam_role", Reverse: true, Value: "{IdentityProviderDetails.InvocationRole}", By: "_key"},
				{Verb: "PROTECTS", Target: "aws_security_group", Reverse: true, Path: "EndpointDetails.SecurityGroupIds[]", Value: "{@}", By: "id"},
			},
		},
		{
			// From ListUsers (role, home directory, SSH key count), with
			// DescribeUser's details. SSH keys are PUBLIC keys, not secrets:
			// the graph keeps their ids; the bodies stay in the snapshot.
			Type: "aws_transfer_user", Class: []string{"User"}, Service: "transfer",
			Source: op("transfer:ListUsers"), Items: "Users[]",
			Key: []string{"{Arn}"}, ID: "{parent}/{UserName}", Name: "{UserName}",
			WebLink: "https://console.aws.amazon.com/transfer/home?region={region}#/servers/{parent}/users/{UserName}",
			Props: []Prop{
				{Name: "username", Path: "UserName"},
				{Name: "serverId", Path: "Arn", Conv: arnPathPart(1)},
			},
			Enrich: []Enrichment{{Call: op("transfer:DescribeUser"), Items: "User", Match: "{Arn}", By: "_key", Tags: "Tags", Props: []Prop{
				{Name: "homeDirectoryTargets", Path: "HomeDirectoryMappings[].Target"},
				{Name: "policy", Path: "Policy", Conv: decodePolicy},
				{Name: "posixUid", Path: "PosixProfile.Uid"},
				{Name: "posixGid", Path: "PosixProfile.Gid"},
				{Name: "sshPublicKeyIds", Path: "SshPublicKeys[].SshPublicKeyId"},
			}}},
			// aws_s3_bucket ALLOWS the user: the bucket of its home
			// directory (/BUCKET/prefix; type PATH) or of each logical
			// mapping's target (type LOGICAL). EFS home directories
			// (/fs-ID/...) name a file system, which matches no bucket.
			Rels: []RelSpec{
				{Verb: "HAS", Target: "aws_transfer_server", Reverse: true, Value: "{parent}", By: "id"},
				{Verb: "ASSIGNED", Target: "aws_iam_role", Reverse: true, Value: "{Role}", By: "_key"},
				{Verb: "ALLOWS", Target: "aws_s3_bucket", Reverse: true, Value: "{HomeDirectory}", Conv: bucketOfPath, By: "name",
					When: &Cond{Path: "HomeDirectoryType", Equals: "PATH"}, Props: []Prop{{Name: "homeDirectory", Path: "HomeDirectory"}}},
				{Verb: "ALLOWS", Target: "aws_s3_bucket", Reverse: true, Call: op("transfer:DescribeUser"), Items: "User",
					OwnerMatch: "{Arn}", OwnerBy: "_key", Path: "HomeDirectoryMappings[]", Value: "{Target}", Conv: bucketOfPath, By: "name",
					Props: []Prop{{Name: "homeDirectory", Path: "Target"}, {Name: "entry", Path: "Entry"}}},
			},
		},
	}
}

// transferHostname is a server's endpoint host name,
// s-ID.server.transfer.REGION.amazonaws.com, from its ARN
// (arn:aws:transfer:REGION:ACCOUNT:server/s-ID).
func transferHostname(v any) (any, error) {
	parts := strings.SplitN(scalarString(v), ":", 6)
	id, ok := strings.CutPrefix(parts[len(parts)-1], "server/")
	if len(parts) != 6 || !ok || id == "" || parts[3] == "" {
		return nil, nil
	}
	return id + ".server.transfer." + parts[3] + ".amazonaws.com", nil
}

// transferPublic says whether a server (the DescribeServer item) is
// reachable from the internet: a PUBLIC endpoint, or a VPC endpoint with
// Elastic IPs (internet facing). A VPC endpoint without them and the legacy
// VPC_ENDPOINT type are internal; without an endpoint type it is unknown.
func transferPublic(v any) (any, error) {
	switch scalarString(lookup(v, "EndpointType")) {
	case "PUBLIC":
		return true, nil
	case "VPC":
		eips, _ := lookup(v, "EndpointDetails.AddressAllocationIds").([]any)
		return len(eips) > 0, nil
	case "VPC_ENDPOINT":
		return false, nil
	}
	return nil, nil
}

// bucketOfPath is the bucket of an S3 path /BUCKET/prefix ("" for other
// text).
func bucketOfPath(v any) (any, error) {
	p, ok := strings.CutPrefix(scalarString(v), "/")
	if !ok {
		return "", nil
	}
	bucket, _, _ := strings.Cut(p, "/")
	return bucket, nil
}
