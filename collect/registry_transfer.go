package collect

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/transfer"
)

// Transfer Family. DescribeServer and DescribeUser return the tags inline,
// so ListTagsForResource is not called. Like WorkSpaces, the service is not
// offered in every region (classify.go: no endpoint is unsupported).
func transferCalls() []Call {
	servers := keysAt[transfer.ListServersOutput]("Servers[].ServerId")
	return []Call{
		perParent(servers, single((*transfer.Client).DescribeServer, field[transfer.DescribeServerInput]("ServerId"))),
		// User.SshPublicKeys[].SshPublicKeyBody is kept: these are SSH
		// PUBLIC keys, the shareable half (the private key never reaches
		// AWS), so they are not secrets and are not redacted.
		perParent(keysAt[transfer.ListUsersOutput]("Users[].Arn"), single((*transfer.Client).DescribeUser, transferUser)),
		regional(paged(transfer.NewListServersPaginator, none)),
		perParent(servers, paged(transfer.NewListUsersPaginator, field[transfer.ListUsersInput]("ServerId"))),
	}
}

// transferUser is the DescribeUser input for a user ARN
// (arn:aws:transfer:REGION:ACCOUNT:user/SERVER_ID/USER_NAME; user names have
// no '/'). A key that is not such an ARN is sent whole as the user name, so
// the call fails naming it.
func transferUser(arn string) *transfer.DescribeUserInput {
	_, res, _ := strings.Cut(arn, ":user/")
	server, user, ok := strings.Cut(res, "/")
	if !ok || server == "" || user == "" {
		return &transfer.DescribeUserInput{UserName: &arn}
	}
	return &transfer.DescribeUserInput{ServerId: &server, UserName: &user}
}
