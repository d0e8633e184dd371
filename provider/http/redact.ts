/**
 * Masking the credentials a request carried in whatever the service (or a proxy, a WAF page) sends
 * back: a server may echo the request, and its text goes into error messages, progress lines and
 * the plugin's logs. The client masks each answer before anyone reads it, so no call site has to.
 */

export const mask = "***";

/**
 * Shorter values are not masked: no real credential is this short, and masking them would garble
 * the answers the provider reads (job states, ids).
 */
export const minSecretLength = 6;

/** Header names and JSON keys whose values are credentials. */
const secretName = /secret|token|password|passwd|authorization|signature|credential|cookie|api-?key/i;

/** Values under secret-named keys in a JSON text (objects at any depth); none when it is not JSON. */
function secretsInJson(text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const found: string[] = [];
  const walk = (value: unknown, named: boolean): void => {
    if (typeof value === "string") {
      if (named) found.push(value);
    } else if (Array.isArray(value)) {
      value.forEach((item) => walk(item, named));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) walk(item, named || secretName.test(key));
    }
  };
  walk(parsed, false);
  return found;
}

/**
 * What a request carries that must not come back: the given values (the settings' credentials),
 * every secret-named header's value (and the secret-named fields of a JSON value, as in
 * X-Bkapi-Authorization), and the secret-named fields of a JSON body (the ESB's bk_app_secret).
 */
export function requestSecrets(
  given: readonly (string | undefined)[],
  headers: Record<string, string>,
  body: string,
): string[] {
  const found = given.filter((value): value is string => typeof value === "string");
  for (const [name, value] of Object.entries(headers)) {
    if (!secretName.test(name)) continue;
    found.push(value, ...secretsInJson(value));
  }
  found.push(...secretsInJson(body));
  return found;
}

/** The forms a value takes when echoed: as is, inside a JSON string, URL-encoded (form or path). */
function echoedForms(secret: string): string[] {
  const url = encodeURIComponent(secret);
  return [secret, JSON.stringify(secret).slice(1, -1), url, url.replace(/%20/g, "+")];
}

export type Redact = (text: string) => string;

/**
 * A function that masks every form of every secret (of at least `minSecretLength`) in a text, and
 * the start of one that ends the text: a server or proxy that cuts its echo short may cut a secret.
 */
export function redactor(secrets: readonly string[]): Redact {
  // Longest first: a secret containing another is masked whole.
  const forms = [...new Set(secrets.filter((s) => s.length >= minSecretLength).flatMap(echoedForms))].sort(
    (a, b) => b.length - a.length,
  );
  if (forms.length === 0) return (text) => text;
  return (text) => {
    let result = text;
    for (const form of forms) if (result.includes(form)) result = result.split(form).join(mask);
    for (const form of forms) {
      // A cut secret's start ends the text only if the text's last characters occur in the secret.
      if (!form.includes(result.slice(-minSecretLength))) continue;
      for (let length = form.length - 1; length >= minSecretLength; length--) {
        if (!result.endsWith(form.slice(0, length))) continue;
        result = result.slice(0, -length) + mask;
        break;
      }
    }
    return result;
  };
}

/** A parsed answer with every string (values and keys) masked; numbers and structure unchanged. */
export function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)]),
    );
  }
  return value;
}
