package access

// The privilege-escalation techniques, as data: one record per technique,
// each with the public source that documents it. A technique is a set of
// permissions which, held together, let a principal become another
// principal (a user whose credentials it can create, a role it can assume
// or have a service run its code as) or gain administrator access by
// changing its own permissions. The sources are Rhino Security Labs'
// catalogue of IAM privilege escalation methods
// (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/),
// NCC Group's Principal Mapper edge checkers
// (https://github.com/nccgroup/PMapper/wiki), and the AWS documentation of
// each API named. Escalation (escalation.go) asks the IAM evaluator about
// every permission of a technique, so a Deny, a boundary or a condition
// counts exactly as it does for any other request.

// targetKind says what a technique yields.
type targetKind uint8

const (
	// toAdmin: the principal changes its own permissions (or its group's,
	// or a policy attached to it) and so gets administrator access.
	toAdmin targetKind = iota
	// toUser: the principal obtains credentials of another user.
	toUser
	// toRole: the principal acts as a role: it assumes it, has a service
	// run its code as it, or changes its trust policy.
	toRole
)

// on names the resource a step's permission is asked on.
type on uint8

const (
	onSelf       on = iota // the principal itself
	onTarget               // the target user or role
	onAny                  // some resource of the service (a resource pattern "*")
	onGroup                // a group the principal (a user) is in
	onPolicy               // a customer managed policy the principal (or its group) has
	onVia                  // the existing resource that runs as the target (function, instance)
	onAdminGroup           // a group whose policies give administrator access
)

// maxSteps bounds the steps of a technique (TestTechniques checks it).
const maxSteps = 4

// step is one permission a technique needs.
type step struct {
	Action string
	On     on
}

// technique is one documented escalation.
type technique struct {
	ID     string
	Name   string
	Source string
	Target targetKind
	Steps  []step
	// Service, for a role target: the service principal the role must
	// trust (the role is passed to it).
	Service string
	// Via, for a role target reached through an existing resource: the
	// entity type that runs as the role (aws_lambda_function,
	// aws_instance).
	Via string
	// UsersOnly: the technique needs a user principal (group membership).
	UsersOnly bool
	// Boundary: the technique removes the principal's own permissions
	// boundary; it yields admin only when the principal has one and its
	// identity policies alone give admin.
	Boundary bool
}

const (
	rhino  = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
	pmWiki = "https://github.com/nccgroup/PMapper/wiki/"
)

var techniques = []technique{
	// Changing one's own permissions.
	{ID: "create-policy-version", Name: "new default version of an attached customer managed policy",
		Source: rhino + " (method 1); iam:CreatePolicyVersion with SetAsDefault, IAM API Reference",
		Target: toAdmin, Steps: []step{{"iam:CreatePolicyVersion", onPolicy}}},
	{ID: "attach-user-policy", Name: "attach a managed policy to oneself (user)",
		Source: rhino + " (method 7)", Target: toAdmin, UsersOnly: true, Steps: []step{{"iam:AttachUserPolicy", onSelf}}},
	{ID: "attach-group-policy", Name: "attach a managed policy to one's group",
		Source: rhino + " (method 8)", Target: toAdmin, UsersOnly: true, Steps: []step{{"iam:AttachGroupPolicy", onGroup}}},
	{ID: "attach-role-policy", Name: "attach a managed policy to oneself (role)",
		Source: rhino + " (method 9)", Target: toAdmin, Steps: []step{{"iam:AttachRolePolicy", onSelf}}},
	{ID: "put-user-policy", Name: "write an inline policy on oneself (user)",
		Source: rhino + " (method 10)", Target: toAdmin, UsersOnly: true, Steps: []step{{"iam:PutUserPolicy", onSelf}}},
	{ID: "put-group-policy", Name: "write an inline policy on one's group",
		Source: rhino + " (method 11)", Target: toAdmin, UsersOnly: true, Steps: []step{{"iam:PutGroupPolicy", onGroup}}},
	{ID: "put-role-policy", Name: "write an inline policy on oneself (role)",
		Source: rhino + " (method 12)", Target: toAdmin, Steps: []step{{"iam:PutRolePolicy", onSelf}}},
	{ID: "add-user-to-group", Name: "add oneself to an administrators group",
		Source: rhino + " (method 13)", Target: toAdmin, UsersOnly: true, Steps: []step{{"iam:AddUserToGroup", onAdminGroup}}},
	{ID: "delete-user-permissions-boundary", Name: "remove one's own permissions boundary (user)",
		Source: "IAM User Guide, access_policies_boundaries.html; " + pmWiki, Target: toAdmin, UsersOnly: true, Boundary: true,
		Steps: []step{{"iam:DeleteUserPermissionsBoundary", onSelf}}},
	{ID: "delete-role-permissions-boundary", Name: "remove one's own permissions boundary (role)",
		Source: "IAM User Guide, access_policies_boundaries.html; " + pmWiki, Target: toAdmin, Boundary: true,
		Steps: []step{{"iam:DeleteRolePermissionsBoundary", onSelf}}},

	// Credentials of another user.
	{ID: "create-access-key", Name: "create an access key for another user",
		Source: rhino + " (method 4)", Target: toUser, Steps: []step{{"iam:CreateAccessKey", onTarget}}},
	{ID: "create-login-profile", Name: "create a console password for another user",
		Source: rhino + " (method 5)", Target: toUser, Steps: []step{{"iam:CreateLoginProfile", onTarget}}},
	{ID: "update-login-profile", Name: "change another user's console password",
		Source: rhino + " (method 6)", Target: toUser, Steps: []step{{"iam:UpdateLoginProfile", onTarget}}},

	// Acting as a role.
	{ID: "assume-role", Name: "assume a role whose trust policy allows it",
		Source: "IAM User Guide, id_roles_use_permissions-to-switch.html; " + pmWiki, Target: toRole,
		Steps: []step{{"sts:AssumeRole", onTarget}}},
	{ID: "update-assume-role-policy", Name: "rewrite a role's trust policy, then assume it",
		Source: rhino + " (method 14)", Target: toRole, Steps: []step{{"iam:UpdateAssumeRolePolicy", onTarget}}},
	{ID: "passrole-ec2", Name: "launch an EC2 instance with the role's instance profile",
		Source: rhino + " (method 3)", Target: toRole, Service: "ec2.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"ec2:RunInstances", onAny}}},
	{ID: "passrole-lambda-invoke", Name: "create a Lambda function running as the role and invoke it",
		Source: rhino + " (method 15)", Target: toRole, Service: "lambda.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"lambda:CreateFunction", onAny}, {"lambda:InvokeFunction", onAny}}},
	{ID: "passrole-lambda-event-source", Name: "create a Lambda function running as the role, triggered by an event source",
		Source: rhino + " (method 16)", Target: toRole, Service: "lambda.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"lambda:CreateFunction", onAny}, {"lambda:CreateEventSourceMapping", onAny}}},
	{ID: "update-function-code", Name: "replace the code of a Lambda function that runs as the role",
		Source: rhino + " (method 17)", Target: toRole, Via: "aws_lambda_function",
		Steps: []step{{"lambda:UpdateFunctionCode", onVia}}},
	{ID: "passrole-glue", Name: "create a Glue development endpoint running as the role",
		Source: rhino + " (method 18)", Target: toRole, Service: "glue.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"glue:CreateDevEndpoint", onAny}}},
	{ID: "passrole-cloudformation", Name: "create a CloudFormation stack that acts as the role",
		Source: rhino + " (method 20)", Target: toRole, Service: "cloudformation.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"cloudformation:CreateStack", onAny}}},
	{ID: "passrole-datapipeline", Name: "create a Data Pipeline that runs as the role",
		Source: rhino + " (method 21)", Target: toRole, Service: "datapipeline.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"datapipeline:CreatePipeline", onAny}, {"datapipeline:PutPipelineDefinition", onAny}}},
	{ID: "passrole-codebuild", Name: "create and start a CodeBuild project running as the role",
		Source: pmWiki + " (CodeBuild edge checker)", Target: toRole, Service: "codebuild.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"codebuild:CreateProject", onAny}, {"codebuild:StartBuild", onAny}}},
	{ID: "passrole-sagemaker", Name: "create a SageMaker notebook running as the role and open it",
		Source: pmWiki + " (SageMaker edge checker)", Target: toRole, Service: "sagemaker.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"sagemaker:CreateNotebookInstance", onAny}, {"sagemaker:CreatePresignedNotebookInstanceUrl", onAny}}},
	{ID: "passrole-ecs", Name: "register an ECS task definition with the role as task role and run it",
		Source: "Amazon ECS Developer Guide, task-iam-roles.html; " + pmWiki, Target: toRole, Service: "ecs-tasks.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"ecs:RegisterTaskDefinition", onAny}, {"ecs:RunTask", onAny}}},
	{ID: "passrole-autoscaling", Name: "create a launch configuration and Auto Scaling group with the role's instance profile",
		Source: pmWiki + " (AutoScaling edge checker)", Target: toRole, Service: "ec2.amazonaws.com",
		Steps: []step{{"iam:PassRole", onTarget}, {"autoscaling:CreateLaunchConfiguration", onAny}, {"autoscaling:CreateAutoScalingGroup", onAny}}},
	{ID: "ssm-send-command", Name: "run a command on an EC2 instance whose instance profile holds the role",
		Source: pmWiki + " (SSM edge checker); AWS Systems Manager User Guide, run-command.html", Target: toRole, Via: "aws_instance",
		Steps: []step{{"ssm:SendCommand", onVia}}},
	{ID: "ssm-start-session", Name: "open a Session Manager shell on an EC2 instance whose instance profile holds the role",
		Source: pmWiki + " (SSM edge checker); AWS Systems Manager User Guide, session-manager.html", Target: toRole, Via: "aws_instance",
		Steps: []step{{"ssm:StartSession", onVia}}},
}
