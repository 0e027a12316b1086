// An empty module so that tsconfig.depcruise.json (resolution options for dependency-cruiser) has an input.
export {};
