/** JSON Schema of config/hub.yaml, checked once at start (unknown keys are errors). */
export const ERP_MODULES = ['sales', 'procurement', 'inventory', 'finance'] as const;
export type ErpModule = (typeof ERP_MODULES)[number];

const moduleList = { type: 'array', items: { enum: ERP_MODULES }, minItems: 1, uniqueItems: true } as const;
const id = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' } as const;

export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['partners', 'adapters', 'routes'],
  properties: {
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
        bodyLimitBytes: { type: 'integer', minimum: 1024, default: 5242880 },
      },
      default: {},
    },
    redis: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string' },
        keyPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', default: 'hub' },
      },
      default: {},
    },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mappings: { type: 'string', default: 'mappings' },
        var: { type: 'string', default: 'var' },
      },
      default: {},
    },
    pipeline: {
      type: 'object',
      additionalProperties: false,
      properties: {
        attempts: { type: 'integer', minimum: 1, maximum: 100, default: 8 },
        backoffMs: { type: 'integer', minimum: 1, default: 1000 },
        transformConcurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
        deliverConcurrency: { type: 'integer', minimum: 1, maximum: 256, default: 8 },
      },
      default: {},
    },
    partners: {
      type: 'object',
      minProperties: 1,
      propertyNames: id,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['formats'],
        properties: {
          name: { type: 'string' },
          formats: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
        },
      },
    },
    adapters: {
      type: 'object',
      minProperties: 1,
      propertyNames: id,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'modules'],
        properties: {
          type: id,
          modules: moduleList,
          enabled: { type: 'boolean', default: true },
          options: { type: 'object', default: {} },
        },
      },
    },
    routes: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['documentType', 'modules'],
        properties: {
          documentType: { enum: ['Order', 'Invoice', 'ShipNotice'] },
          when: { type: 'string' },
          modules: moduleList,
        },
      },
    },
  },
} as const;
