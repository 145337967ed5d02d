package collect

import (
	"github.com/aws/aws-sdk-go-v2/service/acm"
	acmtypes "github.com/aws/aws-sdk-go-v2/service/acm/types"
)

// ACM certificates: the list (every key type: without Includes.KeyTypes
// ListCertificates leaves out RSA 3072/4096 and ECDSA certificates), then
// each certificate's details and tags.
func acmCalls() []Call {
	certs := keysAt[acm.ListCertificatesOutput]("CertificateSummaryList[].CertificateArn")
	return []Call{
		perParent(certs, single((*acm.Client).DescribeCertificate, field[acm.DescribeCertificateInput]("CertificateArn"))),
		regional(paged(acm.NewListCertificatesPaginator, allKeyTypes)),
		perParent(certs, single((*acm.Client).ListTagsForCertificate, field[acm.ListTagsForCertificateInput]("CertificateArn"))),
	}
}

// allKeyTypes asks ListCertificates for certificates of every key type.
func allKeyTypes(string) *acm.ListCertificatesInput {
	return &acm.ListCertificatesInput{Includes: &acmtypes.Filters{KeyTypes: acmtypes.KeyAlgorithm("").Values()}}
}
