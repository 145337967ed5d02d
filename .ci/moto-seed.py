"""Seeds a moto server with a small account for .ci/moto-check.

Written for snapaudit: two regions of EC2 (VPC, subnet, an SSH-open security
group, an instance with a key pair, a volume), tagged and untagged S3 buckets
(one with a public-read policy), DynamoDB tables, IAM (a user with an access
key and a virtual MFA device, a group, user and group inline policies, a
password policy; a role anyone can assume, a vendor role trusting another
account without an external ID, a Lambda execution role with an inline
policy), a Lambda function whose environment holds a secret and that API
Gateway may invoke, a REST API integrated with it, an RDS instance and an
Aurora cluster with one member, a Config rule, a CloudFront distribution in
front of a bucket, and a registered domain whose hosted zone has records
aliasing the distribution and pointing at the bucket.

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
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, SubnetId=subnet,
                      SecurityGroupIds=[sg], KeyName="ops-" + region)
    ec2.create_volume(AvailabilityZone=region + "a", Size=10)

    s3 = boto3.client("s3", region_name=region, **kw)
    bucket = "moto-check-" + region
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "Owner", "Value": "data-team"}]})

    boto3.client("dynamodb", region_name=region, **kw).create_table(
        TableName="orders-" + region, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])

us = dict(kw, region_name="us-east-1")
boto3.client("s3", **us).put_bucket_policy(Bucket="moto-check-us-east-1", Policy=doc(
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::moto-check-us-east-1/*"}))

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
boto3.client("lambda", **us).create_function(
    FunctionName="orders", Runtime="python3.12", Role=fn_role, Handler="index.handler",
    Code={"ZipFile": code.getvalue()},
    Environment={"Variables": {"DB_PASSWORD": "moto-check-secret-value"}})

rds = boto3.client("rds", **us)
rds.create_db_instance(
    DBInstanceIdentifier="orders-db", DBInstanceClass="db.t3.micro", Engine="postgres",
    MasterUsername="orders", MasterUserPassword="not-a-real-password", AllocatedStorage=20)
rds.create_db_cluster(DBClusterIdentifier="reports", Engine="aurora-postgresql",
                      MasterUsername="reports", MasterUserPassword="not-a-real-password")
rds.create_db_instance(DBInstanceIdentifier="reports-1", DBInstanceClass="db.r5.large",
                       Engine="aurora-postgresql", DBClusterIdentifier="reports")
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
print("moto-seed: seeded", endpoint)
