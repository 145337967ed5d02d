package fakeaws

// A synthetic world: an account of N resources whose answers are rendered
// from the request alone (the resource's index is in its name or in the
// page token), so the fake holds no fixture files and no per-resource
// state however large N is. It exists to measure the collector at
// organisation scale (BenchmarkCollectLatency, `snapaudit fakeaws serve`).
//
// The proportions are those of collect/synth's weights for the kinds it
// serves (instances with volumes, network interfaces and snapshots; S3
// buckets with their per-bucket calls; IAM roles and users with access
// keys and MFA devices; Lambda functions, DynamoDB tables, RDS instances
// and snapshots; KMS keys with aliases, policies, rotation and tags,
// synthetic_kms.go); every other call gets the fake's usual empty answer.
// Pages hold 1000 items for EC2 and S3 ListBuckets, 100 for IAM, DynamoDB
// and RDS, 50 for Lambda (AWS's default page sizes, or its largest where it
// has no default), or the request's page-size parameter when smaller; KMS
// pages by Limit and Marker as KMS does.

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"maps"
	"net/url"
	"strconv"
	"strings"
)

// SynthOptions describe a synthetic world.
type SynthOptions struct {
	// Resources is about how many resources the account holds (at least 1).
	Resources int
	// Regions are the enabled regions (default eu-west-1, us-east-1,
	// us-west-2); regional resources are spread evenly over them.
	Regions []string
}

// SynthAccountID is the account of every synthetic world.
const SynthAccountID = "210987654321"

// MaxSynthResources bounds SynthOptions.Resources.
const MaxSynthResources = 100_000_000

// synthKinds are the resource kinds of a synthetic world with their shares
// (per mille, collect/synth's weights for the same entity types).
var synthKinds = []struct {
	kind     string
	perMille int
	regional bool
}{
	{"access_keys", 25, false},
	{"buckets", 60, false},
	{"db_instances", 30, true},
	{"db_snapshots", 20, true},
	{"functions", 80, true},
	{"groups", 4, false},
	{"instances", 160, true},
	{"mfa_devices", 10, false},
	{"network_interfaces", 170, true},
	{"roles", 100, false},
	{"security_groups", 60, true},
	{"snapshots", 100, true},
	{"subnets", 32, true},
	{"tables", 50, true},
	{"users", 20, false},
	{"volumes", 200, true},
	{"vpcs", 8, true},
}

// synthetic is the generator behind a synthetic World.
type synthetic struct {
	account string
	regions []string
	n       map[string]int // resources per kind (regional: in every region together)
}

// SyntheticWorld returns a world of about o.Resources resources rendered on
// demand (see the top of synthetic.go).
func SyntheticWorld(o SynthOptions) (*World, error) {
	if o.Resources < 1 || o.Resources > MaxSynthResources {
		return nil, fmt.Errorf("fakeaws: synthetic world: resources must be between 1 and %d (got %d)", MaxSynthResources, o.Resources)
	}
	regions := o.Regions
	if len(regions) == 0 {
		regions = []string{"eu-west-1", "us-east-1", "us-west-2"}
	}
	seen := map[string]bool{}
	for _, r := range regions {
		if !reRegion.MatchString(r) || seen[r] {
			return nil, fmt.Errorf("fakeaws: synthetic world: region %q: not a region name, or listed twice", r)
		}
		seen[r] = true
	}
	g := &synthetic{account: SynthAccountID, regions: regions, n: map[string]int{}}
	total := 0
	for _, k := range synthKinds {
		total += k.perMille
	}
	for _, k := range synthKinds {
		c := max(1, o.Resources*k.perMille/total)
		if k.regional {
			c = max(c, len(regions)) // every region has a network for its instances
		}
		g.n[k.kind] = c
	}
	g.n["kms_keys"] = max(len(regions), o.Resources*kmsPerMille/total) // synthetic_kms.go
	g.n["access_keys"] = min(g.n["access_keys"], 2*g.n["users"])
	g.n["mfa_devices"] = min(g.n["mfa_devices"], g.n["users"])
	return &World{
		Dir:          "synthetic",
		AccountID:    g.account,
		CallerARN:    "arn:aws:iam::" + g.account + ":user/auditor",
		CallerUserID: "AIDAFAKEAWSCALLER0001",
		Regions:      regions,
		Buckets:      map[string]string{},
		TokenParams:  defaultTokenParams,
		fixtures:     map[string][]*fixture{},
		synth:        g,
	}, nil
}

// SynthCounts is how many resources of each kind a synthetic world holds
// (access_keys, buckets, db_instances, ...; regional kinds summed over the
// regions); nil for a world read from files.
func (w *World) SynthCounts() map[string]int {
	if w.synth == nil {
		return nil
	}
	return maps.Clone(w.synth.n)
}

// Resources is how many resources a synthetic world holds (0 for a world
// read from files).
func (w *World) Resources() int {
	n := 0
	for _, c := range w.SynthCounts() {
		n += c
	}
	return n
}

// synthHandler renders one operation's answer; ri is the index of the
// request's region in the world's regions (-1 for another region).
type synthHandler func(g *synthetic, region string, ri int, p map[string]string, token string) *fixture

// synthHandlers answer the operations a synthetic world serves, by
// service:Operation; others fall back to the fake's empty answers.
var synthHandlers = map[string]synthHandler{
	"apigateway:GetRestApis":             func(*synthetic, string, int, map[string]string, string) *fixture { return jsonFixture(`{"item":[]}`) },
	"dynamodb:DescribeContinuousBackups": (*synthetic).dynamoBackups,
	"dynamodb:DescribeTable":             (*synthetic).dynamoTable,
	"dynamodb:ListTables":                (*synthetic).dynamoList,
	"dynamodb:ListTagsOfResource":        (*synthetic).dynamoTags,
	"ec2:DescribeInstances":              ec2List("instances", "reservationSet", (*synthetic).instanceXML),
	"ec2:DescribeNetworkInterfaces":      ec2List("network_interfaces", "networkInterfaceSet", (*synthetic).eniXML),
	"ec2:DescribeSecurityGroups":         ec2List("security_groups", "securityGroupInfo", (*synthetic).sgXML),
	"ec2:DescribeSnapshotAttribute":      (*synthetic).snapshotAttribute,
	"ec2:DescribeSnapshots":              ec2List("snapshots", "snapshotSet", (*synthetic).snapshotXML),
	"ec2:DescribeSubnets":                ec2List("subnets", "subnetSet", (*synthetic).subnetXML),
	"ec2:DescribeVolumes":                ec2List("volumes", "volumeSet", (*synthetic).volumeXML),
	"ec2:DescribeVpcs":                   ec2List("vpcs", "vpcSet", (*synthetic).vpcXML),
	"ec2:GetEbsEncryptionByDefault":      constXML(`<GetEbsEncryptionByDefaultResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>synthetic</requestId><ebsEncryptionByDefault>false</ebsEncryptionByDefault><sseType>sse-ebs</sseType></GetEbsEncryptionByDefaultResponse>`),
	"iam:GenerateCredentialReport":       constXML(`<GenerateCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GenerateCredentialReportResult><State>COMPLETE</State></GenerateCredentialReportResult></GenerateCredentialReportResponse>`),
	"iam:GetAccessKeyLastUsed":           (*synthetic).keyLastUsed,
	"iam:GetAccountAuthorizationDetails": (*synthetic).authDetails,
	"iam:GetAccountPasswordPolicy":       constError("NoSuchEntity", "The Password Policy with domain name "+SynthAccountID+" cannot be found.", 404),
	"iam:GetAccountSummary":              (*synthetic).accountSummary,
	"iam:GetCredentialReport":            (*synthetic).credentialReport,
	"iam:ListAccessKeys":                 (*synthetic).accessKeys,
	"iam:ListMFADevices":                 (*synthetic).mfaDevices,
	"kms:DescribeKey":                    (*synthetic).kmsDescribeKey,
	"kms:GetKeyPolicy":                   (*synthetic).kmsKeyPolicy,
	"kms:GetKeyRotationStatus":           (*synthetic).kmsRotation,
	"kms:ListAliases":                    (*synthetic).kmsAliases,
	"kms:ListKeys":                       (*synthetic).kmsListKeys,
	"kms:ListResourceTags":               (*synthetic).kmsTags,
	"lambda:GetPolicy":                   (*synthetic).lambdaPolicy,
	"lambda:ListFunctions":               (*synthetic).lambdaList,
	"lambda:ListTags":                    (*synthetic).lambdaTags,
	"rds:DescribeDBInstances":            (*synthetic).dbInstances,
	"rds:DescribeDBSnapshotAttributes":   (*synthetic).dbSnapshotAttributes,
	"rds:DescribeDBSnapshots":            (*synthetic).dbSnapshots,
	"s3:GetBucketAbac": bucketCall(func(*synthetic, int) *fixture {
		return s3XML(`<AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Disabled</Status></AbacStatus>`)
	}),
	"s3:GetBucketAcl":        bucketCall((*synthetic).bucketACL),
	"s3:GetBucketEncryption": bucketCall((*synthetic).bucketEncryption),
	"s3:GetBucketLocation":   bucketCall((*synthetic).bucketLocation),
	"s3:GetBucketLogging": bucketCall(func(*synthetic, int) *fixture {
		return s3XML(`<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
	}),
	"s3:GetBucketPolicy":       bucketCall((*synthetic).bucketPolicy),
	"s3:GetBucketPolicyStatus": bucketCall((*synthetic).bucketPolicyStatus),
	"s3:GetBucketTagging":      bucketCall((*synthetic).bucketTagging),
	"s3:GetBucketVersioning":   bucketCall((*synthetic).bucketVersioning),
	"s3:GetPublicAccessBlock":  bucketCall((*synthetic).publicAccessBlock),
	"s3:ListBuckets":           (*synthetic).listBuckets,
	// No account-level Block Public Access: each bucket's own decides.
	"s3control:GetPublicAccessBlock": constError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404),
}

// answer renders the answer to a request, or returns nil when the world
// has nothing to say (the fake's defaults answer).
func (g *synthetic) answer(service, region, op string, params map[string]string, token string) *fixture {
	h, ok := synthHandlers[service+":"+op]
	if !ok {
		return nil
	}
	ri := -1
	for i, r := range g.regions {
		if r == region {
			ri = i
		}
	}
	f := h(g, region, ri, params, token)
	if f != nil {
		f.Path = "synthetic/" + service + "/" + op
	}
	return f
}

// bucketRegion is the region of a synthetic bucket.
func (g *synthetic) bucketRegion(name string) (string, bool) {
	i, ok := index(name, "synth-bucket-", g.n["buckets"])
	if !ok {
		return "", false
	}
	return g.regions[i%len(g.regions)], true
}

// --- helpers ---

// mix is a bijective 64-bit mixer (the SplitMix64 finalizer): distinct
// inputs give distinct ids, and its bits vary resources deterministically.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// id is the unique identifier "<prefix>-<17 hex digits>" of the j-th
// resource of a kind (kind number k) in region ri.
func id(prefix string, k, ri, j int) string {
	return fmt.Sprintf("%s-%017x", prefix, mix(uint64(k)<<56|uint64(ri+1)<<48|uint64(j)))
}

// perRegion is how many of a regional kind region ri holds.
func (g *synthetic) perRegion(kind string, ri int) int {
	n, r := g.n[kind], len(g.regions)
	c := n / r
	if ri < n%r {
		c++
	}
	return c
}

// index parses "<prefix><number>" and checks the number is below n.
func index(name, prefix string, n int) (int, bool) {
	s, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= n {
		return 0, false
	}
	return i, true
}

// regionalIndex parses "<prefix>r<region>-<number>" for region ri.
func (g *synthetic) regionalIndex(name, prefix, kind string, ri int) (int, bool) {
	if ri < 0 {
		return 0, false
	}
	return index(name, prefix+"r"+strconv.Itoa(ri)+"-", g.perRegion(kind, ri))
}

// pageSize is the request's page-size parameter when it is smaller than
// def, else def.
func pageSize(p map[string]string, param string, def int) int {
	if n, err := strconv.Atoi(p[param]); err == nil && n > 0 {
		return min(n, def)
	}
	return def
}

// page returns the items [start, end) of the page token names and the
// next page's token ("" on the last page).
func page(total, size int, token string) (start, end int, next string, bad *fixture) {
	if token != "" {
		s, ok := strings.CutPrefix(token, "synth-")
		n, err := strconv.Atoi(s)
		if !ok || err != nil || n <= 0 || n >= total {
			return 0, 0, "", &fixture{Kind: kindError, Err: &apiError{Code: "InvalidNextToken",
				Message: fmt.Sprintf("fakeaws: synthetic world: token %q names no page", token)}}
		}
		start = n
	}
	end = min(total, start+size)
	if end < total {
		next = "synth-" + strconv.Itoa(end)
	}
	return start, end, next, nil
}

func xmlFixture(body string) *fixture  { return &fixture{Kind: kindXML, Body: []byte(body)} }
func jsonFixture(body string) *fixture { return &fixture{Kind: kindJSON, Body: []byte(body)} }
func errFixture(code, msg string, status int) *fixture {
	return &fixture{Kind: kindError, Err: &apiError{Code: code, Message: msg, Status: status}}
}
func s3XML(body string) *fixture {
	return xmlFixture(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + body)
}

func constXML(body string) synthHandler {
	return func(*synthetic, string, int, map[string]string, string) *fixture { return xmlFixture(body) }
}

func constError(code, msg string, status int) synthHandler {
	return func(*synthetic, string, int, map[string]string, string) *fixture {
		return errFixture(code, msg, status)
	}
}

func notFound(code, what, name string) *fixture {
	return errFixture(code, fmt.Sprintf("fakeaws: synthetic world: no %s %q", what, name), 404)
}

// day is a deterministic time in 2025 for the i-th resource.
func day(i int) string {
	return fmt.Sprintf("2025-%02d-%02dT%02d:00:00.000Z", 1+i%12, 1+i%28, i%24)
}

func (g *synthetic) arn(service, region, rest string) string {
	return "arn:aws:" + service + ":" + region + ":" + g.account + ":" + rest
}

// --- EC2 ---

// kindNo numbers the kinds for ids.
func kindNo(kind string) int {
	for i, k := range synthKinds {
		if k.kind == kind {
			return i + 1
		}
	}
	return 0
}

// ec2List pages a regional EC2 kind, 1000 items a page (or MaxResults).
func ec2List(kind, set string, item func(g *synthetic, region string, ri, j int, b *strings.Builder)) synthHandler {
	op := map[string]string{"instances": "DescribeInstances", "network_interfaces": "DescribeNetworkInterfaces",
		"security_groups": "DescribeSecurityGroups", "snapshots": "DescribeSnapshots", "subnets": "DescribeSubnets",
		"volumes": "DescribeVolumes", "vpcs": "DescribeVpcs"}[kind]
	return func(g *synthetic, region string, ri int, p map[string]string, token string) *fixture {
		if ri < 0 {
			return nil
		}
		start, end, next, bad := page(g.perRegion(kind, ri), pageSize(p, "MaxResults", 1000), token)
		if bad != nil {
			return bad
		}
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>synthetic</requestId><%s>`, op, set)
		for j := start; j < end; j++ {
			item(g, region, ri, j, &b)
		}
		fmt.Fprintf(&b, "</%s>", set)
		if next != "" {
			fmt.Fprintf(&b, "<nextToken>%s</nextToken>", next)
		}
		fmt.Fprintf(&b, "</%sResponse>", op)
		return xmlFixture(b.String())
	}
}

// of names the j-th resource's related resource of another kind.
func (g *synthetic) of(kind, prefix string, ri, j int) string {
	return id(prefix, kindNo(kind), ri, j%g.perRegion(kind, ri))
}

func (g *synthetic) vpcXML(region string, ri, j int, b *strings.Builder) {
	fmt.Fprintf(b, `<item><vpcId>%s</vpcId><ownerId>%s</ownerId><state>available</state><cidrBlock>10.%d.0.0/16</cidrBlock>`+
		`<instanceTenancy>default</instanceTenancy><isDefault>false</isDefault><tagSet><item><key>Name</key><value>vpc-%d</value></item></tagSet></item>`,
		id("vpc", kindNo("vpcs"), ri, j), g.account, j%256, j)
}

func (g *synthetic) subnetXML(region string, ri, j int, b *strings.Builder) {
	sid := id("subnet", kindNo("subnets"), ri, j)
	fmt.Fprintf(b, `<item><subnetId>%s</subnetId><subnetArn>%s</subnetArn><state>available</state><ownerId>%s</ownerId>`+
		`<vpcId>%s</vpcId><cidrBlock>10.%d.%d.0/24</cidrBlock><availableIpAddressCount>250</availableIpAddressCount>`+
		`<availabilityZone>%sa</availabilityZone><defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>%t</mapPublicIpOnLaunch></item>`,
		sid, g.arn("ec2", region, "subnet/"+sid), g.account, g.of("vpcs", "vpc", ri, j), j%256, j/256%256, region, j%4 == 0)
}

func (g *synthetic) sgXML(region string, ri, j int, b *strings.Builder) {
	sg := id("sg", kindNo("security_groups"), ri, j)
	cidr := "10.0.0.0/8"
	if mix(uint64(j))%20 == 0 {
		cidr = "0.0.0.0/0" // a few groups open SSH to the world
	}
	fmt.Fprintf(b, `<item><ownerId>%s</ownerId><groupId>%s</groupId><groupName>sg-%d</groupName><groupDescription>synthetic group %d</groupDescription>`+
		`<vpcId>%s</vpcId><securityGroupArn>%s</securityGroupArn><ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort>`+
		`<groups/><ipRanges><item><cidrIp>%s</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissions>`+
		`<ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissionsEgress></item>`,
		g.account, sg, j, j, g.of("vpcs", "vpc", ri, j), g.arn("ec2", region, "security-group/"+sg), cidr)
}

func (g *synthetic) instanceXML(region string, ri, j int, b *strings.Builder) {
	iid := id("i", kindNo("instances"), ri, j)
	fmt.Fprintf(b, `<item><reservationId>%s</reservationId><ownerId>%s</ownerId><groupSet/><instancesSet><item>`+
		`<instanceId>%s</instanceId><imageId>ami-0abcdef1234567890</imageId><instanceState><code>16</code><name>running</name></instanceState>`+
		`<privateDnsName>ip-10-0-%d-%d.ec2.internal</privateDnsName><instanceType>t3.medium</instanceType><launchTime>%s</launchTime>`+
		`<placement><availabilityZone>%sa</availabilityZone><tenancy>default</tenancy></placement><monitoring><state>disabled</state></monitoring>`+
		`<subnetId>%s</subnetId><vpcId>%s</vpcId><privateIpAddress>10.0.%d.%d</privateIpAddress>`+
		`<groupSet><item><groupId>%s</groupId><groupName>sg</groupName></item></groupSet><architecture>x86_64</architecture><rootDeviceType>ebs</rootDeviceType>`+
		`<rootDeviceName>/dev/xvda</rootDeviceName><blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>%s</volumeId><status>attached</status>`+
		`<attachTime>%s</attachTime><deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>`+
		`<networkInterfaceSet><item><networkInterfaceId>%s</networkInterfaceId><subnetId>%s</subnetId><vpcId>%s</vpcId><status>in-use</status>`+
		`<attachment><attachmentId>eni-attach-%d</attachmentId><deviceIndex>0</deviceIndex><status>attached</status></attachment></item></networkInterfaceSet>`+
		`<iamInstanceProfile><arn>arn:aws:iam::%s:instance-profile/synth-profile-%d</arn><id>AIPASYNTH%011d</id></iamInstanceProfile>`+
		`<metadataOptions><state>applied</state><httpTokens>%s</httpTokens><httpEndpoint>enabled</httpEndpoint></metadataOptions>`+
		`<tagSet><item><key>Name</key><value>synth-%d</value></item><item><key>Owner</key><value>team-%d</value></item></tagSet></item></instancesSet></item>`,
		id("r", kindNo("instances"), ri, j), g.account, iid, j/256%256, j%256, day(j), region,
		g.of("subnets", "subnet", ri, j), g.of("vpcs", "vpc", ri, j), j/256%256, j%256, g.of("security_groups", "sg", ri, j),
		g.of("volumes", "vol", ri, j), day(j), g.of("network_interfaces", "eni", ri, j), g.of("subnets", "subnet", ri, j),
		g.of("vpcs", "vpc", ri, j), j, g.account, j%50, j%50, []string{"required", "optional"}[j%2], j, j%40)
}

func (g *synthetic) volumeXML(region string, ri, j int, b *strings.Builder) {
	vol := id("vol", kindNo("volumes"), ri, j)
	attach := ""
	if ni := g.perRegion("instances", ri); j < ni {
		attach = fmt.Sprintf(`<item><volumeId>%s</volumeId><instanceId>%s</instanceId><device>/dev/xvda</device><status>attached</status>`+
			`<attachTime>%s</attachTime><deleteOnTermination>true</deleteOnTermination></item>`, vol, id("i", kindNo("instances"), ri, j), day(j))
	}
	fmt.Fprintf(b, `<item><volumeId>%s</volumeId><size>%d</size><snapshotId/><availabilityZone>%sa</availabilityZone><status>in-use</status>`+
		`<createTime>%s</createTime><attachmentSet>%s</attachmentSet><volumeType>gp3</volumeType><encrypted>%t</encrypted>`+
		`<multiAttachEnabled>false</multiAttachEnabled><tagSet><item><key>Name</key><value>vol-%d</value></item></tagSet></item>`,
		vol, 8+j%500, region, day(j), attach, j%3 != 0, j)
}

func (g *synthetic) eniXML(region string, ri, j int, b *strings.Builder) {
	fmt.Fprintf(b, `<item><networkInterfaceId>%s</networkInterfaceId><subnetId>%s</subnetId><vpcId>%s</vpcId><availabilityZone>%sa</availabilityZone>`+
		`<description>synthetic interface %d</description><ownerId>%s</ownerId><status>in-use</status><macAddress>0e:00:00:%02x:%02x:%02x</macAddress>`+
		`<privateIpAddress>10.1.%d.%d</privateIpAddress><sourceDestCheck>true</sourceDestCheck><interfaceType>interface</interfaceType>`+
		`<groupSet><item><groupId>%s</groupId><groupName>sg</groupName></item></groupSet>`+
		`<privateIpAddressesSet><item><privateIpAddress>10.1.%d.%d</privateIpAddress><primary>true</primary></item></privateIpAddressesSet></item>`,
		id("eni", kindNo("network_interfaces"), ri, j), g.of("subnets", "subnet", ri, j), g.of("vpcs", "vpc", ri, j), region, j, g.account,
		j>>16&255, j>>8&255, j&255, j/256%256, j%256, g.of("security_groups", "sg", ri, j), j/256%256, j%256)
}

func (g *synthetic) snapshotXML(region string, ri, j int, b *strings.Builder) {
	fmt.Fprintf(b, `<item><snapshotId>%s</snapshotId><volumeId>%s</volumeId><status>completed</status><startTime>%s</startTime>`+
		`<progress>100%%</progress><ownerId>%s</ownerId><volumeSize>%d</volumeSize><description>nightly backup %d</description>`+
		`<encrypted>%t</encrypted><storageTier>standard</storageTier></item>`,
		id("snap", kindNo("snapshots"), ri, j), g.of("volumes", "vol", ri, j), day(j), g.account, 8+j%500, j, j%4 != 0)
}

// snapshotAttribute answers DescribeSnapshotAttribute: one snapshot in 50
// may be restored by anyone.
func (g *synthetic) snapshotAttribute(region string, ri int, p map[string]string, _ string) *fixture {
	sid := p["SnapshotId"]
	h := fnv.New64a()
	h.Write([]byte(sid))
	perm := "<createVolumePermission/>"
	if mix(h.Sum64())%50 == 0 {
		perm = "<createVolumePermission><item><group>all</group></item></createVolumePermission>"
	}
	return xmlFixture(fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<DescribeSnapshotAttributeResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>synthetic</requestId><snapshotId>%s</snapshotId>%s</DescribeSnapshotAttributeResponse>`,
		xmlText(sid), perm))
}

// --- S3 ---

func (g *synthetic) bucketName(i int) string { return fmt.Sprintf("synth-bucket-%07d", i) }

func (g *synthetic) listBuckets(_ string, _ int, p map[string]string, token string) *fixture {
	start, end, next, bad := page(g.n["buckets"], pageSize(p, "max-buckets", 1000), token)
	if bad != nil {
		return bad
	}
	var b strings.Builder
	b.WriteString(`<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner><Buckets>`)
	for i := start; i < end; i++ {
		fmt.Fprintf(&b, "<Bucket><Name>%s</Name><CreationDate>%s</CreationDate><BucketRegion>%s</BucketRegion></Bucket>",
			g.bucketName(i), day(i), g.regions[i%len(g.regions)])
	}
	b.WriteString("</Buckets>")
	if next != "" {
		fmt.Fprintf(&b, "<ContinuationToken>%s</ContinuationToken>", next)
	}
	b.WriteString("</ListAllMyBucketsResult>")
	return s3XML(b.String())
}

// bucketCall answers a per-bucket call for a synthetic bucket, NoSuchBucket
// for any other name.
func bucketCall(fn func(g *synthetic, i int) *fixture) synthHandler {
	return func(g *synthetic, _ string, _ int, p map[string]string, _ string) *fixture {
		i, ok := index(p["Bucket"], "synth-bucket-", g.n["buckets"])
		if !ok {
			return notFound("NoSuchBucket", "bucket", p["Bucket"])
		}
		return fn(g, i)
	}
}

func (g *synthetic) bucketLocation(i int) *fixture {
	region := g.regions[i%len(g.regions)]
	if region == "us-east-1" {
		region = "" // S3 answers an empty LocationConstraint for us-east-1
	}
	return s3XML(`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + region + `</LocationConstraint>`)
}

func (g *synthetic) bucketACL(int) *fixture {
	return s3XML(`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>` +
		`<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Grantee>` +
		`<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`)
}

func (g *synthetic) bucketEncryption(i int) *fixture {
	if mix(uint64(i))%10 == 0 {
		return errFixture("ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", 404)
	}
	return s3XML(`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`)
}

func hasPolicy(i int) bool { return mix(uint64(i))%5 == 1 }

func (g *synthetic) bucketPolicy(i int) *fixture {
	if !hasPolicy(i) {
		return errFixture("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
	}
	n := g.bucketName(i)
	return jsonFixture(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::` + n + `","arn:aws:s3:::` + n + `/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
}

func (g *synthetic) bucketPolicyStatus(i int) *fixture {
	if !hasPolicy(i) {
		return errFixture("NoSuchBucketPolicy", "The bucket policy does not exist", 404)
	}
	return s3XML(`<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>false</IsPublic></PolicyStatus>`)
}

func (g *synthetic) bucketTagging(i int) *fixture {
	if mix(uint64(i))%3 == 0 {
		return errFixture("NoSuchTagSet", "The TagSet does not exist", 404)
	}
	return s3XML(fmt.Sprintf(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>Classification</Key><Value>internal</Value></Tag>`+
		`<Tag><Key>Owner</Key><Value>team-%d</Value></Tag></TagSet></Tagging>`, i%40))
}

func (g *synthetic) bucketVersioning(i int) *fixture {
	if i%2 == 0 {
		return s3XML(`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`)
	}
	return s3XML(`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`)
}

func (g *synthetic) publicAccessBlock(i int) *fixture {
	if mix(uint64(i))%4 == 0 {
		return errFixture("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", 404)
	}
	return s3XML(`<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls>` +
		`<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`)
}

// --- IAM ---

// managedPolicies are the AWS managed policies synthetic principals use
// (documents as AWS publishes them).
var managedPolicies = []struct{ name, path, id, doc string }{
	{"AdministratorAccess", "/", "ANPAIWMBCKSKIEE64ZLYK", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	{"AmazonS3ReadOnlyAccess", "/", "ANPAIZTJ4DXE7G6AGAE6M", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`},
	{"AWSLambdaBasicExecutionRole", "/service-role/", "ANPAJNCQGXC42545SKXIK", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`},
}

func managedARN(i int) string {
	m := managedPolicies[i%len(managedPolicies)]
	return "arn:aws:iam::aws:policy" + m.path + m.name
}

func attached(i int) string {
	m := managedPolicies[i%len(managedPolicies)]
	return fmt.Sprintf("<AttachedManagedPolicies><member><PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn></member></AttachedManagedPolicies>", m.name, managedARN(i))
}

func userName(i int) string { return fmt.Sprintf("synth-user-%06d", i) }

// trustedServices are the services synthetic roles trust, in turn; every
// eighth role trusts another account instead.
var trustedServices = []string{"lambda.amazonaws.com", "ec2.amazonaws.com", "ecs-tasks.amazonaws.com"}

func (g *synthetic) authDetails(_ string, _ int, p map[string]string, token string) *fixture {
	nu, ng, nr := g.n["users"], g.n["groups"], g.n["roles"]
	total := nu + ng + nr + len(managedPolicies)
	start, end, next, bad := page(total, pageSize(p, "MaxItems", 100), token)
	if bad != nil {
		return bad
	}
	var users, groups, roles, policies strings.Builder
	for i := start; i < end; i++ {
		switch {
		case i < nu:
			fmt.Fprintf(&users, `<member><Path>/</Path><UserName>%s</UserName><UserId>AIDASYNTH%011d</UserId><Arn>arn:aws:iam::%s:user/%s</Arn>`+
				`<CreateDate>2024-01-01T00:00:00Z</CreateDate><GroupList><member>synth-group-%04d</member></GroupList>%s<UserPolicyList/>`+
				`<Tags><member><Key>Email</Key><Value>user%d@example.com</Value></member></Tags></member>`,
				userName(i), i, g.account, userName(i), i%ng, attached(i+1), i)
		case i < nu+ng:
			k := i - nu
			fmt.Fprintf(&groups, `<member><Path>/</Path><GroupName>synth-group-%04d</GroupName><GroupId>AGPASYNTH%011d</GroupId>`+
				`<Arn>arn:aws:iam::%s:group/synth-group-%04d</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate><GroupPolicyList/>%s</member>`,
				k, k, g.account, k, attached(k+1))
		case i < nu+ng+nr:
			k := i - nu - ng
			principal := `{"Service":"` + trustedServices[k%len(trustedServices)] + `"}`
			if k%8 == 7 {
				principal = `{"AWS":"arn:aws:iam::444455556666:root"}`
			}
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
			inline := "<RolePolicyList/>"
			if k%10 < 3 {
				inline = fmt.Sprintf(`<RolePolicyList><member><PolicyName>inline-%d</PolicyName><PolicyDocument>%s</PolicyDocument></member></RolePolicyList>`, k,
					url.QueryEscape(fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, g.bucketName(k%g.n["buckets"]))))
			}
			fmt.Fprintf(&roles, `<member><Path>/</Path><RoleName>synth-role-%06d</RoleName><RoleId>AROASYNTH%011d</RoleId><Arn>arn:aws:iam::%s:role/synth-role-%06d</Arn>`+
				`<CreateDate>2024-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%s</AssumeRolePolicyDocument><InstanceProfileList/>%s%s`+
				`<Tags><member><Key>Owner</Key><Value>team-%d</Value></member></Tags><RoleLastUsed/></member>`,
				k, k, g.account, k, url.QueryEscape(trust), inline, attached(k), k%40)
		default:
			m := managedPolicies[i-nu-ng-nr]
			fmt.Fprintf(&policies, `<member><PolicyName>%s</PolicyName><PolicyId>%s</PolicyId><Arn>arn:aws:iam::aws:policy%s%s</Arn><Path>%s</Path>`+
				`<DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount><PermissionsBoundaryUsageCount>0</PermissionsBoundaryUsageCount>`+
				`<IsAttachable>true</IsAttachable><CreateDate>2015-02-06T18:39:46Z</CreateDate><UpdateDate>2015-02-06T18:39:46Z</UpdateDate>`+
				`<PolicyVersionList><member><Document>%s</Document><VersionId>v1</VersionId><IsDefaultVersion>true</IsDefaultVersion>`+
				`<CreateDate>2015-02-06T18:39:46Z</CreateDate></member></PolicyVersionList></member>`,
				m.name, m.id, m.path, m.name, m.path, url.QueryEscape(m.doc))
		}
	}
	truncated := "<IsTruncated>false</IsTruncated>"
	if next != "" {
		truncated = "<IsTruncated>true</IsTruncated><Marker>" + next + "</Marker>"
	}
	return xmlFixture(fmt.Sprintf(`<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountAuthorizationDetailsResult>%s`+
		`<UserDetailList>%s</UserDetailList><GroupDetailList>%s</GroupDetailList><RoleDetailList>%s</RoleDetailList><Policies>%s</Policies>`+
		`</GetAccountAuthorizationDetailsResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`,
		truncated, users.String(), groups.String(), roles.String(), policies.String()))
}

// keysOf is how many access keys user u has: the keys are spread one per
// user, then a second one for the first users.
func (g *synthetic) keysOf(u int) int {
	nu, nk := g.n["users"], g.n["access_keys"]
	switch {
	case u < nk-nu:
		return 2
	case u < nk:
		return 1
	}
	return 0
}

// accessKeyID is user u's k-th key (k = 1, 2): 20 characters.
func accessKeyID(u, k int) string { return fmt.Sprintf("AKIA%014dK%d", u, k) }

func (g *synthetic) accessKeys(_ string, _ int, p map[string]string, _ string) *fixture {
	u, ok := index(p["UserName"], "synth-user-", g.n["users"])
	if !ok {
		return notFound("NoSuchEntity", "user", p["UserName"])
	}
	var b strings.Builder
	for k := 1; k <= g.keysOf(u); k++ {
		status := "Active"
		if k == 2 && u%2 == 0 {
			status = "Inactive"
		}
		fmt.Fprintf(&b, "<member><UserName>%s</UserName><AccessKeyId>%s</AccessKeyId><Status>%s</Status><CreateDate>2025-03-02T09:00:00Z</CreateDate></member>",
			userName(u), accessKeyID(u, k), status)
	}
	return xmlFixture(`<ListAccessKeysResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListAccessKeysResult><IsTruncated>false</IsTruncated><AccessKeyMetadata>` +
		b.String() + `</AccessKeyMetadata></ListAccessKeysResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></ListAccessKeysResponse>`)
}

func (g *synthetic) keyLastUsed(_ string, _ int, p map[string]string, _ string) *fixture {
	kid := p["AccessKeyId"]
	var u, k int
	if n, err := fmt.Sscanf(kid, "AKIA%014dK%d", &u, &k); err != nil || n != 2 || k < 1 || k > g.keysOf(u) || accessKeyID(u, k) != kid {
		return notFound("NoSuchEntity", "access key", kid)
	}
	return xmlFixture(fmt.Sprintf(`<GetAccessKeyLastUsedResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccessKeyLastUsedResult><UserName>%s</UserName>`+
		`<AccessKeyLastUsed><LastUsedDate>2026-01-10T08:00:00Z</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region></AccessKeyLastUsed>`+
		`</GetAccessKeyLastUsedResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetAccessKeyLastUsedResponse>`, userName(u)))
}

func (g *synthetic) mfaDevices(_ string, _ int, p map[string]string, _ string) *fixture {
	u, ok := index(p["UserName"], "synth-user-", g.n["users"])
	if !ok {
		return notFound("NoSuchEntity", "user", p["UserName"])
	}
	dev := ""
	if u < g.n["mfa_devices"] {
		dev = fmt.Sprintf("<member><UserName>%s</UserName><SerialNumber>arn:aws:iam::%s:mfa/%s</SerialNumber><EnableDate>2025-04-02T09:00:00Z</EnableDate></member>",
			userName(u), g.account, userName(u))
	}
	return xmlFixture(`<ListMFADevicesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListMFADevicesResult><IsTruncated>false</IsTruncated><MFADevices>` +
		dev + `</MFADevices></ListMFADevicesResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></ListMFADevicesResponse>`)
}

func (g *synthetic) accountSummary(string, int, map[string]string, string) *fixture {
	return xmlFixture(fmt.Sprintf(`<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetAccountSummaryResult><SummaryMap>`+
		`<entry><key>AccountMFAEnabled</key><value>1</value></entry><entry><key>AccountAccessKeysPresent</key><value>0</value></entry>`+
		`<entry><key>Users</key><value>%d</value></entry><entry><key>Groups</key><value>%d</value></entry><entry><key>Roles</key><value>%d</value></entry>`+
		`</SummaryMap></GetAccountSummaryResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetAccountSummaryResponse>`,
		g.n["users"], g.n["groups"], g.n["roles"]))
}

// credentialReport is the CSV report of the root user and every user.
func (g *synthetic) credentialReport(string, int, map[string]string, string) *fixture {
	var b strings.Builder
	b.WriteString("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active," +
		"access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service," +
		"access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service," +
		"cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n")
	fmt.Fprintf(&b, "<root_account>,arn:aws:iam::%s:root,2024-01-01T00:00:00+00:00,not_supported,2026-01-02T00:00:00+00:00,not_supported,not_supported,true,"+
		"false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n", g.account)
	for u := range g.n["users"] {
		keys := g.keysOf(u)
		fmt.Fprintf(&b, "%s,arn:aws:iam::%s:user/%s,2024-01-01T00:00:00+00:00,true,2026-01-09T00:00:00+00:00,2024-01-01T00:00:00+00:00,N/A,%t,"+
			"%t,N/A,N/A,N/A,N/A,%t,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
			userName(u), g.account, userName(u), u < g.n["mfa_devices"], keys >= 1, keys == 2)
	}
	return xmlFixture(`<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetCredentialReportResult><Content>` +
		base64.StdEncoding.EncodeToString([]byte(b.String())) + `</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-01-15T00:00:00Z</GeneratedTime>` +
		`</GetCredentialReportResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetCredentialReportResponse>`)
}

// --- Lambda ---

func functionName(ri, j int) string { return fmt.Sprintf("synth-fn-r%d-%06d", ri, j) }

func (g *synthetic) lambdaList(region string, ri int, p map[string]string, token string) *fixture {
	if ri < 0 {
		return nil
	}
	start, end, next, bad := page(g.perRegion("functions", ri), pageSize(p, "MaxItems", 50), token)
	if bad != nil {
		return bad
	}
	var b strings.Builder
	b.WriteString(`{"Functions":[`)
	for j := start; j < end; j++ {
		if j > start {
			b.WriteByte(',')
		}
		name := functionName(ri, j)
		fmt.Fprintf(&b, `{"FunctionName":%q,"FunctionArn":%q,"Runtime":"python3.12","Role":"arn:aws:iam::%s:role/synth-role-%06d",`+
			`"Handler":"app.handler","CodeSize":%d,"Description":"synthetic function %d","Timeout":30,"MemorySize":256,`+
			`"LastModified":"2026-01-03T10:00:00.000+0000","CodeSha256":"c29tZS1leGFtcGxlLWNvZGUtc2hhMjU2LXZhbHVlLTAwMDA=","Version":"$LATEST",`+
			`"Environment":{"Variables":{"DB_PASSWORD":"synthetic-secret-%d","LOG_LEVEL":"info"}},"TracingConfig":{"Mode":"PassThrough"},`+
			`"PackageType":"Zip","Architectures":["x86_64"]}`,
			name, g.arn("lambda", region, "function:"+name), g.account, (3*j)%g.n["roles"], 1024+j, j, j)
	}
	b.WriteString("]")
	if next != "" {
		fmt.Fprintf(&b, `,"NextMarker":%q`, next)
	}
	b.WriteString("}")
	return jsonFixture(b.String())
}

func (g *synthetic) lambdaFunction(ri int, name string) (int, bool) {
	return g.regionalIndex(name, "synth-fn-", "functions", ri)
}

func (g *synthetic) lambdaPolicy(region string, ri int, p map[string]string, _ string) *fixture {
	name := p["FunctionName"]
	j, ok := g.lambdaFunction(ri, name)
	if !ok || mix(uint64(j))%4 != 0 {
		return errFixture("ResourceNotFoundException", "The resource you requested does not exist.", 404)
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigateway","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},`+
		`"Action":"lambda:InvokeFunction","Resource":"%s"}]}`, g.arn("lambda", region, "function:"+name))
	return jsonFixture(fmt.Sprintf(`{"Policy":%q,"RevisionId":"4d0b7c8e-1f2a-4b3c-9d8e-%012d"}`, policy, j))
}

func (g *synthetic) lambdaTags(region string, ri int, p map[string]string, _ string) *fixture {
	name, _ := strings.CutPrefix(p["Resource"], g.arn("lambda", region, "function:"))
	j, ok := g.lambdaFunction(ri, name)
	if !ok {
		return errFixture("ResourceNotFoundException", "The resource you requested does not exist.", 404)
	}
	return jsonFixture(fmt.Sprintf(`{"Tags":{"team":"team-%d","Classification":"internal"}}`, j%40))
}

// --- DynamoDB ---

func tableName(ri, j int) string { return fmt.Sprintf("synth-table-r%d-%06d", ri, j) }

func (g *synthetic) dynamoList(_ string, ri int, p map[string]string, _ string) *fixture {
	if ri < 0 {
		return nil
	}
	start := 0
	if s := p["ExclusiveStartTableName"]; s != "" {
		j, ok := g.regionalIndex(s, "synth-table-", "tables", ri)
		if !ok {
			return errFixture("ValidationException", fmt.Sprintf("fakeaws: synthetic world: no table %q", s), 400)
		}
		start = j + 1
	}
	end := min(g.perRegion("tables", ri), start+pageSize(p, "Limit", 100))
	var b strings.Builder
	b.WriteString(`{"TableNames":[`)
	for j := start; j < end; j++ {
		if j > start {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q", tableName(ri, j))
	}
	b.WriteString("]")
	if end < g.perRegion("tables", ri) {
		fmt.Fprintf(&b, `,"LastEvaluatedTableName":%q`, tableName(ri, end-1))
	}
	b.WriteString("}")
	return jsonFixture(b.String())
}

func (g *synthetic) table(ri int, name string) (int, *fixture) {
	j, ok := g.regionalIndex(name, "synth-table-", "tables", ri)
	if !ok {
		return 0, errFixture("ResourceNotFoundException", fmt.Sprintf("Requested resource not found: Table: %s not found", name), 400)
	}
	return j, nil
}

func (g *synthetic) dynamoTable(region string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.table(ri, p["TableName"])
	if nf != nil {
		return nf
	}
	name := tableName(ri, j)
	sse := ""
	if j%3 == 0 {
		sse = `,"SSEDescription":{"Status":"ENABLED","SSEType":"KMS","KMSMasterKeyArn":"` + g.arn("kms", region, "key/1234abcd-12ab-34cd-56ef-1234567890ab") + `"}`
	}
	return jsonFixture(fmt.Sprintf(`{"Table":{"TableName":%q,"TableArn":%q,"TableId":"a1b2c3d4-5678-90ab-cdef-%012d","TableStatus":"ACTIVE",`+
		`"CreationDateTime":1735722000,"ItemCount":%d,"TableSizeBytes":%d,"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],`+
		`"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"},`+
		`"DeletionProtectionEnabled":%t%s}}`, name, g.arn("dynamodb", region, "table/"+name), j, j*10, j*4096, j%2 == 0, sse))
}

func (g *synthetic) dynamoBackups(_ string, ri int, p map[string]string, _ string) *fixture {
	j, nf := g.table(ri, p["TableName"])
	if nf != nil {
		return nf
	}
	pitr := "DISABLED"
	if j%2 == 0 {
		pitr = "ENABLED"
	}
	return jsonFixture(`{"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED","PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"` + pitr + `"}}}`)
}

func (g *synthetic) dynamoTags(region string, ri int, p map[string]string, _ string) *fixture {
	name, _ := strings.CutPrefix(p["ResourceArn"], g.arn("dynamodb", region, "table/"))
	j, nf := g.table(ri, name)
	if nf != nil {
		return nf
	}
	if j%4 == 0 {
		return jsonFixture(`{"Tags":[]}`)
	}
	return jsonFixture(fmt.Sprintf(`{"Tags":[{"Key":"Classification","Value":"confidential"},{"Key":"Owner","Value":"team-%d"}]}`, j%40))
}

// --- RDS ---

func rdsList(op, list string, body string) string {
	return fmt.Sprintf(`<%sResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><%sResult><%s>%s</%s>`, op, op, list, body, list)
}

func rdsEnd(op, next string) string {
	m := ""
	if next != "" {
		m = "<Marker>" + next + "</Marker>"
	}
	return fmt.Sprintf(`%s</%sResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></%sResponse>`, m, op, op)
}

func dbName(ri, j int) string { return fmt.Sprintf("synth-db-r%d-%06d", ri, j) }

func (g *synthetic) dbInstances(region string, ri int, p map[string]string, token string) *fixture {
	if ri < 0 {
		return nil
	}
	start, end, next, bad := page(g.perRegion("db_instances", ri), pageSize(p, "MaxRecords", 100), token)
	if bad != nil {
		return bad
	}
	var b strings.Builder
	for j := start; j < end; j++ {
		name := dbName(ri, j)
		fmt.Fprintf(&b, `<DBInstance><DBInstanceIdentifier>%s</DBInstanceIdentifier><DBInstanceArn>%s</DBInstanceArn><DBInstanceClass>db.t3.medium</DBInstanceClass>`+
			`<Engine>postgres</Engine><EngineVersion>16.3</EngineVersion><DBInstanceStatus>available</DBInstanceStatus>`+
			`<Endpoint><Address>%s.c0ffee123456.%s.rds.amazonaws.com</Address><Port>5432</Port></Endpoint><InstanceCreateTime>%s</InstanceCreateTime>`+
			`<AvailabilityZone>%sa</AvailabilityZone><BackupRetentionPeriod>7</BackupRetentionPeriod><MultiAZ>%t</MultiAZ><PubliclyAccessible>%t</PubliclyAccessible>`+
			`<StorageEncrypted>%t</StorageEncrypted><StorageType>gp3</StorageType><AllocatedStorage>100</AllocatedStorage><DbiResourceId>db-SYNTH%010d</DbiResourceId>`+
			`<VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>%s</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups>`+
			`<DBSubnetGroup><DBSubnetGroupName>synth-subnets</DBSubnetGroupName><VpcId>%s</VpcId><SubnetGroupStatus>Complete</SubnetGroupStatus></DBSubnetGroup>`+
			`<IAMDatabaseAuthenticationEnabled>false</IAMDatabaseAuthenticationEnabled><DeletionProtection>false</DeletionProtection>`+
			`<TagList><Tag><Key>Owner</Key><Value>team-%d</Value></Tag></TagList></DBInstance>`,
			name, g.arn("rds", region, "db:"+name), name, region, day(j), region, j%2 == 0, j%25 == 0, j%5 != 0, j,
			g.of("security_groups", "sg", ri, j), g.of("vpcs", "vpc", ri, j), j%40)
	}
	return xmlFixture(rdsList("DescribeDBInstances", "DBInstances", b.String()) + rdsEnd("DescribeDBInstances", next))
}

// dbSnapshotName: even snapshots are manual, odd ones automated.
func dbSnapshotName(ri, j int) string {
	if j%2 == 0 {
		return fmt.Sprintf("synth-dbsnap-r%d-%06d", ri, j)
	}
	return fmt.Sprintf("rds:synth-dbsnap-r%d-%06d", ri, j)
}

func (g *synthetic) dbSnapshots(region string, ri int, p map[string]string, token string) *fixture {
	if ri < 0 {
		return nil
	}
	start, end, next, bad := page(g.perRegion("db_snapshots", ri), pageSize(p, "MaxRecords", 100), token)
	if bad != nil {
		return bad
	}
	var b strings.Builder
	for j := start; j < end; j++ {
		name, typ := dbSnapshotName(ri, j), "manual"
		if j%2 == 1 {
			typ = "automated"
		}
		fmt.Fprintf(&b, `<DBSnapshot><DBSnapshotIdentifier>%s</DBSnapshotIdentifier><DBInstanceIdentifier>%s</DBInstanceIdentifier>`+
			`<DBSnapshotArn>%s</DBSnapshotArn><SnapshotType>%s</SnapshotType><SnapshotCreateTime>%s</SnapshotCreateTime><Engine>postgres</Engine>`+
			`<EngineVersion>16.3</EngineVersion><AllocatedStorage>100</AllocatedStorage><Status>available</Status><Encrypted>%t</Encrypted><TagList/></DBSnapshot>`,
			name, dbName(ri, j%g.perRegion("db_instances", ri)), g.arn("rds", region, "snapshot:"+name), typ, day(j), j%5 != 0)
	}
	return xmlFixture(rdsList("DescribeDBSnapshots", "DBSnapshots", b.String()) + rdsEnd("DescribeDBSnapshots", next))
}

func (g *synthetic) dbSnapshotAttributes(_ string, ri int, p map[string]string, _ string) *fixture {
	name := p["DBSnapshotIdentifier"]
	j, ok := g.regionalIndex(name, "synth-dbsnap-", "db_snapshots", ri)
	if !ok || j%2 != 0 {
		return errFixture("DBSnapshotNotFound", fmt.Sprintf("DBSnapshot %s not found.", name), 404)
	}
	restore := ""
	if j%50 == 0 {
		restore = "<AttributeValue>all</AttributeValue>"
	}
	return xmlFixture(fmt.Sprintf(`<DescribeDBSnapshotAttributesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBSnapshotAttributesResult>`+
		`<DBSnapshotAttributesResult><DBSnapshotIdentifier>%s</DBSnapshotIdentifier><DBSnapshotAttributes><DBSnapshotAttribute><AttributeName>restore</AttributeName>`+
		`<AttributeValues>%s</AttributeValues></DBSnapshotAttribute></DBSnapshotAttributes></DBSnapshotAttributesResult></DescribeDBSnapshotAttributesResult>`+
		`<ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></DescribeDBSnapshotAttributesResponse>`, xmlText(name), restore))
}
