/**
 * The project graph as the projects declare it, read from their own files: each project's
 * `project.json` (name, tags, implicit dependencies) and `package.json` (the @ecslog/* packages
 * it depends on, dev dependencies included: tests run them). Derived without nx, so the specs can
 * hold nx's answers against it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DeclaredProject {
  name: string;
  /** Folder from the workspace root: `libs/task-runs`. */
  root: string;
  tags: string[];
  /** Projects it uses, by project name. */
  dependencies: string[];
}

const PROJECT_FOLDERS = ['apps', 'libs', 'tools'];

interface ProjectJson {
  name: string;
  tags?: string[];
  implicitDependencies?: string[];
}

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function readDeclaredGraph(workspaceRoot: string): DeclaredProject[] {
  const found = PROJECT_FOLDERS.flatMap((folder) =>
    readdirSync(join(workspaceRoot, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(folder, entry.name))
      .filter((root) => existsSync(join(workspaceRoot, root, 'project.json'))),
  ).map((root) => ({
    root,
    project: readJson<ProjectJson>(join(workspaceRoot, root, 'project.json')),
    packageJson: readJson<PackageJson>(join(workspaceRoot, root, 'package.json')),
  }));
  const projectOfPackage = new Map(found.map((p) => [p.packageJson.name, p.project.name]));
  return found.map(({ root, project, packageJson }) => {
    const packages = Object.keys({ ...packageJson.dependencies, ...packageJson.devDependencies });
    const used = packages.flatMap((name) => projectOfPackage.get(name) ?? []);
    return {
      name: project.name,
      root,
      tags: project.tags ?? [],
      dependencies: [...new Set([...used, ...(project.implicitDependencies ?? [])])].sort(),
    };
  });
}

/** The project that owns a workspace file (`libs/task-runs/src/index.ts` → `task-runs`). */
export function ownerOf(projects: readonly DeclaredProject[], file: string): DeclaredProject {
  const owner = projects.find((project) => file.startsWith(`${project.root}/`));
  if (owner === undefined) throw new Error(`no project owns ${file}`);
  return owner;
}

/** A project and every project that depends on it, directly or not: what a change to it affects. */
export function affectedBy(projects: readonly DeclaredProject[], changed: string): string[] {
  const affected = new Set([changed]);
  for (let grew = true; grew;) {
    grew = false;
    for (const project of projects) {
      if (affected.has(project.name)) continue;
      if (project.dependencies.some((dependency) => affected.has(dependency))) {
        affected.add(project.name);
        grew = true;
      }
    }
  }
  return [...affected].sort();
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
