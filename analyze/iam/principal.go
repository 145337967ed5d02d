package iam

import (
	"fmt"
	"strings"
	"unicode"
)

// PrincipalType classifies the caller of a request.
type PrincipalType string

// Principal types. The values are those of the aws:PrincipalType condition
// key where AWS defines one.
const (
	PrincipalUser          PrincipalType = "User"
	PrincipalRole          PrincipalType = "Role" // a role ARN used directly (simulation of the role itself)
	PrincipalAssumedRole   PrincipalType = "AssumedRole"
	PrincipalFederatedUser PrincipalType = "FederatedUser"
	PrincipalRoot          PrincipalType = "Account"
	PrincipalService       PrincipalType = "Service"
	PrincipalFederated     PrincipalType = "Federated"     // a web identity / SAML provider, e.g. cognito-identity.amazonaws.com
	PrincipalCanonicalUser PrincipalType = "CanonicalUser" // an S3 canonical user ID
	PrincipalAnonymous     PrincipalType = "Anonymous"
)

// Principal is the caller of a request, parsed from its ARN or name.
type Principal struct {
	Raw       string
	Type      PrincipalType
	Partition string
	Account   string // empty for services, federated providers and anonymous
	// ARN is the principal's own ARN (user, role, session, federated user,
	// root); empty otherwise.
	ARN string
	// Name is the user name, role name or federated-user name.
	Name string
	// Session is the role session name (AssumedRole only).
	Session string
	// RoleARN is the role's ARN for a role or an assumed-role session
	// (arn:PARTITION:iam::ACCOUNT:role/NAME; a session ARN does not carry
	// the role's path, so none is added).
	RoleARN string
	// Path is the user or role path ("/" when none), when known.
	Path string
}

// IsIAM reports whether the principal is an IAM identity of an account
// (user, role, session, federated user or root): those have identity-based
// policies and are subject to SCPs.
func (p Principal) IsIAM() bool {
	switch p.Type {
	case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser, PrincipalRoot:
		return true
	}
	return false
}

// IsServiceLinkedRole reports whether the principal is a service-linked role
// or a session of one (path /aws-service-role/, or a role name starting
// with AWSServiceRoleFor when the path is unknown).
func (p Principal) IsServiceLinkedRole() bool {
	if p.Type != PrincipalRole && p.Type != PrincipalAssumedRole {
		return false
	}
	return strings.HasPrefix(p.Path, "/aws-service-role/") || strings.HasPrefix(p.Name, "AWSServiceRoleFor")
}

// ParsePrincipal parses a request principal: "*" (anonymous), a 12-digit
// account ID or account root ARN, an IAM user or role ARN, an assumed-role
// session ARN (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION), a federated
// user ARN (arn:aws:sts::ACCT:federated-user/NAME), a service principal
// (lambda.amazonaws.com), a SAML/OIDC provider ARN or web identity provider
// host, or a 64-hex-digit S3 canonical user ID. ARNs need a partition, and
// user, role and session names contain no white space.
func ParsePrincipal(s string) (Principal, error) {
	s = strings.TrimSpace(s)
	p := Principal{Raw: s}
	switch {
	case s == "":
		return p, fmt.Errorf("empty principal")
	case s == "*":
		p.Type = PrincipalAnonymous
		return p, nil
	case isAccountID(s):
		p.Type, p.Partition, p.Account = PrincipalRoot, "aws", s
		p.ARN = "arn:aws:iam::" + s + ":root"
		return p, nil
	case strings.HasPrefix(s, "arn:"):
		return parseARNPrincipal(s)
	case isCanonicalUser(s):
		p.Type = PrincipalCanonicalUser
		return p, nil
	case isServicePrincipal(s):
		// Kept as written: service principals are case-sensitive.
		p.Type = PrincipalService
		return p, nil
	case strings.Contains(s, ".") && !strings.ContainsAny(s, " /:"):
		p.Type = PrincipalFederated
		return p, nil
	}
	return p, fmt.Errorf("principal %q: not \"*\", an account, an IAM/STS ARN, a service or a provider", s)
}

// isServicePrincipal reports whether s names an AWS service principal
// (service.amazonaws.com, also regional and China forms). Cognito identity
// is a web identity provider, not a service caller.
func isServicePrincipal(s string) bool {
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "cognito-identity.") || strings.ContainsAny(l, " /:") {
		return false
	}
	return strings.HasSuffix(l, ".amazonaws.com") || strings.HasSuffix(l, ".amazonaws.com.cn")
}

func parseARNPrincipal(s string) (Principal, error) {
	p := Principal{Raw: s}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return p, fmt.Errorf("principal %q: malformed ARN", s)
	}
	p.Partition, p.Account = parts[1], parts[4]
	svc, res := parts[2], parts[5]
	bad := func(why string) (Principal, error) {
		return p, fmt.Errorf("principal %q: %s", s, why)
	}
	if p.Partition == "" {
		return bad("no partition")
	}
	if !isAccountID(p.Account) {
		return bad("account must be 12 digits")
	}
	switch svc {
	case "iam":
		switch {
		case res == "root":
			p.Type, p.ARN = PrincipalRoot, s
		case strings.HasPrefix(res, "user/"):
			p.Type, p.ARN = PrincipalUser, s
			p.Path, p.Name = splitPath(strings.TrimPrefix(res, "user/"))
		case strings.HasPrefix(res, "role/"):
			p.Type, p.ARN = PrincipalRole, s
			p.Path, p.Name = splitPath(strings.TrimPrefix(res, "role/"))
			p.RoleARN = s
		case strings.HasPrefix(res, "saml-provider/"), strings.HasPrefix(res, "oidc-provider/"):
			p.Type = PrincipalFederated
			p.Account = ""
		default:
			return bad("not a user, role, root or identity provider ARN")
		}
		if p.Name == "" && (p.Type == PrincipalUser || p.Type == PrincipalRole) {
			return bad("no name")
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			rest := strings.TrimPrefix(res, "assumed-role/")
			i := strings.LastIndexByte(rest, '/')
			if i <= 0 || i == len(rest)-1 {
				return bad("an assumed-role ARN is assumed-role/ROLE/SESSION")
			}
			p.Type, p.ARN = PrincipalAssumedRole, s
			p.Name, p.Session = rest[:i], rest[i+1:]
			if j := strings.LastIndexByte(p.Name, '/'); j >= 0 {
				// Some tools write the role path into the session ARN.
				p.Path, p.Name = "/"+p.Name[:j+1], p.Name[j+1:]
			}
			if p.Name == "" {
				return bad("an assumed-role ARN names its role")
			}
			p.RoleARN = "arn:" + p.Partition + ":iam::" + p.Account + ":role/" + p.Name
		case strings.HasPrefix(res, "federated-user/"):
			p.Type, p.ARN = PrincipalFederatedUser, s
			p.Name = strings.TrimPrefix(res, "federated-user/")
		default:
			return bad("not an assumed-role or federated-user ARN")
		}
	default:
		return bad("service must be iam or sts")
	}
	// IAM names have no white space; allowing it would also derive a role
	// ARN that does not parse back (ParsePrincipal trims its input).
	if strings.ContainsFunc(p.Name+p.Session, unicode.IsSpace) {
		return bad("user, role and session names contain no white space")
	}
	return p, nil
}

// splitPath splits "path/to/name" into ("/path/to/", "name").
func splitPath(s string) (path, name string) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "/", s
	}
	return "/" + s[:i+1], s[i+1:]
}

func isCanonicalUser(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// matchKind says how a Principal element matched the caller. The kind
// matters for same-account requests (see eval.go).
type matchKind uint8

const (
	matchNone matchKind = iota
	// matchAccount: the element names the caller's account (root ARN or
	// account ID). Access is delegated to the account's IAM policies.
	matchAccount
	// matchRole: the element names the role whose session is calling.
	matchRole
	// matchUser: the element names the calling IAM user.
	matchUser
	// matchDirect: the element names the exact caller (the role session,
	// federated user, service, provider or canonical user) or is "*".
	matchDirect
)

func (k matchKind) String() string {
	switch k {
	case matchAccount:
		return "account"
	case matchRole:
		return "role ARN"
	case matchUser:
		return "user ARN"
	case matchDirect:
		return "principal"
	}
	return "none"
}

// awsEntryKind says how one AWS principal entry matches the caller.
func (p *Principal) awsEntryKind(entry string) matchKind {
	if !p.IsIAM() {
		return matchNone
	}
	parts := strings.SplitN(entry, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] != p.Account {
		return matchNone
	}
	svc, res := parts[2], parts[5]
	switch {
	case svc == "iam" && res == "root":
		if p.Type == PrincipalRoot {
			return matchDirect
		}
		return matchAccount
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		if p.Type == PrincipalUser || p.Type == PrincipalFederatedUser {
			_, name := splitPath(strings.TrimPrefix(res, "user/"))
			if p.Type == PrincipalUser && name == p.Name {
				return matchUser
			}
		}
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		if p.Type == PrincipalRole || p.Type == PrincipalAssumedRole {
			_, name := splitPath(strings.TrimPrefix(res, "role/"))
			if name == p.Name {
				return matchRole
			}
		}
	case svc == "sts":
		if p.Type == PrincipalAssumedRole || p.Type == PrincipalFederatedUser {
			if entry == p.ARN {
				return matchDirect
			}
		}
	}
	return matchNone
}

// match returns how the set matches the caller (the strongest match).
func (ps *PrincipalSet) match(p *Principal) matchKind {
	if ps.Any {
		return matchDirect
	}
	best := matchNone
	switch p.Type {
	case PrincipalService:
		for _, s := range ps.Service {
			if s == p.Raw {
				return matchDirect
			}
		}
	case PrincipalFederated:
		for _, s := range ps.Federated {
			if s == p.Raw {
				return matchDirect
			}
		}
	case PrincipalCanonicalUser:
		for _, s := range ps.CanonicalUser {
			if s == p.Raw {
				return matchDirect
			}
		}
	default:
		for _, e := range ps.AWS {
			if k := p.awsEntryKind(e); k > best {
				best = k
			}
		}
	}
	return best
}

// notPrincipalApplies reports whether a statement with this NotPrincipal
// applies to the caller, that is whether the caller is NOT excepted.
//
// NotPrincipal entries are compared literally, level by level
// (reference_policies_elements_notprincipal.html: "AWS might validate the
// account first, then the role, and then the assumed-role user"):
//
//   - a listed account alone does not except the account's users and roles:
//     the User Guide's example lists "Bob and Bob's account" so that everyone
//     but Bob is denied;
//   - an IAM user, a role used directly, a federated user session or the root
//     user is excepted when its own ARN is listed;
//   - an assumed-role session is excepted only when both its session ARN and
//     its role's ARN are listed. The role ARN alone does not except the
//     role's sessions, unlike in Principal (AWS Knowledge Center
//     explicit-deny-principle-elements-s3; AWS Security Blog "How to
//     restrict Amazon S3 bucket access to a specific IAM role": "you must
//     include both ARNs"), and a session ARN without its role leaves the
//     role level denied.
//
// Services, providers and canonical users are excepted when listed exactly;
// "*" excepts everyone.
func (ps *PrincipalSet) notPrincipalApplies(p *Principal) bool {
	if ps.Any {
		return false
	}
	if p.Type != PrincipalAssumedRole {
		return ps.match(p) <= matchAccount
	}
	session, role := false, false
	for _, e := range ps.AWS {
		switch p.awsEntryKind(e) {
		case matchDirect:
			session = true
		case matchRole:
			role = true
		}
	}
	return !(session && role)
}
