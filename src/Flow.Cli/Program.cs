using Flow.Cli;
using Flow.Cli.Dev;

return await FlowTool.RunAsync(args).ConfigureAwait(false);

namespace Flow.Cli
{
    internal static class FlowTool
    {
        private const string Usage =
            "usage:\n" +
            "  " + DevCommand.Usage + "\n";

        public static async Task<int> RunAsync(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.Out.Write(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                ReadOnlySpan<string> rest = args.AsSpan(1);
                switch (args[0])
                {
                    case "dev":
                        return await DevCommand.RunAsync(DevCommand.ParseOptions(CommandLine.Parse(rest, "memory", "verify-sigv4"))).ConfigureAwait(false);
                    default:
                        throw new UsageException($"unknown command '{args[0]}'");
                }
            }
            catch (UsageException e)
            {
                await Console.Error.WriteLineAsync($"flow: {e.Message}\n{Usage}").ConfigureAwait(false);
                return 2;
            }
        }
    }
}
