/** Where progress lines go: the provider process's output, the engine's log, or a test's list. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

/** Output lines reach `pulumi up` through the provider process's stdout. */
export const consoleReporter: Reporter = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
};
