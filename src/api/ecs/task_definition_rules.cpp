#include "api/ecs/task_definition_rules.h"

#include <algorithm>
#include <set>

#include "api/ecs/errors.h"
#include "api/ecs/fargate.h"
#include "api/ecs/identifiers.h"
#include "ecs/host_access.h"

namespace berth::api::ecs {
namespace {
bool has_string(const json::Value* list, std::string_view s) {
  if (!list || !list->IsArray()) return false;
  for (const auto& v : list->GetArray())
    if (v.IsString() && json::view(v) == s) return true;
  return false;
}

bool is_ecr_image(std::string_view image) {
  auto slash = image.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view host = image.substr(0, slash);
  return host.find(".dkr.ecr.") != std::string_view::npos && host.find(".amazonaws.com") != std::string_view::npos;
}

bool uses_awslogs(const json::Value& container) {
  const json::Value* lc = json::member(container, "logConfiguration");
  return lc && json::get_string(*lc, "logDriver") == std::string_view("awslogs");
}

std::string container_error(std::string_view name, std::string_view what) {
  return "Invalid setting for container '" + std::string(name) + "'. " + std::string(what);
}
}  // namespace

std::variant<TaskSize, AwsError> check_task_definition(const json::Value& in) {
  std::string_view family = json::get_string(in, "family").value_or("");
  if (family.empty()) return errors::client("Family can not be blank.");
  if (family.size() > 255) return errors::client("Family name must be 255 characters or fewer.");
  if (!valid_name(family)) return errors::client("Family contains invalid characters.");

  const json::Value& containers = in["containerDefinitions"];
  if (containers.Size() == 0) return errors::client("Container list cannot be empty.");

  TaskSize size;
  if (auto cpu = json::get_string(in, "cpu")) {
    size.cpu = fargate::parse_cpu(*cpu);
    if (!size.cpu) return errors::client("Invalid 'cpu' setting for task.");
  }
  if (auto mem = json::get_string(in, "memory")) {
    size.memory = fargate::parse_memory(*mem);
    if (!size.memory) return errors::client("Invalid 'memory' setting for task.");
  }
  std::string_view network = json::get_string(in, "networkMode").value_or("");
  bool awsvpc = network == "awsvpc";
  bool wants_fargate = has_string(json::member(in, "requiresCompatibilities"), "FARGATE");
  bool has_execution_role = json::get_string(in, "executionRoleArn").has_value();

  std::set<std::string_view> names;
  long container_cpu = 0;
  for (const auto& c : containers.GetArray()) {
    std::string_view name = json::get_string(c, "name").value_or("");
    if (name.empty()) return errors::client("Container.name should not be null or empty.");
    if (!valid_name(name)) return errors::client("Container name '" + std::string(name) + "' contains invalid characters.");
    if (!names.insert(name).second)
      return errors::client("Duplicate container name '" + std::string(name) + "'. Container names must be unique within a task definition.");
    if (name.size() > 255) return errors::client("Container name must be 255 characters or fewer.");
    std::string_view image = json::get_string(c, "image").value_or("");
    if (image.empty()) return errors::client("Container.image should not be null or empty.");
    // ECS allows 255 characters of a reference (more with a digest: 255 + "@sha256:" + 64).
    if (image.size() > 255 + 72) return errors::client(container_error(name, "The image name is too long."));
    if (auto cpu = json::get_int(c, "cpu"); cpu && (*cpu < 0 || *cpu > 10 * 1024 * 16))
      return errors::client(container_error(name, "Invalid 'cpu' setting for container."));
    auto memory = json::get_int(c, "memory");
    auto reservation = json::get_int(c, "memoryReservation");
    if (!size.memory && !memory && !reservation)
      return errors::client(container_error(name, "At least one of 'memory' or 'memoryReservation' must be specified."));
    if (memory && reservation && *reservation > *memory)
      return errors::client(container_error(name, "'memory' must be greater than or equal to 'memoryReservation'."));
    if (memory && *memory < 6)
      return errors::client(container_error(name, "The 'memory' value must be at least 6 MiB."));
    if (reservation && *reservation < 6)
      return errors::client(container_error(name, "The 'memoryReservation' value must be at least 6 MiB."));
    if (size.memory && memory && *memory > *size.memory)
      return errors::client(container_error(name, "The container 'memory' value cannot be greater than the task 'memory' value."));
    container_cpu += json::get_int(c, "cpu").value_or(0);
    if (const json::Value* rp = json::member(c, "restartPolicy")) {
      if (auto period = json::get_int(*rp, "restartAttemptPeriod"); period && (*period < 60 || *period > 1800))
        return errors::client(container_error(name, "restartAttemptPeriod must be between 60 and 1800 seconds."));
      if (const json::Value* codes = json::member(*rp, "ignoredExitCodes"); codes && codes->Size() > 50)
        return errors::client(container_error(name, "ignoredExitCodes can list at most 50 exit codes."));
    }
    if (awsvpc) {
      if (json::member(c, "hostname")) return errors::client("hostname is not supported on container when networkMode=awsvpc.");
      if (json::member(c, "links")) return errors::client("links are not supported when networkMode=awsvpc.");
    }
    if (const json::Value* pm = json::member(c, "portMappings"))
      for (const auto& m : pm->GetArray()) {
        auto cport = json::get_int(m, "containerPort");
        auto hport = json::get_int(m, "hostPort");
        for (const auto& port : {cport, hport})
          if (port && (*port < 0 || *port > 65535))
            return errors::client(container_error(name, "Port mappings must use ports from 0 to 65535."));
        if ((awsvpc || network == "host") && cport && hport && *hport != *cport)
          return errors::client("When networkMode=" + std::string(network) +
                                ", the host ports and container ports in port mappings must match.");
      }
    if (wants_fargate && !has_execution_role) {
      if (uses_awslogs(c))
        return errors::client("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
      if (is_ecr_image(image))
        return errors::client("Fargate requires task definition to have execution role ARN to support ECR images.");
    }
  }
  if (size.cpu && container_cpu > *size.cpu)
    return errors::client("The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'.");

  if (wants_fargate) {
    if (!awsvpc) return errors::client("Fargate only supports network mode \u2018awsvpc\u2019.");
    if (!size.cpu) return errors::client("Fargate requires that 'cpu' be defined at the task level.");
    if (!size.memory) return errors::client("Fargate requires that 'memory' be defined at the task level.");
    if (!fargate::supported(*size.cpu, *size.memory))
      return errors::client("No Fargate configuration exists for given values: " + std::to_string(*size.cpu) + " CPU, " +
                            std::to_string(*size.memory) + " memory. See the Amazon ECS documentation for the valid values.");
    if (auto refusal = ::berth::ecs::fargate_refusal(in)) return errors::client(*refusal);
  }
  return size;
}

std::vector<std::string> required_attributes(const json::Value& in) {
  const json::Value& containers = in["containerDefinitions"];
  bool awslogs = false, ecr = false, health = false, asm_secrets = false, ssm_secrets = false, ordering = false;
  for (const auto& c : containers.GetArray()) {
    awslogs |= uses_awslogs(c);
    ecr |= is_ecr_image(json::get_string(c, "image").value_or(""));
    health |= json::member(c, "healthCheck") != nullptr;
    ordering |= json::member(c, "dependsOn") != nullptr;
    if (const json::Value* secrets = json::member(c, "secrets"))
      for (const auto& s : secrets->GetArray()) {
        std::string_view from = json::get_string(s, "valueFrom").value_or("");
        (from.find(":secretsmanager:") != std::string_view::npos ? asm_secrets : ssm_secrets) = true;
      }
  }
  bool exec_role = json::get_string(in, "executionRoleArn").has_value();
  bool task_role = json::get_string(in, "taskRoleArn").has_value();
  bool awsvpc = json::get_string(in, "networkMode") == std::string_view("awsvpc");

  std::vector<std::string> out;
  auto add = [&](const char* name, bool when) {
    if (when && std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
  };
  add("com.amazonaws.ecs.capability.logging-driver.awslogs", awslogs);
  add("ecs.capability.execution-role-awslogs", awslogs && exec_role);
  add("com.amazonaws.ecs.capability.ecr-auth", ecr);
  add("com.amazonaws.ecs.capability.docker-remote-api.1.19", awslogs || task_role);
  add("com.amazonaws.ecs.capability.docker-remote-api.1.21", awslogs);
  add("com.amazonaws.ecs.capability.task-iam-role", task_role);
  add("ecs.capability.execution-role-ecr-pull", ecr && exec_role);
  add("ecs.capability.secrets.asm.environment-variables", asm_secrets);
  add("ecs.capability.secrets.ssm.environment-variables", ssm_secrets);
  add("ecs.capability.container-health-check", health);
  add("com.amazonaws.ecs.capability.docker-remote-api.1.29", health);
  add("ecs.capability.container-ordering", ordering);
  add("com.amazonaws.ecs.capability.docker-remote-api.1.18", awsvpc);
  add("ecs.capability.task-eni", awsvpc);
  return out;
}

std::vector<std::string> compatibilities(const json::Value& in, const TaskSize& size) {
  std::vector<std::string> out{"EC2"};
  bool fits_fargate = json::get_string(in, "networkMode") == std::string_view("awsvpc") && size.cpu && size.memory &&
                      fargate::supported(*size.cpu, *size.memory) && !json::member(in, "ipcMode") &&
                      json::get_string(in, "pidMode").value_or("task") == "task" && !::berth::ecs::fargate_refusal(in);
  if (fits_fargate) out.emplace_back("FARGATE");
  if (has_string(json::member(in, "requiresCompatibilities"), "EXTERNAL")) out.emplace_back("EXTERNAL");
  return out;
}

}  // namespace berth::api::ecs
