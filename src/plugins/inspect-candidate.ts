import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_VERSION_PATTERN, checkApiVersion } from './api-version.ts';
import type { PluginCandidate } from './discover-plugins.ts';
import { expectedPluginName, parseManifest, PluginManifestError, readManifestFacts, type ParsedPlugin } from './parse-manifest.ts';
import { errorMessage } from './plugin-values.ts';

/**
 * One candidate on its own: import its entry, validate the manifest and check the API version.
 * Importing runs the module's top level and nothing else; no plugin function is called here.
 */
export type ImportModule = (entry: string, candidate: PluginCandidate) => Promise<unknown>;

export interface CandidateReport {
  readonly version: string | null;
  readonly apiVersion: string | null;
  readonly description: string | null;
  /** Set when every check passed. */
  readonly parsed: ParsedPlugin | null;
  /** Full messages; empty when `parsed` is set. */
  readonly errors: readonly string[];
}

/**
 * Imports a folder entry by file URL (a `.ts` entry works because Gatehouse runs under tsx, and so do
 * Vitest tests) and a package by its specifier, resolved from Gatehouse's own install.
 */
export const importPluginModule: ImportModule = (entry, candidate) =>
  candidate.source === 'package' ? import(entry) : import(pathToFileURL(entry).href);

export async function inspectCandidate(candidate: PluginCandidate, options: { importModule: ImportModule; hostApiVersion: string }): Promise<CandidateReport> {
  const nothing = { version: null, apiVersion: null, description: null, parsed: null };
  if (candidate.error !== null || candidate.entry === null) {
    return { ...nothing, errors: [candidate.error ?? `plugin ${candidate.label}: has no entry file`] };
  }
  let moduleNamespace: unknown;
  try {
    moduleNamespace = await options.importModule(candidate.entry, candidate);
  } catch (err) {
    const shown = candidate.source === 'package' ? candidate.entry : path.relative(candidate.location, candidate.entry);
    return { ...nothing, errors: [`plugin ${candidate.label}: importing ${shown} failed: ${errorMessage(err)}`] };
  }

  const facts = readManifestFacts(moduleNamespace);
  const errors: string[] = [];
  // The version problem goes first: a plugin for another API often fails other checks because of it.
  if (facts.apiVersion !== null && API_VERSION_PATTERN.test(facts.apiVersion)) {
    const problem = checkApiVersion(facts.apiVersion, options.hostApiVersion);
    if (problem) errors.push(`plugin ${candidate.label}: ${problem}`);
  }
  let parsed: ParsedPlugin | null = null;
  try {
    parsed = parseManifest(moduleNamespace, { name: expectedPluginName(candidate.name, candidate.source), label: candidate.label, source: candidate.source });
  } catch (err) {
    // A getter on the plugin object may throw while it is read; that is the plugin's problem too.
    errors.push(...(err instanceof PluginManifestError ? err.problems : [`plugin ${candidate.label}: reading the manifest failed: ${errorMessage(err)}`]));
  }
  return { ...facts, parsed: errors.length === 0 ? parsed : null, errors };
}
