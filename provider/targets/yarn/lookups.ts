/** Read-only lookups of YARN applications, for programs (core/lookup.ts): find applications, then declare terminations for them. */
import * as pulumi from "@pulumi/pulumi";
import { lookupSession, type InputArgs, type LookupOptions } from "../../core/lookup";
import { getApp, listApps, type YarnApp } from "./api";
import { nonFinalStates } from "./codes";
import type { YarnApplicationSelector } from "./inputs.generated";
import { resolveYarnSettings, type YarnLocation } from "./settings";

export interface YarnApplication {
  applicationId: string;
  name?: string;
  user?: string;
  queue?: string;
  applicationType?: string;
  applicationTags?: string[];
  state?: string;
  finalStatus?: string;
  diagnostics?: string;
  /** Epoch milliseconds, when known. */
  startedTime?: number;
  finishedTime?: number;
}

export interface GetYarnApplicationArgs extends YarnLocation {
  applicationId: string;
}

export interface ListYarnApplicationsArgs extends YarnLocation, YarnApplicationSelector {}

export function toYarnApplication(app: YarnApp): YarnApplication {
  const time = (value?: number) => (typeof value === "number" && value > 0 ? value : undefined);
  const tags = (app.applicationTags ?? "").split(",").filter(Boolean);
  return {
    applicationId: app.id,
    name: app.name,
    user: app.user,
    queue: app.queue,
    applicationType: app.applicationType,
    applicationTags: tags,
    state: app.state,
    finalStatus: app.finalStatus,
    diagnostics: app.diagnostics || undefined,
    startedTime: time(app.startedTime),
    finishedTime: time(app.finishedTime),
  };
}

export async function getYarnApplication(
  args: GetYarnApplicationArgs,
  options: LookupOptions = {},
): Promise<YarnApplication> {
  const { context, session } = lookupSession(options);
  return toYarnApplication(await getApp(session, resolveYarnSettings(args, context), args.applicationId));
}

/** Applications matching every given field exactly (whatever the RM's filters return); `states` defaults to the states that are not final. */
export async function listYarnApplications(
  args: ListYarnApplicationsArgs,
  options: LookupOptions = {},
): Promise<YarnApplication[]> {
  const { context, session } = lookupSession(options);
  const apps = await listApps(session, resolveYarnSettings(args, context), {
    name: args.name,
    queue: args.queue,
    user: args.user,
    applicationType: args.applicationType,
    applicationTags: args.applicationTags,
    states: args.states ?? nonFinalStates,
  });
  return apps.map(toYarnApplication);
}

export function getYarnApplicationOutput(
  args: InputArgs<GetYarnApplicationArgs>,
  options?: LookupOptions,
): pulumi.Output<YarnApplication> {
  return pulumi.output(args).apply((plain) => getYarnApplication(plain as GetYarnApplicationArgs, options));
}

export function listYarnApplicationsOutput(
  args: InputArgs<ListYarnApplicationsArgs>,
  options?: LookupOptions,
): pulumi.Output<YarnApplication[]> {
  return pulumi
    .output(args)
    .apply((plain) => listYarnApplications(plain as ListYarnApplicationsArgs, options));
}
