"""The end-to-end tests' Python program (tests/e2e/python.test.ts), written as a user writes one:
the generated SDK `pulumi_termination` (sdk/python), an explicit provider configured from the
program's own `huaweicloud:*` / `blueking:*` / `yarn:*` stack config, the three resources and an
invoke.

With E2E_PLAIN_SECRETS=1 the provider's secrets are plain `str` values read from the environment
(E2E_SECRET_KEY, E2E_APP_SECRET, E2E_BK_TOKEN), as a program that never calls `require_secret`
passes them: nothing but the provider marks them secret then.
"""

import os

import pulumi
import pulumi_termination as termination

config = pulumi.Config()
huawei = pulumi.Config("huaweicloud")
blueking = pulumi.Config("blueking")
yarn = pulumi.Config("yarn")
plain = os.environ.get("E2E_PLAIN_SECRETS") == "1"


def secret(cfg: pulumi.Config, key: str, env: str) -> pulumi.Input[str]:
    return os.environ[env] if plain else cfg.require_secret(key)


provider = termination.Provider(
    "terminations",
    huaweicloud=termination.HuaweicloudSettingsArgs(
        access_key=huawei.require("accessKey"),
        secret_key=secret(huawei, "secretKey", "E2E_SECRET_KEY"),
        project_id=huawei.require("projectId"),
        mrs_endpoint=huawei.require("mrsEndpoint"),
    ),
    blueking=termination.BluekingSettingsArgs(
        app_code=blueking.require("appCode"),
        app_secret=secret(blueking, "appSecret", "E2E_APP_SECRET"),
        username=blueking.require("username"),
        bk_token=secret(blueking, "bkToken", "E2E_BK_TOKEN"),
        apigw_url_template=blueking.require("apigwUrlTemplate"),
    ),
    yarn=termination.YarnSettingsArgs(
        resource_manager_url=yarn.require("resourceManagerUrl"),
        user=yarn.require("user"),
    ),
)
with_provider = pulumi.ResourceOptions(provider=provider)

job = termination.MrsJobTermination(
    "kill-job",
    cluster_id=config.require("clusterId"),
    job_execution_id=config.require("jobExecutionId"),
    wait_timeout_seconds=60,
    opts=with_provider,
)
tasks = termination.NodemanTaskTermination(
    "revoke-tasks",
    subscription_id=config.require_int("subscriptionId"),
    wait_timeout_seconds=60,
    opts=with_provider,
)
app = termination.YarnApplicationTermination(
    "kill-app",
    application_id=config.require("applicationId"),
    wait_timeout_seconds=60,
    opts=with_provider,
)
# Another job than the one killed, so that its reads are told apart from the resource's.
finished = termination.get_mrs_job_output(
    cluster_id=config.require("clusterId"),
    job_execution_id="job-finished",
    opts=pulumi.InvokeOutputOptions(provider=provider),
)

pulumi.export("finishedState", finished.job_state)
pulumi.export("finishedResult", finished.job_result)
pulumi.export("finishedName", finished.job_name)
pulumi.export("mrsOutcome", job.outcome)
pulumi.export("mrsJobState", job.job_state)
pulumi.export("mrsJobName", job.job_name)
pulumi.export("mrsKilled", job.killed_job_execution_ids)
pulumi.export("nodemanOutcome", tasks.outcome)
pulumi.export("nodemanInstances", tasks.instances)
pulumi.export("yarnOutcome", app.outcome)
pulumi.export("yarnState", app.state)
pulumi.export("yarnFinalStatus", app.final_status)
pulumi.export("yarnKilled", app.killed_application_ids)
