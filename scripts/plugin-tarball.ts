/**
 * Builds the plugin tarball for `pulumi plugin install resource termination <version> --file <tgz>`
 * (`npm run plugin:tarball`, after `npm run build`): the launcher at the root, the built `dist/`,
 * package.json, and every package the plugin requires at run time, copied from node_modules with
 * their own dependencies (the production closure of `dependencies` and `@pulumi/pulumi`).
 * Prints the tarball's path on its last line.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));

/** The directory of `name` as Node resolves it from `from`, walking up node_modules. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (existsSync(path.join(candidate, "package.json"))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) throw new Error(`plugin tarball: cannot find ${name} from ${from}`);
  }
}

/** Every package needed at run time, by its path relative to node_modules (nested ones included). */
function closure(names: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const modules = realpathSync(path.join(root, "node_modules"));
  const visit = (name: string, from: string) => {
    const dir = packageDir(name, from);
    const relative = path.relative(modules, dir);
    if (found.has(relative)) return;
    found.set(relative, dir);
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      try {
        visit(dep, dir);
      } catch (error) {
        if (!(pkg.optionalDependencies ?? {})[dep]) throw error;
      }
    }
  };
  for (const name of names) visit(name, root);
  return found;
}

/** `dist` is the build to ship (tests build one of their own); the tarball is written to `outDir`. */
export function buildTarball(outDir = root, dist = path.join(root, "dist")): string {
  if (!existsSync(path.join(dist, "plugin", "main.js"))) throw new Error("run `npm run build` first");
  const stage = mkdtempSync(path.join(os.tmpdir(), "termination-plugin-"));
  try {
    cpSync(
      path.join(root, "bin", "pulumi-resource-termination"),
      path.join(stage, "pulumi-resource-termination"),
    );
    cpSync(dist, path.join(stage, "dist"), {
      recursive: true,
      filter: (source) => !/\.(d\.ts|tsbuildinfo|map)$/.test(source),
    });
    writeFileSync(
      path.join(stage, "package.json"),
      JSON.stringify({ ...manifest, devDependencies: undefined }, null, 2),
    );
    cpSync(path.join(root, "schema.json"), path.join(stage, "schema.json"));
    const packages = closure([...Object.keys(manifest.dependencies), "@pulumi/pulumi"]);
    for (const [relative, dir] of packages) {
      cpSync(dir, path.join(stage, "node_modules", relative), {
        recursive: true,
        // Nested node_modules are copied as packages of their own, only when required.
        filter: (source) => !path.relative(dir, source).split(path.sep).includes("node_modules"),
      });
    }
    const file = path.join(
      outDir,
      `pulumi-resource-termination-v${manifest.version}-${process.platform === "win32" ? "windows" : process.platform}-${os.arch() === "x64" ? "amd64" : os.arch()}.tar.gz`,
    );
    execFileSync("tar", ["-czf", file, "-C", stage, "."]);
    return file;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module)
  console.log(buildTarball(process.argv[2] ? path.resolve(process.argv[2]) : root));
