"""Revoke the running tasks of one BlueKing NodeMan subscription, and read them first."""

import pulumi
import pulumi_termination as termination

config = pulumi.Config()
blueking = pulumi.Config("blueking")
subscription_id = config.require_int("subscriptionId")

provider = termination.Provider(
    "blueking",
    blueking=termination.BluekingSettingsArgs(
        app_code=blueking.require("appCode"),
        app_secret=blueking.require_secret("appSecret"),
        username=blueking.require("username"),
        bk_token=blueking.require_secret("bkToken"),
        # Unset: BlueKing's API gateway. Set it for a private gateway, or the emulator.
        apigw_url_template=blueking.get("apigwUrlTemplate"),
    ),
)

# What runs now: a read, never a revoke.
status = termination.get_nodeman_subscription_status_output(
    subscription_id=subscription_id,
    opts=pulumi.InvokeOutputOptions(provider=provider),
)
stuck = termination.NodemanTaskTermination(
    "stuck-install",
    subscription_id=subscription_id,
    wait_timeout_seconds=600,
    opts=pulumi.ResourceOptions(provider=provider),
)

pulumi.export("runningBefore", status.instances.apply(lambda seen: sum(1 for i in seen if i.running)))
pulumi.export("outcome", stuck.outcome)
# What counts as running: PENDING or RUNNING (docs/resources.md, "What counts as running").
pulumi.export(
    "runningAfter",
    stuck.instances.apply(lambda seen: sum(1 for i in seen or [] if i.status in ("PENDING", "RUNNING"))),
)
