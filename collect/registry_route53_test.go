package collect

import (
	"slices"
	"testing"

	"github.com/snapaudit/snapaudit/collect/fakeaws"
	"github.com/snapaudit/snapaudit/snapshot"
)

// TestRoute53RecordSetsPaged: a zone's record sets are followed across pages
// by the SDK's paginator (StartRecordName/Type/Identifier from the previous
// page's NextRecord*), and the per-zone calls get the bare zone id that
// ListHostedZones answers as /hostedzone/ID.
func TestRoute53RecordSetsPaged(t *testing.T) {
	const ns = ` xmlns="https://route53.amazonaws.com/doc/2013-04-01/"`
	files := map[string]string{
		// The record-set token is the start name (query key "name").
		"world.json": `{"account_id": "123456789012", "caller_arn": "arn:aws:iam::123456789012:user/auditor",
			"regions": ["us-east-1"], "token_params": ["name"]}`,
		"route53/global/ListHostedZones.xml": `<ListHostedZonesResponse` + ns + `><HostedZones><HostedZone>
			<Id>/hostedzone/Z0PAGED</Id><Name>example.com.</Name><CallerReference>r</CallerReference>
			</HostedZone></HostedZones><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems></ListHostedZonesResponse>`,
		"route53/global/ListResourceRecordSets@HostedZoneId=Z0PAGED.xml": `<ListResourceRecordSetsResponse` + ns + `>
			<ResourceRecordSets><ResourceRecordSet><Name>a.example.com.</Name><Type>A</Type><TTL>60</TTL>
			<ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></ResourceRecordSets>
			<IsTruncated>true</IsTruncated><NextRecordName>b.example.com.</NextRecordName><NextRecordType>A</NextRecordType>
			<NextRecordIdentifier>canary</NextRecordIdentifier><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>`,
		"route53/global/ListResourceRecordSets@HostedZoneId=Z0PAGED#b.example.com..xml": `<ListResourceRecordSetsResponse` + ns + `>
			<ResourceRecordSets><ResourceRecordSet><Name>b.example.com.</Name><Type>A</Type><SetIdentifier>canary</SetIdentifier>
			<Weight>10</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.2</Value></ResourceRecord></ResourceRecords>
			</ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>`,
		"route53/global/ListTagsForResource@ResourceId=Z0PAGED.xml": `<ListTagsForResourceResponse` + ns + `><ResourceTagSet>
			<ResourceType>hostedzone</ResourceType><ResourceId>Z0PAGED</ResourceId><Tags></Tags></ResourceTagSet></ListTagsForResourceResponse>`,
	}
	srv := fakeaws.New(t, fakeaws.LoadWorld(t, writeWorld(t, files)))
	calls := slices.DeleteFunc(Registry(), func(c Call) bool {
		return c.Service != "route53" && c.Name() != callerIdentityCall && c.Name() != regionsCall
	})
	w := &memWriter{}
	if _, err := New(fakeConfig(t, srv, nil), testOpts(WithCalls(calls))...).Run(t.Context(), w); err != nil {
		t.Fatal(err)
	}
	rows := findRows(w.rows, "route53", "ListResourceRecordSets", "global")
	if len(rows) != 2 {
		t.Fatalf("%d ListResourceRecordSets rows, want 2 pages: %v", len(rows), rows)
	}
	for _, r := range rows {
		if r.Status != snapshot.StatusOK || r.ParentKey != "Z0PAGED" {
			t.Errorf("%s: status %s parent %q, want ok for Z0PAGED (%s)", rowID(r), r.Status, r.ParentKey, r.ErrorMessage)
		}
	}
	var second, tags map[string]string
	for _, r := range srv.Requests() {
		switch {
		case r.Operation == "ListResourceRecordSets" && r.Params["name"] != "":
			second = r.Params
		case r.Operation == "ListTagsForResource":
			tags = r.Params
		}
	}
	if second["name"] != "b.example.com." || second["type"] != "A" || second["identifier"] != "canary" || second["HostedZoneId"] != "Z0PAGED" {
		t.Errorf("second page request %v, want zone Z0PAGED from b.example.com. A canary", second)
	}
	if tags["ResourceId"] != "Z0PAGED" || tags["ResourceType"] != "hostedzone" {
		t.Errorf("ListTagsForResource request %v, want hostedzone Z0PAGED", tags)
	}
}
