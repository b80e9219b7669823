import { GraphQLError, Kind } from 'graphql';
import type { Builder } from './builder.ts';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_DATETIME.test(value)) {
    throw new GraphQLError(`DateTime must be an ISO 8601 string with a time zone, got ${JSON.stringify(value)}`);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new GraphQLError(`DateTime is not a real date: ${JSON.stringify(value)}`);
  return date;
}

export function addScalars(builder: Builder): void {
  builder.scalarType('DateTime', {
    description: 'An instant as an ISO 8601 string in UTC, e.g. 2026-11-23T15:04:05.123Z.',
    serialize: (value) => {
      if (value instanceof Date) return value.toISOString();
      return parseDateTime(value).toISOString();
    },
    parseValue: parseDateTime,
    parseLiteral: (ast) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime literal must be a string');
      return parseDateTime(ast.value);
    },
  });

  builder.scalarType('JSON', {
    description: 'Any JSON value.',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: function literal(ast, variables): unknown {
      switch (ast.kind) {
        case Kind.STRING:
        case Kind.BOOLEAN:
          return ast.value;
        case Kind.INT:
        case Kind.FLOAT:
          return Number(ast.value);
        case Kind.NULL:
          return null;
        case Kind.LIST:
          return ast.values.map((v) => literal(v, variables));
        case Kind.OBJECT:
          return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
        case Kind.VARIABLE:
          return variables?.[ast.name.value];
        default:
          throw new GraphQLError('JSON literal is not a JSON value');
      }
    },
  });
}
