using Flow.Cli;

return await FlowTool.RunAsync(args).ConfigureAwait(false);
