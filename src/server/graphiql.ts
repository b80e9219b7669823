import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL with every asset inlined (`@graphql-yoga/render-graphiql`), so it works with no internet
 * (DESIGN §10: Yoga's default page loads from a CDN). The 9 MB bundle is imported on first use
 * (Node's module cache keeps it), not at start-up.
 */
export async function renderBundledGraphiQL(options?: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options as Parameters<typeof renderGraphiQL>[0]);
}
