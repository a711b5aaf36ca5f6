#include "iam/managed_policies.h"

namespace berth::iam {
namespace {
// 2015-02-06T18:40:00Z and similar: the creation and edit times AWS lists for each policy.
constexpr std::int64_t utc(int y, int mo, int d, int h, int mi) {
  // Days from 1970-01-01 (civil-from-days, Howard Hinnant's algorithm).
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60 * 1000;
}

// The documents are AWS's, condensed to one line. AmazonECS_FullAccess and
// AmazonEC2ContainerServiceforEC2Role are long and change often; berth keeps the statements
// an ECS workload exercises (see docs/ARCHITECTURE.md §14.2).
const std::vector<ManagedPolicy> kPolicies = {
    {"AmazonECSTaskExecutionRolePolicy", "/service-role/", "ANPAJG4T4G4PV56DE72PY",
     "Provides access to other AWS service resources that are required to run Amazon ECS tasks", "v1",
     utc(2017, 11, 16, 18, 48), utc(2017, 11, 16, 18, 48),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]})"},
    {"AmazonEC2ContainerServiceforEC2Role", "/service-role/", "ANPAJLYJCVHC7TQHCSQDS",
     "Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.", "v10",
     utc(2015, 3, 19, 18, 45), utc(2026, 2, 12, 17, 59),
     R"({"Version":"2012-10-17","Statement":[{"Sid":"ECSInstanceManagement","Effect":"Allow","Action":["ec2:DescribeTags","ecs:CreateCluster","ecs:DeregisterContainerInstance","ecs:DiscoverPollEndpoint","ecs:Poll","ecs:RegisterContainerInstance","ecs:StartTelemetrySession","ecs:UpdateContainerInstancesState","ecs:Submit*","ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"},{"Sid":"ECSTagging","Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":["CreateCluster","RegisterContainerInstance"]}}}]})"},
    {"AmazonEC2ContainerServiceRole", "/service-role/", "ANPAJO53W2XHNACG7V77Q", "Default policy for Amazon ECS service role.",
     "v2", utc(2015, 4, 9, 16, 14), utc(2016, 8, 11, 13, 8),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:AuthorizeSecurityGroupIngress","ec2:Describe*","elasticloadbalancing:DeregisterInstancesFromLoadBalancer","elasticloadbalancing:DeregisterTargets","elasticloadbalancing:Describe*","elasticloadbalancing:RegisterInstancesWithLoadBalancer","elasticloadbalancing:RegisterTargets"],"Resource":"*"}]})"},
    {"AmazonEC2ContainerServiceAutoscaleRole", "/service-role/", "ANPAIUAP3EGGGXXCPDQKK",
     "Policy to enable Task Autoscaling for Amazon EC2 Container Service", "v2", utc(2016, 5, 12, 23, 25),
     utc(2018, 2, 5, 19, 15),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:DescribeServices","ecs:UpdateService"],"Resource":["*"]},{"Effect":"Allow","Action":["cloudwatch:DescribeAlarms","cloudwatch:PutMetricAlarm"],"Resource":["*"]}]})"},
    {"AmazonEC2ContainerServiceEventsRole", "/service-role/", "ANPAITKFNIUAG27VSYNZ4",
     "Policy to enable CloudWatch Events for EC2 Container Service", "v3", utc(2017, 5, 30, 16, 51),
     utc(2023, 3, 6, 22, 25),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecs:RunTask"],"Resource":["*"]},{"Effect":"Allow","Action":"iam:PassRole","Resource":["*"],"Condition":{"StringLike":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}},{"Effect":"Allow","Action":"ecs:TagResource","Resource":"*","Condition":{"StringEquals":{"ecs:CreateAction":["RunTask"]}}}]})"},
    {"AmazonECS_FullAccess", "/", "ANPAJ7S7AN6YQPTJC7IFS",
     "Provides administrative access to Amazon ECS resources and enables ECS features through access to other AWS "
     "service resources, including VPCs, Auto Scaling groups, and CloudFormation stacks.",
     "v22", utc(2017, 11, 7, 21, 36), utc(2026, 9, 2, 14, 47),
     R"({"Version":"2012-10-17","Statement":[{"Sid":"ECSIntegrationsManagementPolicy","Effect":"Allow","Action":["application-autoscaling:*","autoscaling:Describe*","cloudformation:DescribeStack*","cloudformation:ListStackResources","cloudwatch:DeleteAlarms","cloudwatch:DescribeAlarm*","cloudwatch:GetMetricStatistics","cloudwatch:PutMetricAlarm","ec2:Describe*","ecs:*","elasticloadbalancing:*","events:DescribeRule","events:ListRuleNamesByTarget","events:ListTargetsByRule","iam:ListAttachedRolePolicies","iam:ListInstanceProfiles","iam:ListRoles","logs:CreateLogGroup","logs:DescribeLogGroups","logs:FilterLogEvents","servicediscovery:*","sns:ListTopics","ssm:GetParameter","ssm:GetParameters","ssm:GetParametersByPath","tag:GetResources"],"Resource":"*"},{"Sid":"PassRoleForECSTasks","Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringLike":{"iam:PassedToService":"ecs-tasks.amazonaws.com"}}},{"Sid":"ServiceLinkedRoleForECS","Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*","Condition":{"StringLike":{"iam:AWSServiceName":"ecs.amazonaws.com"}}}]})"},
    {"AmazonEC2ContainerRegistryReadOnly", "/", "ANPAIFYZPA37OOHVIH7KQ",
     "Provides read-only access to Amazon EC2 Container Registry repositories.", "v3", utc(2015, 12, 21, 17, 4),
     utc(2019, 12, 10, 20, 56),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy","ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy","ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings"],"Resource":"*"}]})"},
    {"AmazonEC2ContainerRegistryPowerUser", "/", "ANPAJDNE5PIHROIBGGDDW",
     "Provides full access to Amazon EC2 Container Registry repositories, but does not allow repository deletion or "
     "policy changes.",
     "v3", utc(2015, 12, 21, 17, 5), utc(2019, 12, 10, 20, 56),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer","ecr:GetRepositoryPolicy","ecr:DescribeRepositories","ecr:ListImages","ecr:DescribeImages","ecr:BatchGetImage","ecr:GetLifecyclePolicy","ecr:GetLifecyclePolicyPreview","ecr:ListTagsForResource","ecr:DescribeImageScanFindings","ecr:InitiateLayerUpload","ecr:UploadLayerPart","ecr:CompleteLayerUpload","ecr:PutImage"],"Resource":"*"}]})"},
    {"AmazonEC2ContainerRegistryFullAccess", "/", "ANPAIESRL7KD7IIVF6V4W",
     "Provides administrative access to Amazon ECR resources", "v2", utc(2015, 12, 21, 17, 6),
     utc(2021, 10, 5, 20, 45),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ecr:*","cloudtrail:LookupEvents"],"Resource":"*"},{"Effect":"Allow","Action":["iam:CreateServiceLinkedRole"],"Resource":"*","Condition":{"StringEquals":{"iam:AWSServiceName":["replication.ecr.amazonaws.com"]}}}]})"},
    {"CloudWatchLogsFullAccess", "/", "ANPAJ3ZGNWK2R5HW5BQFO", "Provides full access to CloudWatch Logs", "v2",
     utc(2015, 2, 6, 18, 40), utc(2023, 12, 8, 19, 21),
     R"({"Version":"2012-10-17","Statement":[{"Sid":"CloudWatchLogsFullAccess","Effect":"Allow","Action":["logs:*","cloudwatch:GenerateQuery"],"Resource":"*"}]})"},
    {"CloudWatchLogsReadOnlyAccess", "/", "ANPAJ2YIYDYSNNEHK3VKW", "Provides read only access to CloudWatch Logs", "v8",
     utc(2015, 2, 6, 18, 40), utc(2025, 12, 2, 16, 34),
     R"({"Version":"2012-10-17","Statement":[{"Sid":"CloudWatchLogsReadOnlyAccess","Effect":"Allow","Action":["logs:Describe*","logs:Get*","logs:List*","logs:StartQuery","logs:StopQuery","logs:TestMetricFilter","logs:FilterLogEvents","logs:StartLiveTail","logs:StopLiveTail","cloudwatch:GenerateQuery","cloudwatch:GenerateQueryResultsSummary"],"Resource":"*"}]})"},
    {"AmazonS3ReadOnlyAccess", "/", "ANPAIZTJ4DXE7G6AGAE6M",
     "Provides read only access to all buckets via the AWS Management Console.", "v3", utc(2015, 2, 6, 18, 40),
     utc(2023, 8, 10, 21, 31),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]})"},
    {"AdministratorAccess", "/", "ANPAIWMBCKSKIEE64ZLYK", "Provides full access to AWS services and resources.", "v1",
     utc(2015, 2, 6, 18, 39), utc(2015, 2, 6, 18, 39),
     R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})"},
    {"AmazonECSServiceRolePolicy", "/aws-service-role/", "ANPAIVUWKCAI7URU4WUEI",
     "Policy to enable Amazon ECS to manage your cluster.", "v24", utc(2017, 10, 14, 1, 18), utc(2026, 4, 22, 23, 12),
     R"({"Version":"2012-10-17","Statement":[{"Sid":"ECSTaskManagement","Effect":"Allow","Action":["ec2:AttachNetworkInterface","ec2:CreateNetworkInterface","ec2:CreateNetworkInterfacePermission","ec2:DeleteNetworkInterface","ec2:DeleteNetworkInterfacePermission","ec2:Describe*","ec2:DetachNetworkInterface","elasticloadbalancing:DeregisterInstancesFromLoadBalancer","elasticloadbalancing:DeregisterTargets","elasticloadbalancing:Describe*","elasticloadbalancing:RegisterInstancesWithLoadBalancer","elasticloadbalancing:RegisterTargets","route53:ChangeResourceRecordSets","route53:CreateHealthCheck","route53:DeleteHealthCheck","route53:Get*","route53:List*","route53:UpdateHealthCheck","servicediscovery:DeregisterInstance","servicediscovery:Get*","servicediscovery:List*","servicediscovery:RegisterInstance","servicediscovery:UpdateInstanceCustomHealthStatus"],"Resource":"*"},{"Sid":"CWLogGroupManagement","Effect":"Allow","Action":["logs:CreateLogGroup","logs:DescribeLogGroups","logs:PutRetentionPolicy"],"Resource":"arn:aws:logs:*:*:log-group:/aws/ecs/*"},{"Sid":"CWLogStreamManagement","Effect":"Allow","Action":["logs:CreateLogStream","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:*:log-group:/aws/ecs/*:log-stream:*"}]})",
     false},
};
}  // namespace

const std::vector<ManagedPolicy>& aws_managed_policies() { return kPolicies; }

std::string arn_of(const ManagedPolicy& p) {
  return "arn:aws:iam::aws:policy" + std::string(p.path) + std::string(p.name);
}

const ManagedPolicy* aws_managed_policy(std::string_view arn) {
  for (const auto& p : kPolicies)
    if (arn_of(p) == arn) return &p;
  return nullptr;
}

}  // namespace berth::iam
