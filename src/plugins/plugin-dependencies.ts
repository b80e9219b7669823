/**
 * `dependsOn` (issue "tagging" A.4): a plugin loads after the plugins it depends on, and only if they
 * load. A missing dependency, a dependency that was refused or disabled, and every plugin on a cycle
 * are refused with a message that names the dependency or spells the cycle out.
 */
export interface DependencyNode {
  readonly key: number;
  readonly name: string;
  readonly dependsOn: readonly string[];
}

export interface DependencyPlan {
  /** Keys of the plugins that may load, dependencies first; ties keep the input (name) order. */
  readonly order: readonly number[];
  /** Why each refused plugin was refused. */
  readonly problems: ReadonlyMap<number, string[]>;
}

/** Why a plugin cannot load when its dependency is not usable. */
export function dependencyProblem(dependency: string, state: 'FAILED' | 'DISABLED' | 'missing'): string {
  const why = state === 'missing' ? 'is not installed' : state === 'DISABLED' ? 'is disabled' : 'FAILED to load';
  return `depends on ${JSON.stringify(dependency)}, which ${why}`;
}

/**
 * Plans the load order of `nodes` (plugins that passed every other check). `unusable` names the
 * other discovered plugins and why they cannot be depended on.
 */
export function planDependencies(nodes: readonly DependencyNode[], unusable: ReadonlyMap<string, 'FAILED' | 'DISABLED'>): DependencyPlan {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const problems = new Map<number, string[]>();
  const fail = (node: DependencyNode, message: string) => problems.set(node.key, [...(problems.get(node.key) ?? []), message]);
  const deps = (node: DependencyNode) => node.dependsOn.flatMap((name) => byName.get(name) ?? []);

  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      if (!byName.has(dependency)) fail(node, dependencyProblem(dependency, unusable.get(dependency) ?? 'missing'));
    }
  }
  for (const cycle of stronglyConnected(nodes, deps)) {
    const members = new Set(cycle.map((node) => node.key));
    const selfLoop = cycle.length === 1 && deps(cycle[0] as DependencyNode).some((d) => d.key === (cycle[0] as DependencyNode).key);
    if (cycle.length === 1 && !selfLoop) continue;
    for (const node of cycle) fail(node, `dependency cycle: ${spellCycle(node, deps, members).join(' → ')}`);
  }

  const order: DependencyNode[] = [];
  const placed = new Set<number>();
  const place = (node: DependencyNode, path: Set<number>) => {
    if (placed.has(node.key) || path.has(node.key)) return; // path: cycle members were refused above
    path.add(node.key);
    for (const dep of deps(node)) place(dep, path);
    placed.add(node.key);
    order.push(node);
  };
  for (const node of nodes) place(node, new Set());

  // Dependencies come first in `order`, so one pass carries a refusal to everything that needs it.
  for (const node of order) {
    if (problems.has(node.key)) continue;
    const broken = deps(node).find((dep) => problems.has(dep.key));
    if (broken) fail(node, dependencyProblem(broken.name, 'FAILED'));
  }
  return { order: order.filter((node) => !problems.has(node.key)).map((node) => node.key), problems };
}

/** The shortest way round the cycle from `start` back to it, as names: `a → b → a`. */
function spellCycle(start: DependencyNode, deps: (n: DependencyNode) => DependencyNode[], members: Set<number>): string[] {
  const previous = new Map<number, DependencyNode>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as DependencyNode;
    for (const next of deps(node)) {
      if (!members.has(next.key)) continue;
      if (next.key === start.key) {
        const path = [node];
        for (let at = previous.get(node.key); at; at = previous.get(at.key)) path.unshift(at);
        return [...path.map((n) => n.name), start.name];
      }
      if (!previous.has(next.key)) {
        previous.set(next.key, node);
        queue.push(next);
      }
    }
  }
  return [start.name, start.name];
}

/** Tarjan's strongly connected components, in a deterministic order. */
function stronglyConnected(nodes: readonly DependencyNode[], deps: (n: DependencyNode) => DependencyNode[]): DependencyNode[][] {
  let counter = 0;
  const index = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: DependencyNode[] = [];
  const onStack = new Set<number>();
  const components: DependencyNode[][] = [];
  const visit = (node: DependencyNode) => {
    index.set(node.key, counter);
    low.set(node.key, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node.key);
    for (const dep of deps(node)) {
      if (!index.has(dep.key)) {
        visit(dep);
        low.set(node.key, Math.min(low.get(node.key) as number, low.get(dep.key) as number));
      } else if (onStack.has(dep.key)) {
        low.set(node.key, Math.min(low.get(node.key) as number, index.get(dep.key) as number));
      }
    }
    if (low.get(node.key) === index.get(node.key)) {
      const component: DependencyNode[] = [];
      let member: DependencyNode;
      do {
        member = stack.pop() as DependencyNode;
        onStack.delete(member.key);
        component.push(member);
      } while (member.key !== node.key);
      components.push(component);
    }
  };
  for (const node of nodes) if (!index.has(node.key)) visit(node);
  return components;
}
