"""Seeds a moto server with a small account for .ci/moto-check.

Written for snapaudit: two regions of EC2 (VPC, subnet, an SSH-open security
group, an instance with a key pair, a volume), tagged and untagged S3 buckets
(one with a public-read policy), DynamoDB tables, IAM (a user with an access
key, a group, an inline policy; a role anyone can assume, a vendor role
trusting another account without an external ID, a Lambda execution role),
a Lambda function whose environment holds a secret, an RDS instance, a
Config rule and an API Gateway REST API.

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

code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return 1\n")
boto3.client("lambda", **us).create_function(
    FunctionName="orders", Runtime="python3.12", Role=fn_role, Handler="index.handler",
    Code={"ZipFile": code.getvalue()},
    Environment={"Variables": {"DB_PASSWORD": "moto-check-secret-value"}})

boto3.client("rds", **us).create_db_instance(
    DBInstanceIdentifier="orders-db", DBInstanceClass="db.t3.micro", Engine="postgres",
    MasterUsername="orders", MasterUserPassword="not-a-real-password", AllocatedStorage=20)
boto3.client("config", **us).put_config_rule(ConfigRule={
    "ConfigRuleName": "s3-bucket-public-read-prohibited",
    "Source": {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_PUBLIC_READ_PROHIBITED"}})
boto3.client("apigateway", **us).create_rest_api(name="orders-api")
print("moto-seed: seeded", endpoint)
