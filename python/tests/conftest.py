"""The package's own tests: a session server in virtual time with a fixed seed (the
`pipesim_options` override is itself under test), and pytester for the plugin's
options."""

import pytest

pytest_plugins = ["pytester"]

SEED = 7


@pytest.fixture(scope="session")
def pipesim_options():
    return {"seed": SEED, "virtual_time": True}


def two_stages(name):
    """The smallest valid pipeline: S3 source, then S3 deploy."""
    s3 = lambda category, provider: {
        "category": category,
        "owner": "AWS",
        "provider": provider,
        "version": "1",
    }
    return {
        "name": name,
        "roleArn": "arn:aws:iam::123456789012:role/pipeline-role",
        "artifactStore": {"type": "S3", "location": "artifacts-bucket"},
        "stages": [
            {
                "name": "Source",
                "actions": [
                    {
                        "name": "Fetch",
                        "actionTypeId": s3("Source", "S3"),
                        "configuration": {"S3Bucket": "src", "S3ObjectKey": "app.zip"},
                        "outputArtifacts": [{"name": "Src"}],
                    }
                ],
            },
            {
                "name": "Deploy",
                "actions": [
                    {
                        "name": "Ship",
                        "actionTypeId": s3("Deploy", "S3"),
                        "configuration": {"BucketName": "site", "Extract": "true"},
                        "inputArtifacts": [{"name": "Src"}],
                    }
                ],
            },
        ],
    }
