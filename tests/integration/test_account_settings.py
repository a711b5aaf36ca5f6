"""PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting."""
import botocore.exceptions
import pytest

from helpers import ROOT_PRINCIPAL

USER = "arn:aws:iam::000000000000:user/alice"


def test_put_list_delete_account_setting(aws):
    assert aws("ecs", "list-account-settings")["settings"] == []
    s = aws("ecs", "put-account-setting", "--name", "serviceLongArnFormat", "--value", "disabled")["setting"]
    assert (s["name"], s["value"], s["principalArn"]) == ("serviceLongArnFormat", "disabled", ROOT_PRINCIPAL)
    listed = aws("ecs", "list-account-settings")["settings"]
    assert [(x["name"], x["value"], x["principalArn"]) for x in listed] == [
        ("serviceLongArnFormat", "disabled", ROOT_PRINCIPAL)]
    filtered = aws("ecs", "list-account-settings", "--name", "taskLongArnFormat")["settings"]
    assert filtered == []
    aws("ecs", "delete-account-setting", "--name", "serviceLongArnFormat")
    assert aws("ecs", "list-account-settings")["settings"] == []


def test_put_account_setting_for_principal(raw):
    out = raw("PutAccountSetting", {"name": "containerInsights", "value": "enhanced", "principalArn": USER})
    assert out[0] == 200, out
    assert out[2]["setting"] == {"name": "containerInsights", "value": "enhanced", "principalArn": USER,
                                 "type": "user"}
    status, _, listed = raw("ListAccountSettings", {"principalArn": USER})
    assert status == 200
    assert [(s["name"], s["value"]) for s in listed["settings"]] == [("containerInsights", "enhanced")]
    # The root principal's own list does not include it.
    assert raw("ListAccountSettings", {})[2]["settings"] == []
    status, _, deleted = raw("DeleteAccountSetting", {"name": "containerInsights", "principalArn": USER})
    assert status == 200 and deleted["setting"]["principalArn"] == USER
    assert raw("ListAccountSettings", {"principalArn": USER})[2]["settings"] == []


def test_put_account_setting_default_and_effective_settings(aws, ecs):
    s = aws("ecs", "put-account-setting-default", "--name", "awsvpcTrunking", "--value", "enabled")["setting"]
    assert (s["name"], s["value"], s["principalArn"]) == ("awsvpcTrunking", "enabled", ROOT_PRINCIPAL)
    eff = aws("ecs", "list-account-settings", "--effective-settings", "--max-items", "100")["settings"]
    by_name = {x["name"]: x for x in eff}
    assert by_name["awsvpcTrunking"]["value"] == "enabled"
    for name, value in (("serviceLongArnFormat", "enabled"), ("taskLongArnFormat", "enabled"),
                        ("containerInstanceLongArnFormat", "enabled"), ("containerInsights", "disabled")):
        assert by_name[name]["value"] == value, name
        assert by_name[name]["principalArn"] == ROOT_PRINCIPAL
    assert len(by_name) == len(eff)
    # Per-user effective settings fall back to the account default.
    user_eff = ecs.list_account_settings(principalArn=USER, effectiveSettings=True, name="awsvpcTrunking")
    assert [(x["name"], x["value"]) for x in user_eff["settings"]] == [("awsvpcTrunking", "enabled")]
    # Paging through effective settings (max 10 per page) yields every name once.
    names = []
    for page in ecs.get_paginator("list_account_settings").paginate(
            effectiveSettings=True, PaginationConfig={"PageSize": 3}):
        assert len(page["settings"]) <= 3
        names += [x["name"] for x in page["settings"]]
    assert sorted(names) == sorted(by_name) and len(names) == len(set(names))


def test_account_setting_errors(ecs):
    def err(fn, **kw):
        with pytest.raises(botocore.exceptions.ClientError) as e:
            fn(**kw)
        return e.value.response["Error"]["Code"]

    assert err(ecs.put_account_setting, name="fargateTaskRetirementWaitPeriod", value="3") == \
        "InvalidParameterException"
    assert err(ecs.put_account_setting, name="serviceLongArnFormat", value="maybe") == "InvalidParameterException"
    assert err(ecs.delete_account_setting, name="taskLongArnFormat") in ("InvalidParameterException",
                                                                          "ClientException")
    assert ecs.list_account_settings()["settings"] == []
    ok = ecs.put_account_setting(name="fargateTaskRetirementWaitPeriod", value="14")["setting"]
    assert ok["value"] == "14"
