// Evaluates IAM requests with @cloud-copilot/iam-simulate (an IAM evaluator written by others:
// identity and resource policies, same- and cross-account rules, trust and key policy behaviour,
// every condition operator, policy variables) and prints each decision as JSON on stdout.
//
// stdin:  {"simulations": [{"identityPolicies": [{"name", "policy"}], "resourcePolicy": {...} | null,
//          "request": {"principal", "action", "resource": {"resource", "accountId"}, "contextVariables"}}]}
// stdout: [{"decision": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"} | {"error": "<why the evaluator refused it>"}]

const { runSimulation } = await import('@cloud-copilot/iam-simulate');

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { simulations } = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const decisions = [];
for (const simulation of simulations) {
  const response = await runSimulation({
    identityPolicies: simulation.identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: simulation.resourcePolicy ?? undefined,
    request: simulation.request,
  }, {});
  if (response.resultType === 'error') {
    decisions.push({ error: JSON.stringify(response.errors) });
  } else {
    decisions.push({ decision: response.overallResult });
  }
}
process.stdout.write(JSON.stringify(decisions));
