// mrs-contract drives Huawei's own Go SDK (github.com/huaweicloud/huaweicloud-sdk-go-v3, its MRS v2
// client) against an MRS endpoint, for tests/contract/mrsSdks.test.ts. It reads a plan (JSON on
// stdin: where, who, and a list of calls), makes each call through the SDK and prints, for each, the
// answer as the SDK's own model parsed it (re-marshalled to JSON) or the SDK's error, with its Go type.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	mrs "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/mrs/v2/model"
)

type call struct {
	// "list", "read" or "kill".
	Op        string `json:"op"`
	ClusterId string `json:"clusterId"`
	Job       string `json:"job,omitempty"`
	JobName   string `json:"jobName,omitempty"`
	JobState  string `json:"jobState,omitempty"`
	// Override the plan's credentials for this call (a wrong secret, temporary credentials).
	AccessKey     string `json:"accessKey,omitempty"`
	SecretKey     string `json:"secretKey,omitempty"`
	SecurityToken string `json:"securityToken,omitempty"`
}

type plan struct {
	Endpoint  string `json:"endpoint"`
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	ProjectId string `json:"projectId"`
	Calls     []call `json:"calls"`
}

type sdkError struct {
	// The error's Go type, e.g. *sdkerr.ServiceResponseError.
	Type      string `json:"type"`
	Status    int    `json:"status,omitempty"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
	RequestId string `json:"requestId,omitempty"`
}

type result struct {
	Op       string      `json:"op"`
	Status   int         `json:"status,omitempty"`
	Response interface{} `json:"response,omitempty"`
	Error    *sdkError   `json:"error,omitempty"`
}

func client(p plan, each call) (*mrs.MrsClient, error) {
	accessKey, secretKey := p.AccessKey, p.SecretKey
	if each.AccessKey != "" {
		accessKey = each.AccessKey
	}
	if each.SecretKey != "" {
		secretKey = each.SecretKey
	}
	builder := basic.NewCredentialsBuilder().WithAk(accessKey).WithSk(secretKey).WithProjectId(p.ProjectId)
	if each.SecurityToken != "" {
		builder = builder.WithSecurityToken(each.SecurityToken)
	}
	credentials, err := builder.SafeBuild()
	if err != nil {
		return nil, err
	}
	hc, err := mrs.MrsClientBuilder().
		WithEndpoints([]string{p.Endpoint}).
		WithCredential(credentials).
		WithHttpConfig(config.DefaultHttpConfig()).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	return mrs.NewMrsClient(hc), nil
}

func run(c *mrs.MrsClient, each call) result {
	out := result{Op: each.Op}
	var err error
	switch each.Op {
	case "list":
		request := &model.ShowJobExeListNewRequest{ClusterId: each.ClusterId}
		if each.JobName != "" {
			request.JobName = &each.JobName
		}
		if each.JobState != "" {
			state := model.ShowJobExeListNewRequestJobState{}
			if err = state.UnmarshalJSON([]byte(fmt.Sprintf("%q", each.JobState))); err != nil {
				break
			}
			request.JobState = &state
		}
		var response *model.ShowJobExeListNewResponse
		if response, err = c.ShowJobExeListNew(request); err == nil {
			out.Status, out.Response = response.HttpStatusCode, response
		}
	case "read":
		request := &model.ShowSingleJobExeRequest{ClusterId: each.ClusterId, JobExecutionId: each.Job}
		var response *model.ShowSingleJobExeResponse
		if response, err = c.ShowSingleJobExe(request); err == nil {
			out.Status, out.Response = response.HttpStatusCode, response
		}
	case "kill":
		request := &model.StopJobRequest{ClusterId: each.ClusterId, JobExecutionId: each.Job}
		var response *model.StopJobResponse
		if response, err = c.StopJob(request); err == nil {
			out.Status, out.Response = response.HttpStatusCode, response
		}
	default:
		err = fmt.Errorf("unknown op %q", each.Op)
	}
	if err != nil {
		out.Error = &sdkError{Type: fmt.Sprintf("%T", err), Message: err.Error()}
		if service, ok := err.(*sdkerr.ServiceResponseError); ok {
			out.Error.Status = service.StatusCode
			out.Error.Code = service.ErrorCode
			out.Error.Message = service.ErrorMessage
			out.Error.RequestId = service.RequestId
		}
	}
	return out
}

func main() {
	var p plan
	if err := json.NewDecoder(os.Stdin).Decode(&p); err != nil {
		fmt.Fprintln(os.Stderr, "mrs-contract: the plan on stdin is not JSON:", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(p.Calls))
	for _, each := range p.Calls {
		c, err := client(p, each)
		if err != nil {
			fmt.Fprintln(os.Stderr, "mrs-contract: building the client:", err)
			os.Exit(2)
		}
		results = append(results, run(c, each))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "mrs-contract:", err)
		os.Exit(2)
	}
}
