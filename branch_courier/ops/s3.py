"""Upload a backup set to S3-compatible storage (boto3 is an optional extra: requirements-ops.txt)."""

from urllib.parse import urlparse

from django.conf import settings

from branch_courier.ops.common import OpsError
from branch_courier.ops.files import BackupSet


def parse_s3_url(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise OpsError(f"BACKUP_S3_URL must look like s3://bucket/prefix/, not {url!r}")
    prefix = parsed.path.lstrip("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return parsed.netloc, prefix


def upload_backup(backup: BackupSet, url: str) -> str:
    """Upload dump, manifest and checksum; credentials come from the usual AWS_* environment."""
    bucket, prefix = parse_s3_url(url)
    try:
        import boto3
        from boto3.exceptions import Boto3Error
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError as exc:
        raise OpsError(
            "BACKUP_S3_URL is set but boto3 is not installed — pip install -r requirements-ops.txt"
        ) from exc
    config = Config(connect_timeout=10, read_timeout=60, retries={"max_attempts": 3, "mode": "standard"})
    client = boto3.client("s3", endpoint_url=settings.BACKUP_S3_ENDPOINT_URL or None, config=config)
    try:
        # The checksum goes last, as on disk: a listing with it has the whole set.
        for path in backup.paths:
            client.upload_file(str(path), bucket, prefix + path.name)
    except (Boto3Error, BotoCoreError, ClientError) as exc:
        raise OpsError(f"upload to s3://{bucket}/{prefix} failed: {exc}") from exc
    return f"s3://{bucket}/{prefix}{backup.dump.name}"
