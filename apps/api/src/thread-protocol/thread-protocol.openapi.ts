/** OpenAPI schemas of the thread-protocol routes (the bodies are validated by `command-params.ts`, not by DTOs). */

const NAMESPACES = { type: 'array', items: { type: 'array', items: { type: 'string' } }, description: 'Namespace prefixes; none means every namespace' };

export const COMMAND_SCHEMA = {
  type: 'object',
  required: ['id', 'method'],
  properties: {
    id: { type: 'integer', minimum: 0, description: 'Echoed in the response' },
    method: {
      type: 'string',
      enum: ['run.start', 'input.respond', 'state.get', 'subscription.subscribe', 'subscription.unsubscribe', 'agent.getTree'],
    },
    params: {
      type: 'object',
      description:
        'run.start: {assistant_id, input, config?, metadata?, context?, multitask_strategy?} (on a thread paused on an interrupt the input answers it); ' +
        'input.respond: {interrupt_id, response} or {responses: [{interrupt_id, response}]}, with update?, goto?, config?, metadata?; ' +
        'state.get: {keys?}; subscription.subscribe: {channels, namespaces?, depth?}; subscription.unsubscribe: {subscription_id}',
    },
  },
};

export const COMMAND_RESPONSE_SCHEMA = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['success'] },
    id: { type: 'integer' },
    result: { type: 'object', description: 'run.start: {run_id}; state.get: {values, checkpoint}; subscription.subscribe: {subscription_id, replayed_events}' },
    meta: { type: 'object', properties: { thread_id: { type: 'string' }, applied_through_seq: { type: 'integer' } } },
  },
};

export const EVENT_FILTER_SCHEMA = {
  type: 'object',
  required: ['channels'],
  properties: {
    channels: {
      type: 'array',
      items: { type: 'string' },
      description: 'values, updates, messages, tools, lifecycle, input, checkpoints, tasks, custom, or custom:<name>',
    },
    namespaces: NAMESPACES,
    depth: { type: 'integer', minimum: 0, description: 'Levels below a namespace prefix' },
    since: { type: 'integer', minimum: 0, description: 'Only events after this sequence number' },
  },
};
