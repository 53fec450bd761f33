import type { Config } from '@runhook/contracts';
import type { RequestAuth } from './auth-handlers';

/**
 * Stamps the caller on a run's config as the reference does (`langgraph_auth_user`, `langgraph_auth_user_id`,
 * `langgraph_auth_permissions`). The config is stored with the run, so a worker in another process, or after a
 * restart, hands the graph the same user. The user goes through JSON, as everything stored does.
 */
export function withAuthUser(config: Config, caller: RequestAuth | null): Config {
  if (!caller) return config;
  const user = JSON.parse(JSON.stringify(caller.user)) as Record<string, unknown>;
  return {
    ...config,
    configurable: {
      ...(config.configurable ?? {}),
      langgraph_auth_user: user,
      langgraph_auth_user_id: caller.user.identity,
      langgraph_auth_permissions: [...caller.scopes],
    },
  };
}
