"""Seeds a moto server with a small account for .ci/moto-check.

Written for snapaudit: two regions of EC2 (VPC, subnet, an SSH-open security
group, an instance with a key pair, a volume, an internet gateway, route
table, elastic IP, NAT gateway, a network ACL with a deny entry, a VPN
gateway and a peering), a customer-managed KMS key (alias, tags, a key policy
with a caller condition; rotation on in us-east-1 only), tagged and untagged
S3 buckets encrypted with the key by alias (one with a
public-read policy), DynamoDB tables, IAM (a user with an access key and a
virtual MFA device, a group, user and group inline policies, a password
policy; a role anyone can assume, a vendor role trusting another account
without an external ID, a Lambda execution role with an inline policy), a
Lambda function in the VPC whose environment holds a secret and that API
Gateway may invoke, a REST API integrated with it, an RDS instance and an
Aurora cluster (behind the SSH group) with one member, and a Config rule; in us-east-1 also an AMI made
from the instance (public) that a second instance runs, a snapshot of the
volume (public and shared with another account) restored as a new volume,
an Auto Scaling group with a launch template, load balancers (ALB with an
ACM certificate, NLB, classic ELB) in front of the instance, an ECR
repository anyone may pull from with one image, a Batch compute
environment, queue, job definition (a secret in its environment) and job,
an ECS cluster (a Fargate service and its task, a container instance on the
EC2 instance running a batch task, task definitions with a task role), an
EKS cluster, a WorkSpaces directory and workspace, and a Transfer SFTP
server with a logging role and one user; globally a CloudFront distribution,
a registered domain with its hosted zone, an alias record and a CNAME, and an
organisation whose management account is the seeded one (SCPs and RCPs
enabled, an OU with an SCP denying bucket deletion) and the account-level S3
Block Public Access (new public ACLs and policies blocked).

Usage: python3 moto-seed.py ENDPOINT_URL
"""
import io
import json
import sys
import zipfile

import boto3

endpoint = sys.argv[1]
kw = dict(endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


for region in ["us-east-1", "eu-west-1"]:
    ec2 = boto3.client("ec2", region_name=region, **kw)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="ssh-open", Description="SSH from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.create_key_pair(KeyName="ops-" + region)
    instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet,
                                 SecurityGroupIds=[sg], KeyName="ops-" + region)["Instances"][0]["InstanceId"]
    ec2.create_volume(AvailabilityZone=region + "a", Size=10)
    # Network plumbing: a public route table for the subnet, an elastic IP
    # on the instance, a NAT gateway, a NACL with a deny entry, a VPN
    # gateway and (below) a peering.
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=eip, InstanceId=instance)
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Protocol="-1", RuleAction="deny", Egress=False,
                                 CidrBlock="203.0.113.0/24")
    assoc = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    assoc = [a for n in assoc["NetworkAcls"] for a in n["Associations"] if a["SubnetId"] == subnet][0]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=vpc, VpnGatewayId=vgw)
    peer = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)

    # A customer-managed KMS key per region (rotation on in us-east-1 only:
    # AWS-KMS-001 fails eu-west-1's), its alias, tags and a key policy that
    # delegates to the account and lets the Lambda role decrypt through S3;
    # the region's bucket encrypts with it by alias name.
    kms = boto3.client("kms", region_name=region, **kw)
    key = kms.create_key(Description="moto-check data key " + region, Tags=[{"TagKey": "Owner", "TagValue": "data-team"}],
                         Policy=doc({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
                                    {"Sid": "LambdaThroughS3", "Effect": "Allow",
                                     "Principal": {"AWS": "arn:aws:iam::123456789012:role/orders-fn"},
                                     "Action": "kms:Decrypt", "Resource": "*",
                                     "Condition": {"StringEquals": {"kms:ViaService": "s3." + region + ".amazonaws.com"}}}))
    key = key["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/moto-check-data", TargetKeyId=key)
    if region == "us-east-1":
        kms.enable_key_rotation(KeyId=key)

    s3 = boto3.client("s3", region_name=region, **kw)
    bucket = "moto-check-" + region
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Owner", "Value": "data-team"}]})
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/moto-check-data"}}]})

    boto3.client("dynamodb", region_name=region, **kw).create_table(
        TableName="orders-" + region, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])

us = dict(kw, region_name="us-east-1")
boto3.client("s3", **us).put_bucket_policy(Bucket="moto-check-us-east-1", Policy=doc(
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::moto-check-us-east-1/*"}))

# Account-level S3 Block Public Access (s3control): blocking new public
# ACLs and policies only, so the public-read policy above still counts. The
# SDK's endpoint rules put the account ID before the endpoint's host
# (123456789012.127.0.0.1), which does not resolve: send it to the endpoint
# itself, as snapaudit's collector does with a custom endpoint.
s3control = boto3.client("s3control", **us)
s3control.meta.events.register("before-sign.s3-control.*",
                               lambda request, **_: setattr(request, "url", request.url.replace("//123456789012.", "//", 1)))
s3control.put_public_access_block(AccountId="123456789012", PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": False, "RestrictPublicBuckets": False})

iam = boto3.client("iam", **us)
iam.create_user(UserName="alice")
iam.create_access_key(UserName="alice")
iam.create_group(GroupName="developers")
iam.add_user_to_group(GroupName="developers", UserName="alice")
iam.put_user_policy(UserName="alice", PolicyName="read-orders-bucket", PolicyDocument=doc(
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::moto-check-us-east-1/*"}))
admin = iam.create_policy(PolicyName="vendor-admin", PolicyDocument=doc(
    {"Effect": "Allow", "Action": "*", "Resource": "*"}))["Policy"]["Arn"]
iam.create_role(RoleName="public", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}))
iam.create_role(RoleName="vendor", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}))
iam.attach_role_policy(RoleName="vendor", PolicyArn=admin)
fn_role = iam.create_role(RoleName="orders-fn", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]

iam.put_group_policy(GroupName="developers", PolicyName="developer-logs", PolicyDocument=doc(
    {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}))
iam.put_role_policy(RoleName="orders-fn", PolicyName="orders-table", PolicyDocument=doc(
    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
     "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/orders-us-east-1"}))
mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
iam.enable_mfa_device(UserName="alice", SerialNumber=mfa, AuthenticationCode1="123456", AuthenticationCode2="654321")
iam.update_account_password_policy(MinimumPasswordLength=8)

code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return 1\n")
# The function runs in the us-east-1 VPC behind the ssh-open group (moto
# answers a made-up VpcId, vpc-123abc, so only its subnet and group resolve).
ec2us = boto3.client("ec2", **us)
fn_subnet = ec2us.describe_subnets(Filters=[{"Name": "cidr-block", "Values": ["10.0.1.0/24"]}])["Subnets"][0]["SubnetId"]
fn_sg = ec2us.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["ssh-open"]}])["SecurityGroups"][0]["GroupId"]
boto3.client("lambda", **us).create_function(
    FunctionName="orders", Runtime="python3.12", Role=fn_role, Handler="index.handler",
    Code={"ZipFile": code.getvalue()}, VpcConfig={"SubnetIds": [fn_subnet], "SecurityGroupIds": [fn_sg]},
    Environment={"Variables": {"DB_PASSWORD": "moto-check-secret-value"}})

rds = boto3.client("rds", **us)
rds.create_db_instance(
    DBInstanceIdentifier="orders-db", DBInstanceClass="db.t3.micro", Engine="postgres",
    MasterUsername="orders", MasterUserPassword="not-a-real-password", AllocatedStorage=20)
rds.create_db_cluster(DBClusterIdentifier="reports", Engine="aurora-postgresql", VpcSecurityGroupIds=[fn_sg],
                      MasterUsername="reports", MasterUserPassword="not-a-real-password")
rds.create_db_instance(DBInstanceIdentifier="reports-1", DBInstanceClass="db.r5.large",
                       Engine="aurora-postgresql", DBClusterIdentifier="reports")
# A manual snapshot of orders-db that anyone may restore (restore = all).
rds.create_db_snapshot(DBSnapshotIdentifier="orders-db-export", DBInstanceIdentifier="orders-db")
rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="orders-db-export", AttributeName="restore", ValuesToAdd=["all"])
boto3.client("config", **us).put_config_rule(ConfigRule={
    "ConfigRuleName": "s3-bucket-public-read-prohibited",
    "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_PUBLIC_READ_PROHIBITED"}})
apig = boto3.client("apigateway", **us)
api = apig.create_rest_api(name="orders-api")["id"]
root = [r for r in apig.get_resources(restApiId=api)["items"] if r["path"] == "/"][0]["id"]
orders = apig.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
apig.put_method(restApiId=api, resourceId=orders, httpMethod="GET", authorizationType="NONE")
fn = "arn:aws:lambda:us-east-1:123456789012:function:orders"
apig.put_integration(restApiId=api, resourceId=orders, httpMethod="GET", type="AWS_PROXY", integrationHttpMethod="POST",
                     uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations")
boto3.client("lambda", **us).add_permission(
    FunctionName="orders", StatementId="apigateway-invoke", Action="lambda:InvokeFunction",
    Principal="apigateway.amazonaws.com", SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*/GET/orders")

ec2 = boto3.client("ec2", **us)
subnet = ec2.describe_subnets(Filters=[{"Name": "cidr-block", "Values": ["10.0.1.0/24"]}])["Subnets"][0]["SubnetId"]
first = ec2.describe_instances(Filters=[{"Name": "key-name", "Values": ["ops-us-east-1"]}])
image = ec2.create_image(InstanceId=first["Reservations"][0]["Instances"][0]["InstanceId"], Name="moto-check-golden")["ImageId"]
ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet)
volume = ec2.describe_volumes(Filters=[{"Name": "size", "Values": ["10"]}])["Volumes"][0]["VolumeId"]
snap = ec2.create_snapshot(VolumeId=volume, Description="moto-check backup")["SnapshotId"]
ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"])
ec2.modify_snapshot_attribute(SnapshotId=snap, Attribute="createVolumePermission", OperationType="add",
                              UserIds=["999988887777"])
ec2.create_volume(AvailabilityZone="us-east-1a", SnapshotId=snap)
ec2.create_launch_template(LaunchTemplateName="moto-check-web",
                           LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"})
boto3.client("autoscaling", **us).create_auto_scaling_group(
    AutoScalingGroupName="moto-check-web", LaunchTemplate={"LaunchTemplateName": "moto-check-web", "Version": "$Latest"},
    MinSize=1, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=subnet)

# Load balancing (us-east-1): an ALB with an HTTPS listener on an ACM
# certificate in front of the instance, an internal NLB with an IP target
# group, and a classic ELB on plain HTTP in front of the instance (moto
# leaves out a scheme it was not given: the ALB's is explicit).
ec2 = boto3.client("ec2", **us)
inst = ec2.describe_instances(Filters=[{"Name": "key-name", "Values": ["ops-us-east-1"]}])["Reservations"][0]["Instances"][0]
vpc, subnet, sg = inst["VpcId"], inst["SubnetId"], inst["SecurityGroups"][0]["GroupId"]
subnet2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
cert = boto3.client("acm", **us).request_certificate(DomainName="www.example.com")["CertificateArn"]
elbv2 = boto3.client("elbv2", **us)
alb = elbv2.create_load_balancer(Name="web-alb", Subnets=[subnet, subnet2], SecurityGroups=[sg], Scheme="internet-facing",
                                 Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
web = elbv2.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc,
                                TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
elbv2.register_targets(TargetGroupArn=web, Targets=[{"Id": inst["InstanceId"], "Port": 80}])
elbv2.create_listener(LoadBalancerArn=alb, Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": cert}],
                      DefaultActions=[{"Type": "forward", "TargetGroupArn": web}])
elbv2.modify_load_balancer_attributes(LoadBalancerArn=alb, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}])
elbv2.add_tags(ResourceArns=[alb], Tags=[{"Key": "Owner", "Value": "web-team"}])
nlb = elbv2.create_load_balancer(Name="tcp-nlb", Subnets=[subnet], Type="network",
                                 Scheme="internal")["LoadBalancers"][0]["LoadBalancerArn"]
ips = elbv2.create_target_group(Name="db-ips", Protocol="TCP", Port=5432, VpcId=vpc,
                                TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
elbv2.register_targets(TargetGroupArn=ips, Targets=[{"Id": "10.0.1.50", "Port": 5432}])
elbv2.create_listener(LoadBalancerArn=nlb, Protocol="TCP", Port=5432, DefaultActions=[{"Type": "forward", "TargetGroupArn": ips}])
elb = boto3.client("elb", **us)
elb.create_load_balancer(LoadBalancerName="legacy", Subnets=[subnet], SecurityGroups=[sg],
                         Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 8080}])
elb.register_instances_with_load_balancer(LoadBalancerName="legacy", Instances=[{"InstanceId": inst["InstanceId"]}])

# ECR: a repository anyone may pull from, with one pushed image (moto's
# DescribeImages reports no scan status, so no scan findings are read).
ecr = boto3.client("ecr", **us)
ecr.create_repository(repositoryName="moto-check/app", imageScanningConfiguration={"scanOnPush": True},
                      tags=[{"Key": "Owner", "Value": "app-team"}])
ecr.put_image(repositoryName="moto-check/app", imageTag="v1", imageManifest=json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"digest": "sha256:" + "a" * 64, "size": 100, "mediaType": "application/vnd.docker.container.image.v1+json"},
    "layers": [{"digest": "sha256:" + "b" * 64, "size": 200, "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip"}]}))
ecr.set_repository_policy(repositoryName="moto-check/app", policyText=doc(
    {"Sid": "AnyonePulls", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}))
# Batch: a compute environment in the us-east-1 network, a queue, a job
# definition running the ECR image with a secret in its environment, a job.
bec2 = boto3.client("ec2", **us)
bvpc = bec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
bsubnet = bec2.create_subnet(VpcId=bvpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
bsg = bec2.create_security_group(GroupName="batch-workers", Description="Batch workers", VpcId=bvpc)["GroupId"]
batch_role = iam.create_role(RoleName="batch-service", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"Service": "batch.amazonaws.com"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
iam.create_role(RoleName="batch-instance", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
profile = iam.create_instance_profile(InstanceProfileName="batch-instance")["InstanceProfile"]["Arn"]
iam.add_role_to_instance_profile(InstanceProfileName="batch-instance", RoleName="batch-instance")
batch = boto3.client("batch", **us)
ce = batch.create_compute_environment(
    computeEnvironmentName="moto-check-ce", type="MANAGED", state="ENABLED", serviceRole=batch_role,
    computeResources={"type": "EC2", "minvCpus": 0, "maxvCpus": 4, "desiredvCpus": 0, "instanceTypes": ["optimal"],
                      "subnets": [bsubnet], "securityGroupIds": [bsg], "instanceRole": profile})["computeEnvironmentArn"]
queue = batch.create_job_queue(jobQueueName="moto-check-queue", state="ENABLED", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}])["jobQueueArn"]
jobdef = batch.register_job_definition(jobDefinitionName="moto-check-job", type="container", containerProperties={
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/moto-check/app:v1", "vcpus": 1, "memory": 128,
    "environment": [{"name": "DB_PASSWORD", "value": "moto-check-secret-value-batch"}]})["jobDefinitionArn"]
batch.submit_job(jobName="moto-check-run", jobQueue=queue, jobDefinition=jobdef)

# ECS: a Fargate service in the VPC (task role, a secret-looking environment
# value), one of its tasks, a container instance on the EC2 instance running
# a batch task; EKS: a cluster with a public endpoint open to the internet
# (moto leaves out publicAccessCidrs unless given; AWS answers 0.0.0.0/0).
ec2us = boto3.client("ec2", **us)
inst = ec2us.describe_instances()["Reservations"][0]["Instances"][0]
subnet, sg = inst["SubnetId"], inst["SecurityGroups"][0]["GroupId"]
task_role = iam.create_role(RoleName="web-task", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
eks_role = iam.create_role(RoleName="eks-cluster", AssumeRolePolicyDocument=doc(
    {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}))["Role"]["Arn"]
ecs = boto3.client("ecs", **us)
ecs.create_cluster(clusterName="moto-ecs", tags=[{"key": "Owner", "value": "platform"}])
ecs.register_task_definition(
    family="web", taskRoleArn=task_role, executionRoleArn=task_role, cpu="256", memory="512",
    containerDefinitions=[{"name": "web", "image": "nginx:1.27", "memory": 256,
                           "environment": [{"name": "API_KEY", "value": "moto-check-secret-value"}]}])
ecs.register_task_definition(family="batch", containerDefinitions=[
    {"name": "batch", "image": "busybox:1.36", "cpu": 128, "memory": 128}])
ecs.register_container_instance(cluster="moto-ecs", instanceIdentityDocument=json.dumps(
    {"instanceId": inst["InstanceId"], "region": "us-east-1", "accountId": "123456789012"}))
net = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [sg]}}
svc = ecs.create_service(cluster="moto-ecs", serviceName="web", taskDefinition="web", desiredCount=1,
                         launchType="FARGATE", networkConfiguration=net)["service"]
# The task definition is not awsvpc and the task has no network
# configuration: moto 5.2 fails on a task's network interface.
ecs.run_task(cluster="moto-ecs", taskDefinition="web", launchType="FARGATE", count=1,
             startedBy=svc["deployments"][0]["id"], group="service:web")
ecs.run_task(cluster="moto-ecs", taskDefinition="batch", launchType="EC2", count=1, startedBy="nightly")
boto3.client("eks", **us).create_cluster(
    name="moto-eks", roleArn=eks_role,
    resourcesVpcConfig={"subnetIds": [subnet], "securityGroupIds": [sg], "endpointPublicAccess": True,
                        "publicAccessCidrs": ["0.0.0.0/0"]})

# WorkSpaces: a Simple AD directory in its own VPC (two subnets in two
# zones), registered, with one workspace on an AWS-owned bundle id.
ec2 = boto3.client("ec2", **us)
ds_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
ds_subnets = [ec2.create_subnet(VpcId=ds_vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=az)["Subnet"]["SubnetId"]
              for i, az in enumerate(["us-east-1a", "us-east-1b"])]
directory = boto3.client("ds", **us).create_directory(
    Name="corp.example.com", Password="Moto-check-Passw0rd", Size="Small",
    VpcSettings={"VpcId": ds_vpc, "SubnetIds": ds_subnets})["DirectoryId"]
ws = boto3.client("workspaces", **us)
ws.register_workspace_directory(DirectoryId=directory, SubnetIds=ds_subnets)
ws.create_workspaces(Workspaces=[{
    "DirectoryId": directory, "UserName": "carol", "BundleId": "wsb-0moto0001",
    "RootVolumeEncryptionEnabled": True, "UserVolumeEncryptionEnabled": True,
    "Tags": [{"Key": "Owner", "Value": "finance"}]}])

# Transfer Family: a public SFTP server logging through the orders-fn role,
# with one user (moto does not implement ListUsers: users are not collected).
tr = boto3.client("transfer", **us)
server = tr.create_server(EndpointType="PUBLIC", IdentityProviderType="SERVICE_MANAGED", Protocols=["SFTP"],
                          LoggingRole=fn_role, Tags=[{"Key": "Name", "Value": "partner-sftp"}])["ServerId"]
tr.create_user(ServerId=server, UserName="partner-acme", Role=fn_role, HomeDirectory="/moto-check-us-east-1/acme")

# Edge (global services): a CloudFront distribution in front of the us-east-1
# bucket, and a registered domain (moto creates its public hosted zone) whose
# records alias the distribution and point a CNAME at the bucket.
dist = boto3.client("cloudfront", **us).create_distribution_with_tags(DistributionConfigWithTags={
    "DistributionConfig": {
        "CallerReference": "moto-check", "Comment": "moto-check site", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "bucket", "DomainName": "moto-check-us-east-1.s3.amazonaws.com",
                                               "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "bucket", "ViewerProtocolPolicy": "allow-all", "MinTTL": 0,
                                 "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                                 "TrustedSigners": {"Enabled": False, "Quantity": 0}}},
    "Tags": {"Items": [{"Key": "Owner", "Value": "web-team"}]}})["Distribution"]
contact = {"ContactType": "COMPANY", "OrganizationName": "Moto Check", "CountryCode": "US",
           "Email": "hostmaster@moto-check.com", "PhoneNumber": "+1.5555550100"}
# moto refuses a one-year registration as "not between 1 and 10 years".
boto3.client("route53domains", **us).register_domain(
    DomainName="moto-check.com", DurationInYears=2, AdminContact=contact, RegistrantContact=contact, TechContact=contact)
r53 = boto3.client("route53", **us)
zone = [z["Id"] for z in r53.list_hosted_zones()["HostedZones"] if z["Name"].rstrip(".") == "moto-check.com"][0]
r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
    {"Action": "CREATE", "ResourceRecordSet": {"Name": "www.moto-check.com", "Type": "A", "AliasTarget": {
        "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": dist["DomainName"], "EvaluateTargetHealth": False}}},
    {"Action": "CREATE", "ResourceRecordSet": {"Name": "assets.moto-check.com", "Type": "CNAME", "TTL": 300,
                                               "ResourceRecords": [{"Value": "moto-check-us-east-1.s3.amazonaws.com"}]}},
]})
r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone.rsplit("/", 1)[-1],
                             AddTags=[{"Key": "Owner", "Value": "net-team"}])
org = boto3.client("organizations", **us)
org.create_organization(FeatureSet="ALL")
root = org.list_roots()["Roots"][0]["Id"]
for policy_type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
    org.enable_policy_type(RootId=root, PolicyType=policy_type)
ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
scp = org.create_policy(Name="deny-bucket-deletion", Description="moto-check", Type="SERVICE_CONTROL_POLICY",
                        Content=doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}))["Policy"]
org.attach_policy(PolicyId=scp["PolicySummary"]["Id"], TargetId=ou)
print("moto-seed: seeded", endpoint)
