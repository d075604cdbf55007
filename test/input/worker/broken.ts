// A module whose import fails (worker-test.ts): the failure must reach the caller when it asks for a function.
throw new Error("module cassé à l'import");
