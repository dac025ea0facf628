using System.Net.Sockets;
using Amazon.Runtime;
using Flow.Cli.Dev;
using Flow.Cli.Remote;
using Flow.Swf;

namespace Flow.Cli;

internal static class FlowTool
{
    private const string Usage =
        "usage:\n" +
        "  " + DevCommand.Usage + "\n" +
        "  " + RemoteCommands.Usage + "\n";

    /// <summary>Runs one command. Exit codes: 0 done; 1 the service refused (an SWF fault, no such execution);
    /// 2 the command could not do its work as given (bad options, an endpoint that cannot be reached or does not
    /// answer, no credentials, an address that cannot be bound). Every failure it expects is one line on stderr.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || Array.Exists(args, a => a is "-h" or "--help") || args[0] == "help")
        {
            Console.Out.Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            ReadOnlySpan<string> rest = args.AsSpan(1);
            return args[0] switch
            {
                "dev" => await DevAsync(DevCommand.ParseOptions(CommandLine.Parse(rest, "memory", "verify-sigv4"))).ConfigureAwait(false),
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
            await Console.Error.WriteLineAsync($"flow: {e.ErrorCode}: {FirstLine(e.Message)}").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is CommandFailedException or ArgumentException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"flow: {FirstLine(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"flow: cannot reach the endpoint: {FirstLine(e.Message)}").ConfigureAwait(false);
            return 2;
        }
        catch (AmazonClientException e)
        {
            await Console.Error.WriteLineAsync($"flow: {FirstLine(e.Message)}").ConfigureAwait(false);
            return 2;
        }
    }

    private static async Task<int> DevAsync(DevCommand.Options options)
    {
        try
        {
            return await DevCommand.RunAsync(options).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            // Kestrel passes some bind failures through as they are (an address this machine does not have).
            await Console.Error.WriteLineAsync($"flow dev: cannot listen on {options.Bind}:{options.Port}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }

    private static string FirstLine(string text) => text.IndexOf('\n') is int newline and >= 0 ? text[..newline].TrimEnd('\r') : text;
}
