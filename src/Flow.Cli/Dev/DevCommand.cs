using System.Net;
using Flow.Local;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flow.Cli.Dev;

/// <summary><c>flow dev</c>: the local engine served over SWF's HTTP protocol until Ctrl-C or SIGTERM.</summary>
internal static class DevCommand
{
    public const string Usage =
        "flow dev [--port PORT] (--db FILE [--sync normal|full] | --memory) [--bind ADDRESS] [--long-poll-seconds N]\n" +
        "         [--verify-sigv4 --access-key KEY --secret-key SECRET]";

    public const int DefaultPort = 8600;

    private static readonly System.Text.Encoding LenientUtf8 = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: false);

    internal sealed record Options(
        int Port, IPAddress Bind, string? DatabasePath, TimeSpan? LongPollHold,
        bool VerifySigV4, string? AccessKey, string? SecretKey, SqliteSynchronous Synchronous = SqliteSynchronous.Normal);

    public static Options ParseOptions(CommandLine line)
    {
        int port = line.Int("port", DefaultPort, 0, 65535);
        string? db = line.Get("db");
        bool memory = line.Flag("memory");
        if ((db is null) == !memory)
            throw new UsageException("give exactly one of --db FILE or --memory");
        if (db is { Length: 0 })
            throw new UsageException("--db needs a file path");
        SqliteSynchronous sync = line.Get("sync") switch
        {
            null or "normal" => SqliteSynchronous.Normal,
            "full" => SqliteSynchronous.Full,
            var other => throw new UsageException($"--sync is normal or full, not '{other}'"),
        };
        if (memory && line.Get("sync") is not null)
            throw new UsageException("--sync only makes sense with --db");
        string bindText = line.Get("bind") ?? "127.0.0.1";
        if (!IPAddress.TryParse(bindText, out IPAddress? bind))
            throw new UsageException($"--bind must be an IP address, not '{bindText}'");
        int longPoll = line.Int("long-poll-seconds", -1, 0, 3600);
        bool verify = line.Flag("verify-sigv4");
        string? accessKey = line.Get("access-key");
        string? secretKey = line.Get("secret-key");
        if (verify && (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey)))
            throw new UsageException("--verify-sigv4 needs --access-key and --secret-key");
        if (!verify && (accessKey is not null || secretKey is not null))
            throw new UsageException("--access-key and --secret-key only make sense with --verify-sigv4");
        line.RejectUnknown();
        return new Options(port, bind, db, longPoll < 0 ? null : TimeSpan.FromSeconds(longPoll), verify, accessKey, secretKey, sync);
    }

    public static async Task<int> RunAsync(Options options)
    {
        // Calls await their SQLite commit, but the store's committer and timer-driven timeouts block a pool thread on
        // the file (for up to the busy timeout when another program holds it); keep enough threads that requests
        // are never starved behind them.
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        LocalEngine engine;
        try
        {
            engine = LocalEngine.Open(options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"flow dev: cannot open the store: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        foreach (string problem in engine.StoreProblems)
            await Console.Error.WriteLineAsync($"flow dev: warning: {problem}").ConfigureAwait(false);

        await using (engine.ConfigureAwait(false))
        {
            WebApplication app = Build(options, engine);
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"flow dev: cannot listen on {options.Bind}:{options.Port}: {e.Message}").ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
                return 1;
            }

            // Exactly one line on stdout: the address clients should use (the chosen port when --port 0).
            Console.Out.WriteLine(ListeningUrl(app, options.Bind));
            Console.Out.Flush();

            await app.WaitForShutdownAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        return 0;
    }

    private static WebApplication Build(Options options, LocalEngine engine)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "flow" });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        // The host logs a failed start (a port in use) with its stack trace; RunAsync reports it in one line.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // The front enforces SWF's 1 MB itself, with an SWF-shaped answer; Kestrel's own (higher) limit
            // bounds what it would read to drain a rejected body, so a liar's Content-Length cannot hold a connection.
            k.Limits.MaxRequestBodySize = 2 * SwfHttpFront.MaxBodyBytes;
            // An X-Amz-Target that is not UTF-8 reaches the front (as an unknown operation) instead of a bodiless 400.
            k.RequestHeaderEncodingSelector = name =>
                name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase) ? LenientUtf8 : null;
            k.Listen(options.Bind, options.Port, RejectionBodies.Use);
        });

        WebApplication app = builder.Build();
        var verifier = options.VerifySigV4 ? new SigV4Verifier(options.AccessKey!, options.SecretKey!, TimeProvider.System) : null;
        var front = new SwfHttpFront(engine.Client, verifier, app.Lifetime.ApplicationStopping, Console.Error);
        app.Run(front.HandleAsync);
        return app;
    }

    private static string ListeningUrl(WebApplication app, IPAddress bind)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        int port = 0;
        foreach (string address in addresses?.Addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
            {
                port = uri.Port;
                break;
            }
        }
        string host = bind.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
        return $"http://{host}:{port}";
    }
}
