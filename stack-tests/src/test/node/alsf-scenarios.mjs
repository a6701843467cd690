// Runs a state machine definition under aws-local-stepfunctions (a second ASL interpreter, written
// by others) over scripted scenarios, and prints what each execution did as JSON on stdout.
//
// stdin: {"definition": {...}, "scenarios": [{"name", "executionName", "input",
//          "tasks": {"<Task state>": [{"result": <json>} | {"error": "<name>", "cause": "<text>"}, ...]}}]}
// stdout: [{"name", "status": "SUCCEEDED"|"FAILED", "error", "cause", "output",
//           "entered": [state names in order], "retried": [...], "caught": [...],
//           "calls": {"<Task state>": [<effective input>, ...]}}]
//
// Every Task is overridden (a scenario answers its calls in order; one call too many fails the
// scenario), every Wait and retry interval is zero.

// aws-local-stepfunctions 3.0.0 needs Node 22's Promise.withResolvers in Task states; without it
// every Task fails with a TypeError that a Catch of States.ALL swallows silently.
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () {
    let resolve;
    let reject;
    const promise = new this((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const { StateMachine } = await import('aws-local-stepfunctions');

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { definition, scenarios } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const stateMachine = new StateMachine(definition, { validationOptions: { checkArn: false, checkPaths: true } });
const taskStates = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([n]) => n);
const waitStates = Object.entries(definition.States).filter(([, s]) => s.Type === 'Wait').map(([n]) => n);

const results = [];
for (const scenario of scenarios) {
  const calls = {};
  const handlers = {};
  for (const state of taskStates) {
    const answers = [...(scenario.tasks[state] ?? [])];
    calls[state] = [];
    handlers[state] = async (input) => {
      calls[state].push(input);
      const answer = answers.shift();
      if (answer === undefined) {
        throw Object.assign(new Error(`scenario ${scenario.name} has no answer left for ${state}`), { name: 'ScenarioExhausted' });
      }
      if (answer.error !== undefined) {
        throw Object.assign(new Error(answer.cause ?? ''), { name: answer.error });
      }
      return answer.result;
    };
  }
  const execution = stateMachine.run(scenario.input, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      waitTimeOverrides: Object.fromEntries(waitStates.map((s) => [s, 0])),
      retryIntervalOverrides: Object.fromEntries(taskStates.map((s) => [s, 0])),
    },
    context: {
      Execution: {
        Name: scenario.executionName,
        Id: `arn:aws:states:us-east-1:111122223333:execution:tarn-etl:${scenario.executionName}`,
      },
    },
  });
  const entered = [];
  const retried = [];
  const caught = [];
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered.push(event.state.name);
      if (event.type === 'StateRetried') retried.push(event.state.name);
      if (event.type === 'StateCaught') caught.push(event.state.name);
    }
  })();
  const outcome = { name: scenario.name };
  try {
    outcome.output = await execution.result;
    outcome.status = 'SUCCEEDED';
  } catch (e) {
    outcome.status = 'FAILED';
    outcome.error = e.cause?.name ?? e.name;
    outcome.cause = e.cause?.message ?? e.message;
  }
  await events;
  Object.assign(outcome, { entered, retried, caught, calls });
  results.push(outcome);
}
process.stdout.write(JSON.stringify(results));
