/**
 * The operator dashboard (issue #2 §8) is assembled from sections that each capability registers:
 * counts (with an optional breakdown) and recent items.
 */
export interface DashboardCount {
  /** Stable key, e.g. `apiTokens`. */
  key: string;
  label: string;
  value: number;
  breakdown: { key: string; value: number }[];
}

export interface DashboardItem {
  /** What the item is, e.g. `apiToken`. */
  kind: string;
  id: string;
  title: string;
  at: Date;
}

export interface DashboardSection {
  counts: DashboardCount[];
  recent: DashboardItem[];
}

export interface DashboardProvider {
  name: string;
  load(options: { recentLimit: number }): Promise<DashboardSection>;
}

export interface Dashboard {
  generatedAt: Date;
  counts: DashboardCount[];
  /** Newest first across every provider, at most `recentLimit` items. */
  recent: DashboardItem[];
}

export interface DashboardRegistry {
  register(provider: DashboardProvider): void;
  build(recentLimit: number): Promise<Dashboard>;
}

export function createDashboardRegistry(): DashboardRegistry {
  const providers: DashboardProvider[] = [];
  return {
    register(provider) {
      if (providers.some((p) => p.name === provider.name)) {
        throw new Error(`dashboard provider '${provider.name}' is already registered`);
      }
      providers.push(provider);
    },
    async build(recentLimit) {
      const sections = await Promise.all(providers.map((p) => p.load({ recentLimit })));
      const counts = sections.flatMap((s) => s.counts);
      const recent = sections
        .flatMap((s) => s.recent)
        .sort((a, b) => b.at.getTime() - a.at.getTime())
        .slice(0, recentLimit);
      return { generatedAt: new Date(), counts, recent };
    },
  };
}
