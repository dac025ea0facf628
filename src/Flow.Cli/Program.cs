using Flow.Cli;

return await FlowTool.RunAsync(args).ConfigureAwait(false);

namespace Flow.Cli
{
    using Flow.Cli.Dev;
    using Flow.Cli.Remote;
    using Flow.Swf;

    internal static class FlowTool
    {
        private const string Usage =
            "usage:\n" +
            "  " + DevCommand.Usage + "\n" +
            "  " + RemoteCommands.Usage + "\n";

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
                return args[0] switch
                {
                    "dev" => await DevCommand.RunAsync(DevCommand.ParseOptions(CommandLine.Parse(rest, "memory", "verify-sigv4"))).ConfigureAwait(false),
                    "list" => await RemoteCommands.ListAsync(CommandLine.Parse(rest, "json"), Console.Out).ConfigureAwait(false),
                    "history" => await RemoteCommands.HistoryAsync(CommandLine.Parse(rest), Console.Out).ConfigureAwait(false),
                    "start" => await RemoteCommands.StartAsync(CommandLine.Parse(rest), Console.Out).ConfigureAwait(false),
                    _ => throw new UsageException($"unknown command '{args[0]}'"),
                };
            }
            catch (UsageException e)
            {
                await Console.Error.WriteLineAsync($"flow: {e.Message}\n{Usage}").ConfigureAwait(false);
                return 2;
            }
            catch (SwfException e)
            {
                await Console.Error.WriteLineAsync($"flow: {e.ErrorCode}: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (ArgumentException e)
            {
                await Console.Error.WriteLineAsync($"flow: {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"flow: cannot reach the endpoint: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        }
    }
}
