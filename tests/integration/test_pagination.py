"""Pagination through the CLI's automatic paging and boto3 paginators."""
from helpers import cluster_arn, container, td_arn

FAMILIES = ("pa", "pb", "pc")


def register_150(ecs):
    expected = []
    for fam in FAMILIES:
        for rev in range(1, 51):
            td = ecs.register_task_definition(family=fam, containerDefinitions=[container()])["taskDefinition"]
            assert td["revision"] == rev
            expected.append(td_arn(fam, rev))
    return expected


def test_150_task_definitions_cli_and_boto3(aws, ecs):
    expected = register_150(ecs)
    # The CLI follows nextToken itself (pages of at most 100).
    assert aws("ecs", "list-task-definitions")["taskDefinitionArns"] == expected
    assert aws("ecs", "list-task-definitions", "--page-size", "13")["taskDefinitionArns"] == expected
    assert aws("ecs", "list-task-definitions", "--sort", "DESC")["taskDefinitionArns"] == expected[::-1]

    pages = list(ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 7}))
    assert len(pages) == 22
    assert all(len(p["taskDefinitionArns"]) == 7 for p in pages[:-1])
    got = [a for p in pages for a in p["taskDefinitionArns"]]
    assert got == expected
    assert len(set(got)) == 150

    # Paging a single family, newest first.
    desc = [a for p in ecs.get_paginator("list_task_definitions").paginate(
        familyPrefix="pb", sort="DESC", PaginationConfig={"PageSize": 7}) for a in p["taskDefinitionArns"]]
    assert desc == [td_arn("pb", r) for r in range(50, 0, -1)]

    # Default page size is 100.
    first = ecs.list_task_definitions()
    assert len(first["taskDefinitionArns"]) == 100 and "nextToken" in first
    second = ecs.list_task_definitions(nextToken=first["nextToken"])
    assert second["taskDefinitionArns"] == expected[100:] and "nextToken" not in second

    fams = [f for p in ecs.get_paginator("list_task_definition_families").paginate(
        PaginationConfig={"PageSize": 1}) for f in p["families"]]
    assert fams == list(FAMILIES)


def test_pagination_is_stable_under_concurrent_writes(ecs):
    for _ in range(10):
        ecs.register_task_definition(family="st", containerDefinitions=[container()])
    p1 = ecs.list_task_definitions(maxResults=4)
    # A new revision registered between pages shows up at the end, nothing is repeated or lost.
    ecs.register_task_definition(family="st", containerDefinitions=[container()])
    rest = [a for p in ecs.get_paginator("list_task_definitions").paginate(
        PaginationConfig={"PageSize": 4, "StartingToken": p1["nextToken"]}) for a in p["taskDefinitionArns"]]
    assert p1["taskDefinitionArns"] + rest == [td_arn("st", r) for r in range(1, 12)]


def test_list_clusters_max_items_and_page_size(aws, ecs):
    names = [f"c{i:02d}" for i in range(12)]
    for n in names:
        ecs.create_cluster(clusterName=n)
    expected = [cluster_arn(n) for n in names]
    assert aws("ecs", "list-clusters", "--page-size", "5")["clusterArns"] == expected

    collected, token, rounds = [], None, 0
    while True:
        args = ["ecs", "list-clusters", "--max-items", "5", "--page-size", "2"]
        if token:
            args += ["--starting-token", token]
        out = aws(*args)
        assert len(out["clusterArns"]) <= 5
        collected += out["clusterArns"]
        rounds += 1
        token = out.get("NextToken")
        if not token:
            break
    assert rounds == 3
    assert collected == expected

    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 5}))
    assert [len(p["clusterArns"]) for p in pages] == [5, 5, 2]
    assert [a for p in pages for a in p["clusterArns"]] == expected
