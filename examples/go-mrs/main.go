// Kill one MRS job from Go: the generated Go SDK (sdk/go, through the `replace` in go.mod) and the
// provider plugin `pulumi-resource-termination` (Pulumi.yaml's plugins.providers path).
//
//	go run . [-stack dev] [-config-file FILE] preview|up|refresh|destroy
//
// runs the program below through the Automation API's inline programs: the program is served from
// this process, so the Pulumi CLI needs no Go language host (pulumi-language-go). The stack and its
// config are the usual ones (`pulumi stack init dev`, `pulumi config set ...` in this directory).
// Run by `pulumi up` with pulumi-language-go installed, it is an ordinary Pulumi Go program.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi-termination/pulumi-termination/sdk/go/termination"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	// The credentials from this program's own config, handed to an explicit provider (a default
	// provider reads only termination:* config). The secret key stays a secret.
	hw := config.New(ctx, "huaweicloud")
	settings := &termination.HuaweicloudSettingsArgs{
		AccessKey: pulumi.String(hw.Require("accessKey")),
		SecretKey: hw.RequireSecret("secretKey"),
		ProjectId: pulumi.String(hw.Require("projectId")),
		Region:    pulumi.String(hw.Require("region")),
	}
	// Unset against Huawei Cloud: the endpoint made from the region. Set it for the emulator.
	if endpoint := hw.Get("mrsEndpoint"); endpoint != "" {
		settings.MrsEndpoint = pulumi.String(endpoint)
	}
	huawei, err := termination.NewProvider(ctx, "huawei", &termination.ProviderArgs{Huaweicloud: settings})
	if err != nil {
		return err
	}

	cfg := config.New(ctx, "")
	clusterID, jobID := cfg.Require("clusterId"), cfg.Require("jobExecutionId")
	// A plain invoke: it returns before the resource below is registered, so it reads the job
	// before the kill.
	before, err := termination.GetMrsJob(ctx, &termination.GetMrsJobArgs{
		ClusterId:      clusterID,
		JobExecutionId: jobID,
	}, pulumi.Provider(huawei))
	if err != nil {
		return err
	}
	nightly, err := termination.NewMrsJobTermination(ctx, "nightly", &termination.MrsJobTerminationArgs{
		ClusterId:          pulumi.String(clusterID),
		JobExecutionId:     pulumi.String(jobID),
		WaitTimeoutSeconds: pulumi.Int(600),
	}, pulumi.Provider(huawei))
	if err != nil {
		return err
	}
	ctx.Export("stateBefore", pulumi.StringPtrFromPtr(before.JobState))
	ctx.Export("outcome", nightly.Outcome)
	ctx.Export("jobState", nightly.JobState)
	return nil
}

func main() {
	// Started by the Pulumi CLI's Go language host: an ordinary Pulumi program.
	if os.Getenv("PULUMI_MONITOR") != "" {
		pulumi.Run(program)
		return
	}
	stackName := flag.String("stack", "dev", "the stack (pulumi stack init NAME first)")
	configFile := flag.String("config-file", "", "the stack's config file (default: Pulumi.<stack>.yaml here)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run . [-stack dev] [-config-file FILE] preview|up|refresh|destroy")
		os.Exit(2)
	}
	if err := run(context.Background(), *stackName, *configFile, flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "go-mrs: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stackName, configFile, op string) error {
	// This directory's Pulumi.yaml: the project's name and the plugin's path.
	stack, err := auto.SelectStackInlineSource(ctx, stackName, "go-mrs", program, auto.WorkDir("."))
	if err != nil {
		return err
	}
	// The CLI's output as `pulumi preview` etc. print it, streamed.
	switch op {
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(os.Stdout), optpreview.ErrorProgressStreams(os.Stderr)}
		if configFile != "" {
			opts = append(opts, optpreview.ConfigFile(configFile))
		}
		_, err = stack.Preview(ctx, opts...)
	case "up":
		opts := []optup.Option{optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr)}
		if configFile != "" {
			opts = append(opts, optup.ConfigFile(configFile))
		}
		_, err = stack.Up(ctx, opts...)
	case "refresh":
		opts := []optrefresh.Option{optrefresh.ProgressStreams(os.Stdout), optrefresh.ErrorProgressStreams(os.Stderr)}
		if configFile != "" {
			opts = append(opts, optrefresh.ConfigFile(configFile))
		}
		_, err = stack.Refresh(ctx, opts...)
	case "destroy":
		opts := []optdestroy.Option{optdestroy.ProgressStreams(os.Stdout), optdestroy.ErrorProgressStreams(os.Stderr)}
		if configFile != "" {
			opts = append(opts, optdestroy.ConfigFile(configFile))
		}
		_, err = stack.Destroy(ctx, opts...)
	default:
		return fmt.Errorf("unknown operation %q: preview, up, refresh or destroy", op)
	}
	if err != nil {
		// Its first line ("failed to run update: exit status 1"): the rest repeats what was streamed.
		first, _, _ := strings.Cut(err.Error(), "\n")
		return fmt.Errorf("%s: %s (the CLI's output is above)", op, first)
	}
	return nil
}
