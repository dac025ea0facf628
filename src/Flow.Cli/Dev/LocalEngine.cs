using Flow.Local;

namespace Flow.Cli.Dev;

/// <summary>The local engine behind <c>flow dev</c>: in memory, or a SQLite file that is flushed and
/// closed on dispose (after the HTTP server has stopped, so no call is cut in half).</summary>
internal sealed class LocalEngine : IAsyncDisposable
{
    private readonly LocalSwf engine;

    private LocalEngine(LocalSwf engine)
    {
        this.engine = engine;
        // The HTTP front decodes a fresh input per request and serialises each answer: no copies needed.
        Client = new LocalSwfClient(engine, copy: false, awaitCommits: true);
    }

    public ISwfClient Client { get; }

    /// <summary>Records in the file that could not be loaded (kept there untouched), each saying which and why.</summary>
    public IReadOnlyList<string> StoreProblems => engine.StoreProblems;

    public static LocalEngine Open(DevCommand.Options options) => new(new LocalSwf(EngineOptions(options)));

    /// <summary>The engine's options for <c>flow dev</c>'s.</summary>
    internal static LocalSwfOptions EngineOptions(DevCommand.Options options) => options.LongPollHold is { } hold
        ? new LocalSwfOptions { DatabasePath = options.DatabasePath, Synchronous = options.Synchronous, LongPollHold = hold }
        : new LocalSwfOptions { DatabasePath = options.DatabasePath, Synchronous = options.Synchronous };

    public ValueTask DisposeAsync()
    {
        engine.Dispose();
        return ValueTask.CompletedTask;
    }
}
