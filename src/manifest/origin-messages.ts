import type {Problem} from '../errors/index.js';
import type {InterpolationOrigin} from './interpolate.js';

// A problem at a value that came from interpolation names the variables behind
// it (DESIGN "The manifest": "naming the variable that produced it"), so
// `port: ${APP_PORT}` with APP_PORT unset says `APP_PORT is not set`, not
// `expected integer, got ""`.
export function nameVariables(problems: Problem[], origins: Map<string, InterpolationOrigin>): Problem[] {
  if (origins.size === 0) return problems;
  return problems.map((problem) => {
    const origin = origins.get(problem.place?.path ?? '');
    if (!origin || problem.message.includes(' is not set')) return problem;
    const unset = origin.variables.filter((v) => v.value === undefined);
    const set = origin.variables.filter((v) => v.value !== undefined);
    const states = [...unset.map((v) => `${v.name} is not set`), ...set.map((v) => `${v.name}=${JSON.stringify(v.value)}`)];
    const expression = origin.expression.length > 80 ? `${origin.expression.slice(0, 77)}...` : origin.expression;
    const message = `${states.join(', ')}: ${problem.message} (from ${JSON.stringify(expression)})`;
    const first = unset[0];
    const suggestion = first
      ? `set ${first.name} in the environment or in .env beside the manifest, or give a default: \${${first.name}:-value}`
      : `change ${set.map((v) => v.name).join(' or ')}${problem.suggestion ? `: ${problem.suggestion}` : ''}`;
    return {...problem, message, suggestion};
  });
}
