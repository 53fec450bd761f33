import { Auth, HTTPException } from '@langchain/langgraph-sdk/auth';

// The bench's users: each client sends `Authorization: Bearer bench-user-<n>`.
const TOKEN_PREFIX = 'bench-user-';

/**
 * A small custom auth as projects write it (run.mjs --auth): a bearer token names the user, threads and assistants
 * get the user stamped as `metadata.owner`, and every read, search and run is filtered to the user's own.
 */
export const auth = new Auth()
  .authenticate(async (request: Request) => {
    const header = request.headers.get('authorization') ?? '';
    const token = header.toLowerCase().startsWith('bearer ') ? header.slice('bearer '.length).trim() : '';
    if (!token.startsWith(TOKEN_PREFIX)) throw new HTTPException(401, { message: 'Missing or unknown bearer token' });
    return { identity: token, permissions: ['read', 'write'] };
  })
  .on('*', ({ action, value, user }) => {
    const stamped = value as { metadata?: Record<string, unknown> | null };
    if (action === 'create' || action === 'update' || action === 'create_run') {
      stamped.metadata = { ...(stamped.metadata ?? {}), owner: user.identity };
    }
    return { owner: user.identity };
  });
