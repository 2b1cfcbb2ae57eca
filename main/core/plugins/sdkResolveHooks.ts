// Module resolution hooks (run on Node's loader thread): plugins import the SDK as `session-inspector/plugin`
// wherever their folder lives (built-in, user data folder, a dragged-in path), so the host maps that
// specifier to its own SDK build instead of relying on a node_modules lookup from the plugin's folder.
const SDK_SPECIFIER = 'session-inspector/plugin';
let sdkUrl = '';

export async function initialize(data: { sdkUrl: string }): Promise<void> {
  sdkUrl = data.sdkUrl;
}

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === SDK_SPECIFIER) return { url: sdkUrl, shortCircuit: true };
  return nextResolve(specifier, context);
}
