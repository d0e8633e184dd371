// The Go end-to-end program of tests/e2e/go.test.ts: a Pulumi program written against the
// generated Go SDK (sdk/go, through a `replace` in go.mod), run by the real engine through the
// Automation API's inline programs. The language runtime is served in this process, so no
// pulumi-language-go is needed; the engine starts the provider plugin from the plugins.providers
// path of the project in WORKDIR (its Pulumi.yaml, which the test writes).
//
// Usage: tests-e2e-go -dir WORKDIR -stack NAME preview|up|refresh|destroy
//
// What the program declares comes from the JSON in $GO_E2E_SPEC, read at each run, so that a test
// changes an input between two runs. Its secrets are passed as PLAIN values (pulumi.String): the
// provider must keep them secret by itself. The last line of stdout is one JSON object: ok, error,
// stdout (the CLI's text), outputs, changes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/pulumi-termination/pulumi-termination/sdk/go/termination"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Spec is what the test hands the program (testing/seed.ts's values, the emulator's address).
type Spec struct {
	EmulatorURL    string `json:"emulatorUrl"`
	ClusterID      string `json:"clusterId"`
	JobExecutionID string `json:"jobExecutionId"`
	SubscriptionID int    `json:"subscriptionId"`
	ApplicationID  string `json:"applicationId"`
	AccessKey      string `json:"accessKey"`
	SecretKey      string `json:"secretKey"`
	ProjectID      string `json:"projectId"`
	AppCode        string `json:"appCode"`
	AppSecret      string `json:"appSecret"`
	Username       string `json:"username"`
	BkToken        string `json:"bkToken"`
	YarnUser       string `json:"yarnUser"`
}

// Result is the last line of stdout.
type Result struct {
	OK      bool                   `json:"ok"`
	Error   string                 `json:"error,omitempty"`
	StdOut  string                 `json:"stdout"`
	StdErr  string                 `json:"stderr,omitempty"`
	Outputs map[string]interface{} `json:"outputs,omitempty"`
	Changes map[string]int         `json:"changes,omitempty"`
}

func program(spec Spec) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		provider, err := termination.NewProvider(ctx, "terminations", &termination.ProviderArgs{
			Huaweicloud: &termination.HuaweicloudSettingsArgs{
				AccessKey: pulumi.String(spec.AccessKey),
				// Plain, not pulumi.ToSecret: the schema marks it secret, so the engine must encrypt it.
				SecretKey:   pulumi.String(spec.SecretKey),
				ProjectId:   pulumi.String(spec.ProjectID),
				MrsEndpoint: pulumi.String(spec.EmulatorURL),
			},
			Blueking: &termination.BluekingSettingsArgs{
				AppCode:          pulumi.String(spec.AppCode),
				AppSecret:        pulumi.String(spec.AppSecret),
				Username:         pulumi.String(spec.Username),
				BkToken:          pulumi.String(spec.BkToken),
				ApigwUrlTemplate: pulumi.String(spec.EmulatorURL + "/api/{api_name}"),
			},
			Yarn: &termination.YarnSettingsArgs{
				ResourceManagerUrl: pulumi.String(spec.EmulatorURL),
				User:               pulumi.String(spec.YarnUser),
			},
		})
		if err != nil {
			return err
		}
		job, err := termination.NewMrsJobTermination(ctx, "kill-job", &termination.MrsJobTerminationArgs{
			ClusterId:          pulumi.String(spec.ClusterID),
			JobExecutionId:     pulumi.String(spec.JobExecutionID),
			WaitTimeoutSeconds: pulumi.Int(60),
		}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		tasks, err := termination.NewNodemanTaskTermination(ctx, "revoke-tasks", &termination.NodemanTaskTerminationArgs{
			SubscriptionId:     pulumi.Int(spec.SubscriptionID),
			WaitTimeoutSeconds: pulumi.Int(60),
		}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		app, err := termination.NewYarnApplicationTermination(ctx, "kill-app", &termination.YarnApplicationTerminationArgs{
			ApplicationId:      pulumi.String(spec.ApplicationID),
			WaitTimeoutSeconds: pulumi.Int(60),
		}, pulumi.Provider(provider))
		if err != nil {
			return err
		}
		// Another job than the one killed, so that the invoke's reads are told apart from the resource's.
		finished := termination.GetMrsJobOutput(ctx, termination.GetMrsJobOutputArgs{
			ClusterId:      pulumi.String(spec.ClusterID),
			JobExecutionId: pulumi.String("job-finished"),
		}, pulumi.Provider(provider))

		ctx.Export("finishedState", finished.JobState())
		ctx.Export("finishedResult", finished.JobResult())
		ctx.Export("finishedName", finished.JobName())
		ctx.Export("mrsOutcome", job.Outcome)
		ctx.Export("mrsJobState", job.JobState)
		ctx.Export("mrsJobName", job.JobName)
		ctx.Export("mrsKilled", job.KilledJobExecutionIds)
		ctx.Export("nodemanOutcome", tasks.Outcome)
		ctx.Export("nodemanInstances", tasks.Instances)
		ctx.Export("yarnOutcome", app.Outcome)
		ctx.Export("yarnState", app.State)
		ctx.Export("yarnFinalStatus", app.FinalStatus)
		ctx.Export("yarnKilled", app.KilledApplicationIds)
		return nil
	}
}

func main() {
	dir := flag.String("dir", "", "the project directory (its Pulumi.yaml names the plugin's path)")
	stackName := flag.String("stack", "go-e2e", "the stack")
	flag.Parse()
	if flag.NArg() != 1 || *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: tests-e2e-go -dir WORKDIR -stack NAME preview|up|refresh|destroy")
		os.Exit(2)
	}
	result := run(*dir, *stackName, flag.Arg(0))
	line, err := json.Marshal(result)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(line))
	if !result.OK {
		os.Exit(1)
	}
}

func run(dir, stackName, op string) Result {
	var spec Spec
	if err := json.Unmarshal([]byte(os.Getenv("GO_E2E_SPEC")), &spec); err != nil {
		return Result{Error: fmt.Sprintf("GO_E2E_SPEC: %v", err)}
	}
	ctx := context.Background()
	// The project is the one in dir (Pulumi.yaml): its name, and the plugin's path.
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, "go-e2e", program(spec), auto.WorkDir(dir))
	if err != nil {
		return Result{Error: fmt.Sprintf("creating the stack: %v", err)}
	}
	switch op {
	case "preview":
		res, err := stack.Preview(ctx, optpreview.Color("never"))
		if err != nil {
			return failed(err)
		}
		changes := map[string]int{}
		for kind, n := range res.ChangeSummary {
			changes[string(kind)] = n
		}
		return Result{OK: true, StdOut: res.StdOut, StdErr: res.StdErr, Changes: changes}
	case "up":
		res, err := stack.Up(ctx, optup.Color("never"))
		if err != nil {
			return failed(err)
		}
		return Result{OK: true, StdOut: res.StdOut, StdErr: res.StdErr, Outputs: values(res.Outputs),
			Changes: summary(res.Summary.ResourceChanges)}
	case "refresh":
		res, err := stack.Refresh(ctx, optrefresh.Color("never"))
		if err != nil {
			return failed(err)
		}
		outputs, err := stack.Outputs(ctx)
		if err != nil {
			return failed(err)
		}
		return Result{OK: true, StdOut: res.StdOut, StdErr: res.StdErr, Outputs: values(outputs),
			Changes: summary(res.Summary.ResourceChanges)}
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.Color("never"))
		if err != nil {
			return failed(err)
		}
		return Result{OK: true, StdOut: res.StdOut, StdErr: res.StdErr, Changes: summary(res.Summary.ResourceChanges)}
	}
	return Result{Error: fmt.Sprintf("unknown operation %q", op)}
}

// failed keeps the error's text: the Automation API puts the CLI's stdout and stderr in it.
func failed(err error) Result { return Result{Error: err.Error()} }

func values(outputs auto.OutputMap) map[string]interface{} {
	plain := map[string]interface{}{}
	for key, output := range outputs {
		plain[key] = output.Value
	}
	return plain
}

func summary(changes *map[string]int) map[string]int {
	if changes == nil {
		return nil
	}
	return *changes
}
