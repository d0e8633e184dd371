"""Drive Huawei's own Python SDK (huaweicloudsdkmrs + huaweicloudsdkcore from PyPI, its MRS v2 client)
against an MRS endpoint, for tests/contract/mrsSdks.test.ts.

It reads a plan (JSON on stdin: where, who, and a list of calls), makes each call through the SDK
and prints, for each, the answer as the SDK's own model parsed it (its to_dict()) or the SDK's
exception, with its class name. Same plan and output as tests/contract/go/main.go.
"""
import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkmrs.v2 import (
    MrsClient,
    ShowJobExeListNewRequest,
    ShowSingleJobExeRequest,
    StopJobRequest,
)


def client(plan, call):
    access_key = call.get("accessKey") or plan["accessKey"]
    secret_key = call.get("secretKey") or plan["secretKey"]
    credentials = BasicCredentials(access_key, secret_key, plan["projectId"])
    if call.get("securityToken"):
        credentials.security_token = call["securityToken"]
    return (
        MrsClient.new_builder()
        .with_http_config(HttpConfig.get_default_config())
        .with_credentials(credentials)
        .with_endpoints([plan["endpoint"]])
        .build()
    )


def run(mrs, call):
    op = call["op"]
    try:
        if op == "list":
            request = ShowJobExeListNewRequest(cluster_id=call["clusterId"])
            if call.get("jobName"):
                request.job_name = call["jobName"]
            if call.get("jobState"):
                request.job_state = call["jobState"]
            response = mrs.show_job_exe_list_new(request)
        elif op == "read":
            response = mrs.show_single_job_exe(
                ShowSingleJobExeRequest(cluster_id=call["clusterId"], job_execution_id=call["job"])
            )
        elif op == "kill":
            response = mrs.stop_job(StopJobRequest(cluster_id=call["clusterId"], job_execution_id=call["job"]))
        else:
            raise ValueError("unknown op %r" % op)
    except exceptions.ServiceResponseException as error:
        return {
            "op": op,
            "error": {
                "type": type(error).__name__,
                "status": error.status_code,
                "code": error.error_code,
                "message": error.error_msg,
                "requestId": error.request_id,
            },
        }
    except exceptions.SdkException as error:
        return {"op": op, "error": {"type": type(error).__name__, "message": error.error_msg}}
    return {"op": op, "status": response.status_code, "response": response.to_dict()}


def main():
    plan = json.load(sys.stdin)
    results = []
    for call in plan["calls"]:
        mrs = client(plan, call)
        results.append(run(mrs, call))
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
