import { Injectable, Logger, NotFoundException, OnApplicationBootstrap, UnprocessableEntityException } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '../config/app-config';
import { bundleUi, type UiAsset, uiGlobalName } from './ui-bundler';

// A Host header only ever goes into the snippet's URLs if it is a plain host[:port].
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/;
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Generative UI: each `ui` entry of `langgraph.json` is bundled once at start, and a client asking for a component gets
 * the HTML that loads that bundle into its shadow root, as the SDK's `LoadExternalComponent` expects.
 */
@Injectable()
export class UiService implements OnApplicationBootstrap {
  private readonly logger = new Logger(UiService.name);
  private readonly bundles = new Map<string, Promise<UiAsset[]>>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** Bundling at start means a component that does not build stops the server, naming it, before any client asks. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.roles.has('api')) return;
    await Promise.all(Object.keys(this.components()).map((name) => this.assets(name)));
  }

  /** The HTML fragment for one component: the bundle's stylesheets and the script whose onload renders it. */
  async snippet(name: string, body: unknown, host: string | undefined): Promise<string> {
    const component = (body as { name?: unknown } | null)?.name;
    if (typeof component !== 'string') throw new UnprocessableEntityException({ detail: 'name: must be the name of a component' });
    const assets = await this.assets(name);
    const base = this.baseUrl(host, name);
    const tags = assets.filter((asset) => asset.basename.endsWith('.css')).map((asset) => `<link rel="stylesheet" href="${base}/${asset.basename}" />`);
    const script = assets.find((asset) => asset.basename.endsWith('.js'));
    if (script) {
      const onload = escapeAttribute(`${uiGlobalName(name)}.render(${JSON.stringify(component)}, "{{shadowRootId}}")`);
      tags.push(`<script src="${base}/${script.basename}" onload='${onload}'></script>`);
    }
    return tags.join('\n');
  }

  async asset(name: string, basename: string): Promise<UiAsset> {
    const asset = (await this.assets(name)).find((candidate) => candidate.basename === basename);
    if (!asset) throw new NotFoundException({ detail: `UI file "${basename}" not found for "${name}"` });
    return asset;
  }

  private components(): Record<string, string> {
    return this.config.langgraph.ui?.components ?? {};
  }

  private assets(name: string): Promise<UiAsset[]> {
    const modulePath = Object.hasOwn(this.components(), name) ? this.components()[name] : undefined;
    const ui = this.config.langgraph.ui;
    if (!modulePath || !ui) throw new NotFoundException({ detail: `UI not found for "${name}"` });
    let bundle = this.bundles.get(name);
    if (!bundle) {
      const started = Date.now();
      bundle = bundleUi({ name, modulePath, projectDir: ui.projectDir, shared: ui.shared }).then(
        (assets) => {
          this.logger.log(`ui "${name}" bundled in ${Date.now() - started} ms (${assets.map((asset) => asset.basename).join(', ')})`);
          return assets;
        },
        (error: unknown) => {
          throw new Error(`ui "${name}" (${modulePath}) does not build: ${(error as Error).message}`);
        },
      );
      this.bundles.set(name, bundle);
    }
    return bundle;
  }

  /**
   * Absolute, because the snippet runs in the client's page, not ours. A local server is plain http; elsewhere the
   * URL keeps the page's own scheme, since a proxy in front may terminate TLS.
   */
  private baseUrl(host: string | undefined, name: string): string {
    const path = `/ui/${encodeURIComponent(name)}`;
    if (!host || !PLAIN_HOST.test(host)) return path;
    return `${LOOPBACK_HOST.test(host) ? 'http:' : ''}//${host}${path}`;
  }
}
