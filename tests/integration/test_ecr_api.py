"""ECR's API through the aws CLI v2 and boto3: repositories, images, layer uploads, tokens, and
their errors. No docker needed: images are put through ECR's own layer API."""
import base64
import hashlib
import json

import pytest

from registry_helpers import basic_auth


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def upload_layer(ecr, repo, data):
    up = ecr.initiate_layer_upload(repositoryName=repo)
    assert up["partSize"] > 0
    half = len(data) // 2
    ecr.upload_layer_part(repositoryName=repo, uploadId=up["uploadId"], partFirstByte=0, partLastByte=half - 1,
                          layerPartBlob=data[:half])
    ecr.upload_layer_part(repositoryName=repo, uploadId=up["uploadId"], partFirstByte=half,
                          partLastByte=len(data) - 1, layerPartBlob=data[half:])
    done = ecr.complete_layer_upload(repositoryName=repo, uploadId=up["uploadId"], layerDigests=[digest(data)])
    assert done["layerDigest"] == digest(data)
    return digest(data)


def make_image(ecr, repo, marker=b"layer"):
    config = json.dumps({"architecture": "amd64", "os": "linux", "marker": marker.decode(),
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    layer = marker * 1000
    config_digest = upload_layer(ecr, repo, config)
    layer_digest = upload_layer(ecr, repo, layer)
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                   "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": len(layer),
                    "digest": layer_digest}],
    })


@pytest.fixture
def ecr(berth):
    return berth.client("ecr")


def test_repository_lifecycle(aws, aws_rc):
    repo = aws("ecr", "create-repository", "--repository-name", "team/web", "--image-scanning-configuration",
               "scanOnPush=true", "--tags", "Key=env,Value=dev")["repository"]
    assert repo["repositoryArn"] == "arn:aws:ecr:us-east-1:000000000000:repository/team/web"
    assert repo["registryId"] == "000000000000"
    assert repo["repositoryUri"].endswith("/team/web")
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}
    rc, _, err = aws_rc("ecr", "create-repository", "--repository-name", "team/web")
    assert rc != 0 and "RepositoryAlreadyExistsException" in err
    listed = aws("ecr", "describe-repositories")["repositories"]
    assert [r["repositoryName"] for r in listed] == ["team/web"]
    rc, _, err = aws_rc("ecr", "describe-repositories", "--repository-names", "nope")
    assert rc != 0 and "RepositoryNotFoundException" in err
    assert "The repository with name 'nope' does not exist in the registry with id '000000000000'" in err
    out = aws("ecr", "put-image-tag-mutability", "--repository-name", "team/web", "--image-tag-mutability", "IMMUTABLE")
    assert out["imageTagMutability"] == "IMMUTABLE"
    deleted = aws("ecr", "delete-repository", "--repository-name", "team/web")["repository"]
    assert deleted["repositoryName"] == "team/web"
    assert aws("ecr", "describe-repositories")["repositories"] == []


def test_invalid_repository_name(aws_rc):
    rc, _, err = aws_rc("ecr", "create-repository", "--repository-name", "Upper/Case")
    assert rc != 0 and "InvalidParameterException" in err


def test_describe_repositories_pages(aws, berth):
    for i in range(12):
        aws("ecr", "create-repository", "--repository-name", f"r{i:02d}")
    names = [r["repositoryName"] for r in aws("ecr", "describe-repositories", "--page-size", "5")["repositories"]]
    assert names == [f"r{i:02d}" for i in range(12)]
    page = berth.client("ecr").describe_repositories(maxResults=5)
    assert len(page["repositories"]) == 5 and "nextToken" in page


def test_layer_upload_put_image_and_read_back(ecr, aws, aws_rc):
    aws("ecr", "create-repository", "--repository-name", "app")
    manifest = make_image(ecr, "app")
    put = aws("ecr", "put-image", "--repository-name", "app", "--image-tag", "v1", "--image-manifest", manifest)
    d = put["image"]["imageId"]["imageDigest"]
    assert d == digest(manifest.encode())
    rc, _, err = aws_rc("ecr", "put-image", "--repository-name", "app", "--image-tag", "v1", "--image-manifest", manifest)
    assert rc != 0 and "ImageAlreadyExistsException" in err
    aws("ecr", "put-image", "--repository-name", "app", "--image-tag", "v2", "--image-manifest", manifest)

    details = aws("ecr", "describe-images", "--repository-name", "app")["imageDetails"]
    assert len(details) == 1
    assert sorted(details[0]["imageTags"]) == ["v1", "v2"]
    assert details[0]["imageSizeInBytes"] == 5000
    listed = aws("ecr", "list-images", "--repository-name", "app")["imageIds"]
    assert sorted(i["imageTag"] for i in listed) == ["v1", "v2"]
    got = aws("ecr", "batch-get-image", "--repository-name", "app", "--image-ids", "imageTag=v1", "imageTag=missing")
    assert json.loads(got["images"][0]["imageManifest"]) == json.loads(manifest)
    assert got["failures"][0]["failureCode"] == "ImageNotFound"
    avail = aws("ecr", "batch-check-layer-availability", "--repository-name", "app", "--layer-digests",
                json.loads(manifest)["layers"][0]["digest"], digest(b"absent"))["layers"]
    assert [l["layerAvailability"] for l in avail] == ["AVAILABLE", "UNAVAILABLE"]
    rc, _, err = aws_rc("ecr", "describe-images", "--repository-name", "app", "--image-ids", "imageTag=zzz")
    assert rc != 0 and "ImageNotFoundException" in err


def test_put_image_with_missing_layers(ecr, aws_rc, aws):
    aws("ecr", "create-repository", "--repository-name", "app")
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 2, "digest": digest(b"{}")},
        "layers": []})
    rc, _, err = aws_rc("ecr", "put-image", "--repository-name", "app", "--image-tag", "x", "--image-manifest", manifest)
    assert rc != 0 and "LayersNotFoundException" in err
    rc, _, err = aws_rc("ecr", "put-image", "--repository-name", "app", "--image-manifest", "{not json")
    assert rc != 0 and "InvalidParameterException" in err
    assert aws("ecr", "list-images", "--repository-name", "app")["imageIds"] == []


def test_tag_filters_and_batch_delete(ecr, aws):
    aws("ecr", "create-repository", "--repository-name", "app")
    m1 = make_image(ecr, "app", b"one")
    m2 = make_image(ecr, "app", b"two")
    aws("ecr", "put-image", "--repository-name", "app", "--image-tag", "keep", "--image-manifest", m1)
    aws("ecr", "put-image", "--repository-name", "app", "--image-manifest", m2)
    tagged = aws("ecr", "list-images", "--repository-name", "app", "--filter", "tagStatus=TAGGED")["imageIds"]
    untagged = aws("ecr", "list-images", "--repository-name", "app", "--filter", "tagStatus=UNTAGGED")["imageIds"]
    assert [i.get("imageTag") for i in tagged] == ["keep"]
    assert untagged == [{"imageDigest": digest(m2.encode())}]
    out = aws("ecr", "batch-delete-image", "--repository-name", "app", "--image-ids",
              f"imageDigest={digest(m2.encode())}", "imageTag=ghost")
    assert out["imageIds"] == [{"imageDigest": digest(m2.encode())}]
    assert out["failures"][0]["failureCode"] == "ImageNotFound"
    assert len(aws("ecr", "list-images", "--repository-name", "app")["imageIds"]) == 1


def test_delete_repository_with_images_needs_force(ecr, aws, aws_rc):
    aws("ecr", "create-repository", "--repository-name", "full")
    aws("ecr", "put-image", "--repository-name", "full", "--image-tag", "v1", "--image-manifest", make_image(ecr, "full"))
    rc, _, err = aws_rc("ecr", "delete-repository", "--repository-name", "full")
    assert rc != 0 and "RepositoryNotEmptyException" in err
    aws("ecr", "delete-repository", "--repository-name", "full", "--force")
    rc, _, err = aws_rc("ecr", "describe-images", "--repository-name", "full")
    assert rc != 0 and "RepositoryNotFoundException" in err


def test_layer_upload_errors(ecr, aws):
    aws("ecr", "create-repository", "--repository-name", "app")
    up = ecr.initiate_layer_upload(repositoryName="app")
    with pytest.raises(ecr.exceptions.InvalidLayerPartException):
        ecr.upload_layer_part(repositoryName="app", uploadId=up["uploadId"], partFirstByte=5, partLastByte=9,
                              layerPartBlob=b"abcde")
    ecr.upload_layer_part(repositoryName="app", uploadId=up["uploadId"], partFirstByte=0, partLastByte=4,
                          layerPartBlob=b"abcde")
    with pytest.raises(ecr.exceptions.InvalidLayerException):
        ecr.complete_layer_upload(repositoryName="app", uploadId=up["uploadId"], layerDigests=[digest(b"other")])
    with pytest.raises(ecr.exceptions.UploadNotFoundException):
        ecr.upload_layer_part(repositoryName="app", uploadId="00000000-0000-0000-0000-000000000000", partFirstByte=0,
                              partLastByte=0, layerPartBlob=b"a")
    empty = ecr.initiate_layer_upload(repositoryName="app")
    with pytest.raises(ecr.exceptions.EmptyUploadException):
        ecr.complete_layer_upload(repositoryName="app", uploadId=empty["uploadId"], layerDigests=[digest(b"")])


def test_authorization_token_and_download_url(ecr, aws, berth):
    data = aws("ecr", "get-authorization-token")["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    assert user == "AWS"
    assert data["proxyEndpoint"].startswith("http://")
    assert berth.http("GET", "/v2/", headers={"Authorization": basic_auth(password)})[0] == 200
    login_pw = __import__("subprocess").run(
        ["/usr/bin/aws", "--endpoint-url", berth.endpoint, "ecr", "get-login-password"], capture_output=True, text=True,
        env=berth.cli_env()).stdout.strip()
    assert berth.http("GET", "/v2/", headers={"Authorization": basic_auth(login_pw)})[0] == 200

    aws("ecr", "create-repository", "--repository-name", "app")
    layer = upload_layer(ecr, "app", b"downloadable bytes")
    url = ecr.get_download_url_for_layer(repositoryName="app", layerDigest=layer)["downloadUrl"]
    path = url.split("/", 3)[3]
    status, _, body = berth.http("GET", "/" + path)
    assert status == 200 and body == b"downloadable bytes"
    with pytest.raises(ecr.exceptions.LayersNotFoundException):
        ecr.get_download_url_for_layer(repositoryName="app", layerDigest=digest(b"nope"))


def test_accounts_see_their_own_repositories(aws, berth):
    aws("ecr", "create-repository", "--repository-name", "mine")
    other = berth.aws("ecr", "describe-repositories", access_key="111111111111")["repositories"]
    assert other == []
    theirs = berth.aws("ecr", "create-repository", "--repository-name", "mine", access_key="111111111111")
    assert theirs["repository"]["repositoryArn"] == "arn:aws:ecr:us-east-1:111111111111:repository/mine"


def test_exact_validation_texts(ecr, aws, aws_rc):
    aws("ecr", "create-repository", "--repository-name", "app")
    # ECR's own constraint form, from the model's enum and pattern.
    rc, _, err = aws_rc("ecr", "put-image-tag-mutability", "--repository-name", "app", "--image-tag-mutability",
                        "SOMETIMES")
    assert rc != 0 and ("(InvalidParameterException) when calling the PutImageTagMutability operation: Invalid "
                        "parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum "
                        "value set: [") in err
    with pytest.raises(ecr.exceptions.InvalidParameterException) as e:
        ecr.create_repository(repositoryName="Bad_Name!")
    assert e.value.response["Error"]["Message"] == (
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression "
        "'[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*''")
    # Another account's registry is not the caller's to create in.
    with pytest.raises(ecr.exceptions.ClientError) as e:
        ecr.create_repository(repositoryName="elsewhere", registryId="999999999999")
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert ecr.describe_repositories()["repositories"][0]["repositoryName"] == "app"
    assert len(ecr.describe_repositories()["repositories"]) == 1
    # A manifest without a media type, and no imageManifestMediaType: refused before its layers.
    manifest = json.loads(make_image(ecr, "app"))
    del manifest["mediaType"]
    with pytest.raises(ecr.exceptions.InvalidParameterException) as e:
        ecr.put_image(repositoryName="app", imageManifest=json.dumps(manifest), imageTag="t")
    assert e.value.response["Error"]["Message"] == "image manifest mediatype not provided in manifest or parameter"
    assert ecr.put_image(repositoryName="app", imageManifest=json.dumps(manifest), imageTag="t",
                         imageManifestMediaType="application/vnd.docker.distribution.manifest.v2+json")["image"]
    # Digests must be algorithm:hex.
    bad = "sha256:not-hex-at-all"
    for out in (ecr.batch_get_image(repositoryName="app", imageIds=[{"imageDigest": bad}]),
                ecr.batch_delete_image(repositoryName="app", imageIds=[{"imageDigest": bad}])):
        assert out["failures"] == [{"imageId": {"imageDigest": bad}, "failureCode": "InvalidImageDigest",
                                    "failureReason": "Invalid request parameters: image digest should satisfy the "
                                                     "regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"}]
