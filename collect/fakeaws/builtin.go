package fakeaws

// Built-in answers: the few calls whose answer follows from world.json rather
// than from a fixture file. A fixture for the same call always wins. This is
// the counted escape hatch of the fake (four operations):
//
//   - sts:GetCallerIdentity — the world's caller, or the assumed role for keys
//     handed out by AssumeRole;
//   - sts:AssumeRole — temporary credentials for any well-formed RoleArn
//     (expiring in 2099, or as ExpireSessions says);
//   - ec2:DescribeRegions — world regions (+ disabled ones with AllRegions=true);
//   - s3:GetBucketLocation — world.json "buckets".

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

var reRoleARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:[^/]+/)*([^/]+)$`)

// builtin answers c if it is one of the built-in calls. ok is false when it is not.
func (s *Server) builtin(c call, reqID string) (contentType string, body []byte, e *apiError, ok bool) {
	switch c.svc.Package + ":" + c.op {
	case "sts:GetCallerIdentity":
		id := identity{Account: s.world.AccountID, ARN: s.world.CallerARN, UserID: s.world.CallerUserID}
		s.mu.Lock()
		if a, found := s.assumed[c.akid]; found {
			id = a
		}
		s.mu.Unlock()
		return "text/xml", fmt.Appendf(nil,
			`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
			xmlText(id.ARN), xmlText(id.UserID), xmlText(id.Account), xmlText(reqID)), nil, true

	case "sts:AssumeRole":
		roleARN, session := c.params["RoleArn"], c.params["RoleSessionName"]
		m := reRoleARN.FindStringSubmatch(roleARN)
		if m == nil || session == "" {
			return "", nil, &apiError{Code: "ValidationError", Message: fmt.Sprintf("fakeaws: AssumeRole needs a role ARN and a RoleSessionName (got RoleArn=%q RoleSessionName=%q)", roleARN, session), Status: http.StatusBadRequest}, true
		}
		s.mu.Lock()
		n := len(s.assumed) + 1
		akid := assumedKey(n)
		expiration := "2099-01-01T00:00:00Z"
		if exp, ok := s.sessionExpiry(akid); ok {
			expiration = exp.Format("2006-01-02T15:04:05.000Z")
		}
		roleID := fmt.Sprintf("AROAFAKEAWS%09d", n)
		assumedARN := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", m[1], m[2], session)
		s.assumed[akid] = identity{Account: m[1], ARN: assumedARN, UserID: roleID + ":" + session}
		s.mu.Unlock()
		return "text/xml", fmt.Appendf(nil,
			`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>fakeawsSecretAccessKeyForTestsOnly0000000</SecretAccessKey><SessionToken>fakeaws-session-token-%d</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>%s</AssumedRoleId><Arn>%s</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></AssumeRoleResponse>`,
			akid, n, expiration, xmlText(roleID+":"+session), xmlText(assumedARN), xmlText(reqID)), nil, true

	case "ec2:DescribeRegions":
		return "text/xml;charset=UTF-8", s.describeRegions(c.params, reqID), nil, true

	case "s3:GetBucketLocation":
		region, found := s.world.bucketRegion(c.params["Bucket"])
		if !found {
			return "", nil, nil, false
		}
		if region == "us-east-1" {
			region = "" // S3 answers an empty LocationConstraint for us-east-1
		}
		return "application/xml", fmt.Appendf(nil,
			`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">%s</LocationConstraint>`,
			xmlText(region)), nil, true
	}
	return "", nil, nil, false
}

// describeRegions lists the world's regions: enabled ones always, disabled
// ones (optInStatus not-opted-in) only with AllRegions=true; RegionName.N
// filters by name.
func (s *Server) describeRegions(params map[string]string, reqID string) []byte {
	var names []string
	for k, v := range params {
		if strings.HasPrefix(k, "RegionName.") {
			names = append(names, v)
		}
	}
	type reg struct{ name, status string }
	var regs []reg
	for _, r := range s.world.Regions {
		regs = append(regs, reg{r, "opt-in-not-required"})
	}
	if strings.EqualFold(params["AllRegions"], "true") {
		for _, r := range s.world.DisabledRegions {
			regs = append(regs, reg{r, "not-opted-in"})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>%s</requestId><regionInfo>`, xmlText(reqID))
	for _, r := range regs {
		if len(names) > 0 && !slices.Contains(names, r.name) {
			continue
		}
		fmt.Fprintf(&b, `<item><regionName>%s</regionName><regionEndpoint>ec2.%s.amazonaws.com</regionEndpoint><optInStatus>%s</optInStatus></item>`, r.name, r.name, r.status)
	}
	b.WriteString(`</regionInfo></DescribeRegionsResponse>`)
	return []byte(b.String())
}
