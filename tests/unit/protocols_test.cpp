// The protocol codecs against the real models: query forms in, XML out, CBOR both ways, JSON
// errors of query-compatible services, and routing by target, path, scope and version.
#include <doctest/doctest.h>

#include "api/operation_table.h"
#include "api/protocols/protocol.h"
#include "api/protocols/query.h"
#include "api/protocols/timestamps.h"
#include "api/route.h"
#include "api/services.h"
#include "common/base64.h"
#include "common/cbor.h"
#include "dispatch_harness.h"

using namespace berth;
using namespace berth::api;

namespace {
const ServiceModel& model(const char* name) {
  static OperationTable table = [] {
    OperationTable t;
    register_services(t);
    return t;
  }();
  return *table.model(name);
}

rapidjson::Document decode_form(const char* service, const char* op, const std::string& form) {
  rapidjson::Document doc;
  auto err = protocols::query().decode(*model(service).operation(op), form, doc);
  REQUIRE_MESSAGE(!err, (err ? err->message : ""));
  return doc;
}

std::string header(const HttpResponse& r, std::string_view name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

const char* kFlatModel = R"({"metadata":{"apiVersion":"2020-01-01","protocol":"query","xmlNamespace":"urn:t"},
  "operations":{"Op":{"name":"Op","input":{"shape":"In"},"output":{"shape":"Out","resultWrapper":"OpResult"}}},
  "shapes":{
    "In":{"type":"structure","members":{"Names":{"shape":"FlatList","locationName":"Name"},"Attrs":{"shape":"FlatMap"}}},
    "Out":{"type":"structure","members":{"Names":{"shape":"FlatList","locationName":"Name"},"Attrs":{"shape":"FlatMap"},
           "Items":{"shape":"NamedList"}}},
    "FlatList":{"type":"list","member":{"shape":"Str"},"flattened":true},
    "NamedList":{"type":"list","member":{"shape":"Str","locationName":"item"}},
    "FlatMap":{"type":"map","key":{"shape":"Str","locationName":"Name"},"value":{"shape":"Str","locationName":"Value"},"flattened":true},
    "Str":{"type":"string"}}})";
}  // namespace

TEST_CASE("models: protocols, signing names, namespaces and global endpoints come from the metadata") {
  CHECK(model("iam").protocols() == std::vector<std::string>{"query"});
  CHECK(model("iam").global());
  CHECK(model("sts").global());
  CHECK_FALSE(model("ecs").global());
  CHECK(model("iam").xml_namespace() == "https://iam.amazonaws.com/doc/2010-05-08/");
  CHECK(model("elbv2").signing_name() == "elasticloadbalancing");
  CHECK(model("cloudwatch").signing_name() == "monitoring");
  CHECK(model("cloudwatch").query_compatible());
  CHECK(model("cloudwatch").json_version() == "1.0");
  CHECK(model("cloudwatch").speaks("smithy-rpc-v2-cbor"));
  CHECK(model("application-autoscaling").target_prefix() == "AnyScaleFrontendService");
  CHECK(model("logs").signing_name() == "logs");
  CHECK(model("ecr").signing_name() == "ecr");
  CHECK(model("iam").operation("GetRole")->result_wrapper == "GetRoleResult");
  CHECK(model("iam").error_shape("NoSuchEntity")->name == "NoSuchEntityException");
  CHECK(model("iam").error_shape("NoSuchEntityException")->error_code == "NoSuchEntity");
}

TEST_CASE("operation table: services and operations are keyed by service; duplicates fail start-up") {
  OperationTable t;
  register_services(t);
  CHECK(t.find("iam", "GetRole")->op->name == "GetRole");
  CHECK(static_cast<bool>(t.find("sts", "GetCallerIdentity")->handler));
  CHECK(t.resolve("AmazonEC2ContainerServiceV20141113.ListClusters")->model->service() == "ecs");
  CHECK(t.resolve("NoSuchPrefix.ListClusters") == nullptr);
  CHECK_THROWS(t.add_service(ServiceModel::embedded("iam"), {}));
  CHECK_THROWS(t.add("sts", "GetCallerIdentity", [](OpContext&, const json::Value&) { return Body().done(); },
                     Access::Read));
  CHECK_THROWS(t.add("iam", "NoSuchOperation", nullptr, Access::Read));
  CHECK_THROWS(t.add("nosuchservice", "GetRole", nullptr, Access::Read));
  std::string coverage = t.coverage();
  CHECK(coverage.find("iam [query; global]: ") != std::string::npos);
  CHECK(coverage.find("  [x] CreateRole") != std::string::npos);
  CHECK(coverage.find("cloudwatch [smithy-rpc-v2-cbor, json, query]") != std::string::npos);
  CHECK(coverage.find("  [x] GetCallerIdentity") != std::string::npos);
}

TEST_CASE("query decode: lists of structures, integers, empty lists, URL escapes") {
  auto doc = decode_form("iam", "CreateRole",
                         "Action=CreateRole&Version=2010-05-08&RoleName=ecsTaskExecutionRole&Path=%2Fsvc%2F"
                         "&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D&MaxSessionDuration=7200"
                         "&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=one+two");
  CHECK(json::view(doc["RoleName"]) == "ecsTaskExecutionRole");
  CHECK(json::view(doc["Path"]) == "/svc/");
  CHECK(json::view(doc["AssumeRolePolicyDocument"]) == R"({"Version":"2012-10-17"})");
  CHECK(doc["MaxSessionDuration"].GetInt() == 7200);
  REQUIRE(doc["Tags"].Size() == 2);
  CHECK(json::view(doc["Tags"][0]["Key"]) == "a");  // by index, not by order in the form
  CHECK(json::view(doc["Tags"][0]["Value"]) == "one two");
  CHECK_FALSE(doc.HasMember("Action"));
  auto empty = decode_form("elbv2", "SetSecurityGroups", "Action=SetSecurityGroups&Version=2015-12-01&LoadBalancerArn=x&SecurityGroups=");
  CHECK(empty["SecurityGroups"].IsArray());
  CHECK(empty["SecurityGroups"].Empty());
}

TEST_CASE("query decode: maps, booleans and nested structures") {
  auto doc = decode_form("elbv2", "CreateListener",
                         "Action=CreateListener&Version=2015-12-01&LoadBalancerArn=arn&Port=443"
                         "&DefaultActions.member.1.Type=authenticate-oidc"
                         "&DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key=display"
                         "&DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value=page"
                         "&DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret=true");
  auto& oidc = doc["DefaultActions"][0]["AuthenticateOidcConfig"];
  CHECK(json::view(oidc["AuthenticationRequestExtraParams"]["display"]) == "page");
  CHECK(oidc["UseExistingClientSecret"].IsTrue());
  CHECK(doc["Port"].GetInt() == 443);
  auto tg = decode_form("elbv2", "CreateTargetGroup", "Action=CreateTargetGroup&Version=2015-12-01&Name=t&HealthCheckEnabled=false");
  CHECK(tg["HealthCheckEnabled"].IsFalse());
}

TEST_CASE("query decode: ISO 8601 timestamps become epoch seconds; bad scalars are ValidationErrors") {
  auto doc = decode_form("cloudwatch", "GetMetricStatistics",
                         "Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FECS&MetricName=CPUUtilization"
                         "&StartTime=2026-11-29T23%3A40%3A00Z&EndTime=2026-11-29T23%3A45%3A00.500Z&Period=60"
                         "&Statistics.member.1=Average&Dimensions.member.1.Name=ClusterName&Dimensions.member.1.Value=c");
  CHECK(doc["StartTime"].GetInt64() == 1795995600);
  CHECK(doc["EndTime"].GetDouble() == doctest::Approx(1795995900.5));
  CHECK(json::view(doc["Statistics"][0]) == "Average");
  rapidjson::Document bad;
  auto err = protocols::query().decode(*model("cloudwatch").operation("GetMetricStatistics"), "Period=sixty", bad);
  REQUIRE(err);
  CHECK(err->code == "ValidationError");
  CHECK(err->message.find("'Period'") != std::string::npos);
  err = protocols::query().decode(*model("elbv2").operation("CreateTargetGroup"), "HealthCheckEnabled=maybe", bad);
  CHECK(err);
}

TEST_CASE("query encode: result wrapper, members, ISO 8601, escaping, request id") {
  const Operation& op = *model("iam").operation("GetRole");
  auto r = protocols::query().success(model("iam"), op,
                                      R"({"Role":{"Path":"/","RoleName":"r","RoleId":"AROAEXAMPLE","Arn":"arn:aws:iam::1:role/r",
                                      "CreateDate":1795995600,"Description":"a<b & \"c\" 'd' >","MaxSessionDuration":3600,
                                      "Tags":[{"Key":"k","Value":"v"}]}})",
                                      "req-1");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/xml");
  CHECK(r.body ==
        "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role><Path>/</Path>"
        "<RoleName>r</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::1:role/r</Arn>"
        "<CreateDate>2026-11-29T23:40:00Z</CreateDate>"
        "<Description>a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;</Description><MaxSessionDuration>3600</MaxSessionDuration>"
        "<Tags><member><Key>k</Key><Value>v</Value></member></Tags></Role></GetRoleResult>"
        "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetRoleResponse>");
}

TEST_CASE("query encode: maps as entries, blobs as base64, operations without output") {
  auto summary = protocols::query().success(model("iam"), *model("iam").operation("GetAccountSummary"),
                                            R"({"SummaryMap":{"Users":3,"Roles":12}})", "id");
  CHECK(summary.body.find("<SummaryMap><entry><key>Users</key><value>3</value></entry><entry><key>Roles</key>"
                          "<value>12</value></entry></SummaryMap>") != std::string::npos);
  auto report = protocols::query().success(model("iam"), *model("iam").operation("GetCredentialReport"),
                                           R"({"Content":"aGVsbG8=","ReportFormat":"text/csv","GeneratedTime":1.5})", "id");
  CHECK(report.body.find("<Content>aGVsbG8=</Content>") != std::string::npos);
  CHECK(report.body.find("<GeneratedTime>1970-01-01T00:00:01.500Z</GeneratedTime>") != std::string::npos);
  auto none = protocols::query().success(model("iam"), *model("iam").operation("DeleteRole"), "", "id");
  CHECK(none.body ==
        "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>id"
        "</RequestId></ResponseMetadata></DeleteRoleResponse>");
  auto control = protocols::query().success(model("iam"), *model("iam").operation("GetRole"),
                                            R"({"Role":{"RoleName":"a\u0001b\rc"}})", "id");
  CHECK(control.body.find("<RoleName>a\xEF\xBF\xBD" "b&#13;c</RoleName>") != std::string::npos);
}

TEST_CASE("query: flattened lists and maps both ways") {
  auto m = ServiceModel::parse("flat", kFlatModel);
  const Operation& op = *m->operation("Op");
  rapidjson::Document doc;
  REQUIRE_FALSE(protocols::query().decode(op, "Name.1=a&Name.2=b&Attrs.1.Name=k&Attrs.1.Value=v", doc));
  CHECK(doc["Names"].Size() == 2);
  CHECK(json::view(doc["Names"][1]) == "b");
  CHECK(json::view(doc["Attrs"]["k"]) == "v");
  auto r = protocols::query().success(*m, op, R"({"Names":["a","b"],"Attrs":{"k":"v"},"Items":["x"]})", "id");
  CHECK(r.body.find("<OpResult><Name>a</Name><Name>b</Name><Attrs><Name>k</Name><Value>v</Value></Attrs>"
                    "<Items><item>x</item></Items></OpResult>") != std::string::npos);
}

TEST_CASE("query errors: ErrorResponse with the query code, Sender or Receiver, and the status") {
  auto r = protocols::query().error(&model("iam"), AwsError::client("NoSuchEntityException", "The role with name x cannot be found.", 404), "rid");
  CHECK(r.status == 404);
  CHECK(r.body ==
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
        "<Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>"
        "<RequestId>rid</RequestId></ErrorResponse>");
  auto server = protocols::query().error(&model("elbv2"), AwsError::server("InternalFailure", "<oops>"), "rid");
  CHECK(server.status == 500);
  CHECK(server.body.find("<Type>Receiver</Type><Code>InternalFailure</Code><Message>&lt;oops&gt;</Message>") !=
        std::string::npos);
}

TEST_CASE("JSON and CBOR errors of a query-compatible service carry x-amzn-query-error") {
  AwsError e = AwsError::client("InvalidParameterValueException", "bad", 400);
  auto json10 = protocols::aws_json_1_0().error(&model("cloudwatch"), e, "id");
  CHECK(json10.content_type == "application/x-amz-json-1.0");
  CHECK(header(json10, "x-amzn-query-error") == "InvalidParameterValue;Sender");
  CHECK(json10.body == R"({"__type":"InvalidParameterValueException","message":"bad"})");
  auto cb = protocols::rpc_v2_cbor().error(&model("cloudwatch"), AwsError::client("InvalidParameterValue", "bad"), "id");
  CHECK(header(cb, "x-amzn-query-error") == "InvalidParameterValue;Sender");
  CHECK(header(cb, "smithy-protocol") == "rpc-v2-cbor");
  auto item = std::get<cbor::Item>(cbor::decode(cb.body));
  CHECK(item.items[0].text == "__type");
  CHECK(item.items[1].text == "InvalidParameterValueException");
  CHECK(item.items[3].text == "bad");
  auto ecs = protocols::aws_json_1_1().error(&model("ecs"), AwsError::client("ClientException", "x"), "id");
  CHECK(header(ecs, "x-amzn-query-error").empty());
}

TEST_CASE("CBOR: input converts to JSON (tag 1 timestamps, byte strings as base64); output walks the shape") {
  cbor::Writer w;
  w.map_indefinite();
  w.text("Namespace");
  w.text("App");
  w.text("MetricData");
  w.array(1);
  w.map(3);
  w.text("MetricName");
  w.text("Requests");
  w.text("Timestamp");
  w.tag(1);
  w.floating(1795995600.25);
  w.text("Value");
  w.floating(1.5);
  w.end();
  rapidjson::Document doc;
  REQUIRE_FALSE(protocols::rpc_v2_cbor().decode(*model("cloudwatch").operation("PutMetricData"), w.data(), doc));
  CHECK(json::view(doc["Namespace"]) == "App");
  CHECK(doc["MetricData"][0]["Timestamp"].GetDouble() == 1795995600.25);
  CHECK(doc["MetricData"][0]["Value"].GetDouble() == 1.5);
  rapidjson::Document bad;
  CHECK(protocols::rpc_v2_cbor().decode(*model("cloudwatch").operation("PutMetricData"), "\x81\x01", bad)->code ==
        "SerializationException");

  auto r = protocols::rpc_v2_cbor().success(model("cloudwatch"), *model("cloudwatch").operation("GetMetricWidgetImage"),
                                            R"({"MetricWidgetImage":"aGk="})", "id");
  CHECK(r.content_type == "application/cbor");
  auto img = std::get<cbor::Item>(cbor::decode(r.body));
  CHECK(img.items[1].kind == cbor::Item::Kind::Bytes);
  CHECK(img.items[1].text == "hi");
  auto stats = protocols::rpc_v2_cbor().success(
      model("cloudwatch"), *model("cloudwatch").operation("GetMetricStatistics"),
      R"({"Label":"CPU","Datapoints":[{"Timestamp":1795995600,"Average":2.5,"Unit":"Percent"}]})", "id");
  auto s = std::get<cbor::Item>(cbor::decode(stats.body));
  const cbor::Item& point = s.items[3].items[0];
  CHECK(point.items[1].kind == cbor::Item::Kind::Tag);
  CHECK(point.items[1].number == 1);
  CHECK(point.items[1].items[0].number == 1795995600);
}

TEST_CASE("timestamps: ISO 8601 both ways") {
  CHECK(protocols::iso8601(0) == "1970-01-01T00:00:00Z");
  CHECK(protocols::iso8601(1795995600.123) == "2026-11-29T23:40:00.123Z");
  CHECK(protocols::iso8601(951782400) == "2000-02-29T00:00:00Z");
  CHECK(*protocols::parse_iso8601("2026-11-29T23:40:00Z") == 1795995600);
  CHECK(*protocols::parse_iso8601("2026-11-30T01:40:00+02:00") == 1795995600);
  CHECK(*protocols::parse_iso8601("2026-11-29") == 1795910400);
  CHECK_FALSE(protocols::parse_iso8601("yesterday"));
  CHECK_FALSE(protocols::parse_iso8601("2026-13-01T00:00:00Z"));
  CHECK(protocols::rfc822(1795995600) == "Sun, 29 Nov 2026 23:40:00 GMT");
}

TEST_CASE("routing: by target, CBOR path, the credential scope's service, or the unique Action at its Version") {
  OperationTable t;
  register_services(t);
  HttpRequest json;
  json.method = "POST";
  json.target = "/";
  json.amz_target = "GraniteServiceVersion20100801.ListMetrics";
  json.content_type = "application/x-amz-json-1.0";
  auto r = route(t, json);
  CHECK(r.protocol->name() == "awsJson1_0");
  CHECK(r.op->model->service() == "cloudwatch");

  HttpRequest cb;
  cb.method = "POST";
  cb.target = "/service/GraniteServiceVersion20100801/operation/ListMetrics";
  r = route(t, cb);
  CHECK(r.protocol->name() == "rpc-v2-cbor");
  CHECK(r.op->op->name == "ListMetrics");
  cb.target = "/service/AmazonEC2ContainerServiceV20141113/operation/ListClusters";  // ECS speaks no CBOR
  CHECK(route(t, cb).error);

  HttpRequest form;
  form.method = "POST";
  form.target = "/";
  form.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  form.body = "Action=ListMetrics&Version=2010-08-01";
  form.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261129/eu-west-1/monitoring/aws4_request, Signature=x";
  r = route(t, form);
  CHECK(r.protocol->name() == "query");
  CHECK(r.op->model->service() == "cloudwatch");
  form.authorization.clear();  // unsigned: the one model with ListMetrics at 2010-08-01
  CHECK(route(t, form).op->model->service() == "cloudwatch");
  form.body = "Action=GetCallerIdentity&Version=2011-06-15";
  form.authorization = "AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/sts/aws4_request";
  CHECK(route(t, form).op->model->service() == "sts");
  form.body = "Action=GetCallerIdentity&Version=2011-06-16";
  r = route(t, form);
  REQUIRE(r.error);
  CHECK(r.error->code == "InvalidAction");
  CHECK(r.error->message == "Could not find operation GetCallerIdentity for version 2011-06-16");
  form.body = "Action=GetRole&Version=2011-06-15";  // an IAM action signed for STS
  CHECK(route(t, form).error->code == "InvalidAction");
  form.body = "Version=2011-06-15";
  CHECK(route(t, form).error->code == "MissingAction");

  HttpRequest get;
  get.method = "GET";
  get.target = "/?Action=GetCallerIdentity&Version=2011-06-15";
  CHECK(is_aws_call(get));
  r = route(t, get);
  CHECK(r.op->op->name == "GetCallerIdentity");
}

TEST_CASE("STS GetCallerIdentity over query, and CloudWatch's three wires answer a parseable 501") {
  berth::test::DispatchHarness sts("sts", {}, 1700000000000);
  CHECK(sts.wire == berth::test::DispatchHarness::Wire::Query);
  auto me = sts.ok("GetCallerIdentity", "{}");
  CHECK(json::view(me.body["Account"]) == "000000000000");
  CHECK(json::view(me.body["Arn"]) == "arn:aws:iam::000000000000:root");
  auto other = sts.call("GetCallerIdentity", "{}",
                        "AWS4-HMAC-SHA256 Credential=123456789012/20261129/eu-west-1/sts/aws4_request");
  CHECK(json::view(other.body["UserId"]) == "123456789012");

  berth::test::DispatchHarness cw("cloudwatch", {"NotImplemented"}, 1700000000000);
  for (auto wire : {berth::test::DispatchHarness::Wire::Json, berth::test::DispatchHarness::Wire::Cbor,
                    berth::test::DispatchHarness::Wire::Query}) {
    cw.wire = wire;
    auto r = cw.call("ListDashboards", "{}");
    CHECK(r.status == 501);
    CHECK(r.code() == "NotImplemented");
    CHECK(r.message().find("ListDashboards") != std::string::npos);
    if (wire != berth::test::DispatchHarness::Wire::Query)
      CHECK(header(r.raw, "x-amzn-query-error") == "NotImplemented;Receiver");
  }
}
